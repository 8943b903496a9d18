/* path.c — file-system helpers (see path.h). */
#include "core/path.h"

#include <errno.h>
#include <stdio.h>
#include <sys/stat.h>

int path_make_parents(const char *path)
{
    char tmp[600];
    if (snprintf(tmp, sizeof(tmp), "%s", path) >= (int)sizeof(tmp)) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0750) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}
