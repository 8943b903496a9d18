/* metrics.h — request counters and latency histogram for /metrics (Prometheus text format).
 *
 * Counters are process-wide atomics indexed by route and status, so recording a
 * request costs two relaxed atomic adds and no lock.
 */
#ifndef RATHAUS_WEB_METRICS_H
#define RATHAUS_WEB_METRICS_H

#include <stdint.h>
#include "core/buf.h"
#include "web/router.h"

/* Sizes the counters for the router's routes (call once before serving). */
int metrics_init(const router_t *router);
void metrics_free(void);
/* Records one answered request; route_index -1 is "no route". */
void metrics_record(int route_index, int status, int64_t duration_ns);
/* Counts open event streams (for the gauge). */
void metrics_stream_delta(int delta);
/* Writes the HTTP metrics as Prometheus text. */
int metrics_render_http(buf_t *out, const router_t *router);

#endif
