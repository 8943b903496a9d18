/* log.h — one logfmt line per event on stderr ("ts=… level=info msg=… key=value").
 *
 * Lines are assembled in a stack buffer and written with one write(2), so lines of
 * concurrent threads never interleave. Values with spaces, quotes or '=' are quoted.
 */
#ifndef RATHAUS_CORE_LOG_H
#define RATHAUS_CORE_LOG_H

#include <stddef.h>

enum log_level { LOG_DEBUG = 0, LOG_INFO = 1, LOG_WARN = 2, LOG_ERROR = 3 };

/* Sets the lowest level written; "debug", "info", "warn", "error". Returns -1 for an unknown name. */
int log_set_level(const char *name);
int log_enabled(enum log_level lvl);
/* 1 when name is one of the four level names. */
int log_level_known(const char *name);
/* Writes msg with key/value pairs: log_kv(LOG_INFO, "started", "port", "8080", NULL).
 * The pairs end with NULL. */
void log_kv(enum log_level lvl, const char *msg, ...) __attribute__((sentinel));
/* printf-style message, no extra keys. */
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends key=value to a logfmt line under construction, quoting as needed.
 * Returns the new length (never past cap-1). */
size_t log_append_kv(char *line, size_t len, size_t cap, const char *key, const char *value);
/* The current time as in every line ("2026-11-29T02:50:46.908Z"), into buf. */
const char *log_timestamp(char *buf, size_t n);
/* Writes a finished line (a newline is added) with one write(2). */
void log_write_line(const char *line, size_t len);

#endif
