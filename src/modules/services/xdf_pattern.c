/* xdf_pattern.c — XDatenfelder writes patterns as XML Schema regular expressions;
 * our forms check POSIX extended ones (regcomp, anchored: docs/forms.md). This
 * converts what has a POSIX form (\d \s \w and their negations, escapes,
 * bracket expressions) and refuses the rest (\p{…} classes, (?…) groups, lazy
 * quantifiers, class subtraction), so that the importer can leave a note instead
 * of a pattern that means something else.
 */
#include <regex.h>
#include <stddef.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "modules/services/xdf.h"

/* An XML Schema pattern (what XDatenfelder uses) as a POSIX extended regular
 * expression (what our forms check), or NULL when it uses what POSIX lacks
 * (\p{…} classes, (?…) groups, lazy quantifiers). Anchors are dropped: ours
 * anchors every pattern, XML Schema's are implicit. Checked with regcomp. */
const char *xdf_pattern_to_ere(arena_t *arena, const char *xsd)
{
    size_t n = strlen(xsd);
    if (n && xsd[0] == '^') {
        xsd++;
        n--;
    }
    if (n && xsd[n - 1] == '$' && (n < 2 || xsd[n - 2] != '\\'))
        n--;
    buf_t b;
    buf_init(&b, arena, 64, 4 * FD_MAX_PATTERN);
    int in_bracket = 0, bracket_start = 0, bracket_hyphen = 0;
    for (size_t i = 0; i < n; i++) {
        char ch = xsd[i];
        if (in_bracket) {
            if (ch == ']' && !bracket_start) {
                if (bracket_hyphen)
                    buf_putc(&b, '-'); /* a literal hyphen goes last in POSIX */
                buf_putc(&b, ']');
                in_bracket = 0;
                continue;
            }
            bracket_start = 0;
            if (ch == '[') /* XML Schema's class subtraction [a-z-[aeiou]] */
                return NULL;
            if (ch != '\\') {
                buf_putc(&b, ch);
                continue;
            }
            if (++i >= n)
                return NULL;
            switch (xsd[i]) {
            case 'd':
                buf_puts(&b, "0-9");
                break;
            case 's':
                buf_puts(&b, "[:space:]");
                break;
            case 'w':
                buf_puts(&b, "[:alnum:]_");
                break;
            case '-':
                bracket_hyphen = 1;
                break;
            case '.':
            case '\\':
            case '/':
            case '+':
            case '*':
            case '?':
            case '(':
            case ')':
            case '{':
            case '}':
            case '|':
            case '$':
            case '&':
            case '@':
            case '#':
            case ' ':
                buf_putc(&b, xsd[i]);
                break;
            default:
                return NULL; /* \p{…}, \], \^, \n, … */
            }
            continue;
        }
        if (ch == '[') {
            buf_putc(&b, '[');
            in_bracket = bracket_start = 1;
            bracket_hyphen = 0;
            if (i + 1 < n && xsd[i + 1] == '^') {
                buf_putc(&b, '^');
                i++;
            }
            continue;
        }
        if (ch == '(' && i + 1 < n && xsd[i + 1] == '?')
            return NULL;
        if ((ch == '*' || ch == '+' || ch == '?' || ch == '}') && i + 1 < n && xsd[i + 1] == '?')
            return NULL; /* lazy quantifier */
        if (ch != '\\') {
            buf_putc(&b, ch);
            continue;
        }
        if (++i >= n)
            return NULL;
        switch (xsd[i]) {
        case 'd':
            buf_puts(&b, "[0-9]");
            break;
        case 'D':
            buf_puts(&b, "[^0-9]");
            break;
        case 's':
            buf_puts(&b, "[[:space:]]");
            break;
        case 'S':
            buf_puts(&b, "[^[:space:]]");
            break;
        case 'w':
            buf_puts(&b, "[[:alnum:]_]");
            break;
        case 'W':
            buf_puts(&b, "[^[:alnum:]_]");
            break;
        case '.':
        case '\\':
        case '+':
        case '*':
        case '?':
        case '(':
        case ')':
        case '[':
        case ']':
        case '{':
        case '}':
        case '|':
        case '^':
        case '$':
            buf_putc(&b, '\\');
            buf_putc(&b, xsd[i]);
            break;
        case '-':
        case '/':
        case ' ':
        case '&':
        case '@':
        case '#':
        case ':':
        case ',':
            buf_putc(&b, xsd[i]);
            break;
        default:
            return NULL;
        }
    }
    if (in_bracket || b.len == 0 || b.len > FD_MAX_PATTERN)
        return NULL;
    const char *ere = buf_cstr(&b);
    regex_t re;
    char *anchored = arena_printf(arena, "^(%s)$", ere);
    if (regcomp(&re, anchored, REG_EXTENDED | REG_NOSUB) != 0)
        return NULL;
    regfree(&re);
    return ere;
}
