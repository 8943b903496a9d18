/* i18n.h — translations from gettext .po files, German being the source language.
 *
 * po/<lang>.po is read at start-up (msgid/msgstr pairs, with C escapes and
 * multi-line strings); fuzzy and empty entries are skipped. Lookup is a hash
 * table per language; unknown texts fall back to the German msgid so that a page
 * never shows an empty label.
 */
#ifndef RATHAUS_VIEW_I18N_H
#define RATHAUS_VIEW_I18N_H

#include <stddef.h>

/* Limits (STYLE.md rule 5). */
/* Marks a German text for translation where it is defined (tables, constants);
 * scripts/po-check.sh finds it there. The lookup happens where it is shown. */
#define N_(text) (text)

#define I18N_MAX_FILE (4 * 1024 * 1024) /* bytes of one .po file */
#define I18N_MAX_STRING (64 * 1024)     /* bytes of one msgid or msgstr, after escapes */
#define I18N_MAX_LANGS 16               /* catalogues held at once */
#define I18N_MAX_LANG 15                /* bytes of a language code: [A-Za-z0-9_-] */

/* Reads po/<lang>.po for every lang in langs (NULL-terminated); "de" needs no file.
 * Returns 0, or < 0 with "file:line: message" in err. Call before worker threads
 * start: lookups take no lock because nothing changes after start-up. */
int i18n_load(const char *po_dir, const char *const *langs, char *err, size_t errlen);
/* Parses one .po text into the catalogue for lang (exposed for tests and fuzzing).
 * All or nothing: on error (< 0, "name:line: message" in err) the catalogue is
 * unchanged. A msgid seen again replaces the earlier translation. */
int i18n_load_po_text(const char *lang, const char *text, size_t len, const char *name, char *err, size_t errlen);
/* Returns the translation of msgid into lang, or msgid itself. "de" returns msgid.
 * The result lives until i18n_free. Matches tmpl_translate_fn. */
const char *i18n_translate(const char *lang, const char *msgid);
/* Drops every catalogue (i18n_load may be called again afterwards). */
void i18n_free(void);

#endif
