/* core.h — the site itself: start page, legal and help pages, accessibility feedback,
 * language switch (core_module), and the machine endpoints: health, metrics,
 * static files, event streams (system_module). */
#ifndef RATHAUS_MODULES_CORE_H
#define RATHAUS_MODULES_CORE_H

#include "web/http.h"

extern const module_t core_module;
extern const module_t system_module;

/* content.c: Markdown pages under content/<lang>/<name>.md, rendered once at start-up. */
int content_load(const char *dir, char *err, size_t errlen);
void content_free(void);
/* The HTML of a page in lang (German when there is no translation), or NULL. */
const char *content_html(const char *name, const char *lang);

#endif
