/* testing.h — routes that let the test suites drive the server (only with test_routes = 1).
 *
 * They make observable what users cannot trigger on demand: a slow request in
 * flight during shutdown, a job that publishes an event, an event, a mail. The
 * router never registers them unless the configuration asks for it.
 */
#ifndef RATHAUS_MODULES_TESTING_H
#define RATHAUS_MODULES_TESTING_H

#include "web/http.h"

extern const module_t testing_module;
/* Registers the "test.publish" job kind. */
void testing_register_jobs(void);

#endif
