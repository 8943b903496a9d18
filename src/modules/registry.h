/* registry.h — the list of modules compiled into this binary.
 *
 * Adding a module: write src/modules/<name>/ with a module_t, add it to the
 * list in registry.c, add its migrations folder to sql/ORDER.
 */
#ifndef RATHAUS_MODULES_REGISTRY_H
#define RATHAUS_MODULES_REGISTRY_H

#include <stddef.h>
#include "web/http.h"

extern const module_t *const modules_all[];
extern const size_t modules_count;

#endif
