/* log.c — logfmt lines on stderr (see log.h). */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int min_level = LOG_INFO;
static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_set_level(const char *name)
{
    for (int i = 0; i < 4; i++) {
        if (strcmp(name, level_names[i]) == 0) {
            min_level = i;
            return 0;
        }
    }
    return -1;
}

int log_level_known(const char *name)
{
    for (int i = 0; i < 4; i++)
        if (strcmp(name, level_names[i]) == 0)
            return 1;
    return 0;
}

int log_enabled(enum log_level lvl) { return (int)lvl >= min_level; }

/* A value needs quotes when it is empty or holds space, quote, '=' or control bytes. */
static int needs_quotes(const char *v)
{
    if (!*v)
        return 1;
    for (const unsigned char *p = (const unsigned char *)v; *p; p++)
        if (*p <= ' ' || *p == '"' || *p == '=' || *p == '\\' || *p == 0x7f)
            return 1;
    return 0;
}

size_t log_append_kv(char *line, size_t len, size_t cap, const char *key, const char *value)
{
    if (!value)
        value = "";
    if (len + 1 >= cap)
        return len;
    int n = snprintf(line + len, cap - len, "%s%s=", len ? " " : "", key);
    if (n < 0 || (size_t)n >= cap - len)
        return cap - 1;
    len += (size_t)n;
    int quote = needs_quotes(value);
    if (quote && len + 1 < cap)
        line[len++] = '"';
    for (const unsigned char *p = (const unsigned char *)value; *p && len + 3 < cap; p++) {
        if (*p == '"' || *p == '\\') {
            line[len++] = '\\';
            line[len++] = (char)*p;
        } else if (*p == '\n') {
            line[len++] = '\\';
            line[len++] = 'n';
        } else if (*p < ' ' || *p == 0x7f) {
            line[len++] = '?'; /* control bytes must not break the one-line format */
        } else {
            line[len++] = (char)*p;
        }
    }
    if (quote && len + 1 < cap)
        line[len++] = '"';
    line[len] = '\0';
    return len;
}

void log_write_line(const char *line, size_t len)
{
    char out[4200];
    if (len > sizeof(out) - 1)
        len = sizeof(out) - 1;
    memcpy(out, line, len);
    out[len] = '\n';
    ssize_t w = write(STDERR_FILENO, out, len + 1);
    (void)w; /* nowhere to report a failing stderr */
}

const char *log_timestamp(char *buf, size_t n)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    struct tm tm;
    gmtime_r(&ts.tv_sec, &tm);
    size_t k = strftime(buf, n, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(buf + k, n - k, ".%03dZ", (int)(ts.tv_nsec / 1000000) % 1000);
    return buf;
}

/* Starts a line with ts and level. */
static size_t line_start(char *line, size_t cap, enum log_level lvl, const char *msg)
{
    char tsbuf[48];
    size_t len = 0;
    line[0] = '\0';
    len = log_append_kv(line, len, cap, "ts", log_timestamp(tsbuf, sizeof(tsbuf)));
    len = log_append_kv(line, len, cap, "level", level_names[lvl]);
    len = log_append_kv(line, len, cap, "msg", msg);
    return len;
}

void log_kv(enum log_level lvl, const char *msg, ...)
{
    if (!log_enabled(lvl))
        return;
    char line[4096];
    size_t len = line_start(line, sizeof(line), lvl, msg);
    va_list ap;
    va_start(ap, msg);
    for (;;) {
        const char *k = va_arg(ap, const char *);
        if (!k)
            break;
        const char *v = va_arg(ap, const char *);
        len = log_append_kv(line, len, sizeof(line), k, v);
    }
    va_end(ap);
    log_write_line(line, len);
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
    if (!log_enabled(lvl))
        return;
    char msg[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    char line[4096];
    size_t len = line_start(line, sizeof(line), lvl, msg);
    log_write_line(line, len);
}
