/* events.h — live events between the parts of rathaus and its nodes.
 *
 * events_publish stores an event (topic + JSON data) in the events table and,
 * on PostgreSQL, sends NOTIFY so that every node learns of it at once. One
 * thread per process (events_start) reads new rows in id order and passes each
 * to a sink (the web server fans them out to event streams). On SQLite, where
 * one process owns the database, that thread is woken directly by publishers and
 * otherwise polls every 250 ms.
 */
#ifndef RATHAUS_PLATFORM_EVENTS_H
#define RATHAUS_PLATFORM_EVENTS_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"
#include "db/db.h"

#define EVENTS_CHANNEL "rathaus_events"

typedef void (*events_sink_fn)(void *ctx, int64_t id, const char *topic, const char *data);

typedef struct events_replay {
    int64_t id;
    const char *topic;
    const char *data;
} events_replay_t;

/* Stores and announces an event; data must be JSON text. Returns its id (> 0) or < 0. */
int64_t events_publish(db_t *db, const char *topic, const char *data_json);
/* Starts the reader thread; sink is called on that thread, in id order. */
int events_start(const config_t *cfg, events_sink_fn sink, void *ctx, char *err, size_t errlen);
void events_stop(void);
/* The newest id the reader has passed on (where a new stream starts). */
int64_t events_last_id(void);
/* Up to max events with id > after, oldest first, strings in the arena. Returns the count or < 0. */
int events_replay(db_t *db, int64_t after, events_replay_t *out, int max, arena_t *a);
/* Deletes events older than max_age_s (run by the reader thread hourly). */
int events_prune(db_t *db, int64_t max_age_s);

#endif
