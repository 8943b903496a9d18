/* path.h — small file-system helpers shared by the commands and the db layer. */
#ifndef RATHAUS_CORE_PATH_H
#define RATHAUS_CORE_PATH_H

/* mkdir -p for every directory above path (not path itself), mode 0750.
 * Returns 0, or -1 with errno set. */
int path_make_parents(const char *path);

#endif
