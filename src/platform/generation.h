/* generation.h — change tokens for data that nodes keep derived copies of.
 *
 * Some pages would recompute the same thing from data that rarely changes (the
 * ranking of a catalogue search, the filter columns of every Vorhaben). Such data
 * has a named token in the table generations: whoever writes the data calls
 * generation_bump in the same transaction, and a reader calls generation_read
 * first and reuses what it derived under the same token. One primary-key lookup
 * per request, and every node notices every change at once.
 *
 * Tokens are random, not counters: tests open many databases in one process, and
 * two of them must never show the same token for different data.
 */
#ifndef RATHAUS_PLATFORM_GENERATION_H
#define RATHAUS_PLATFORM_GENERATION_H

#include <stdint.h>

#include "db/db.h"

/* The current token of name (0 while it was never bumped). Returns 0 or < 0. */
int generation_read(db_t *db, const char *name, int64_t *token);
/* Gives name a new random token (non-zero). Call it inside the writing
 * transaction. Returns 0 or < 0. */
int generation_bump(db_t *db, const char *name);

#endif
