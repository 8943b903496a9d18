/* svgchart.c — bar charts as inline SVG (see svgchart.h).
 *
 * A chart is one <svg role="img"> whose accessible name and description come
 * from its <title> and <desc> (aria-labelledby names both, with ids unique per
 * chart from a process-wide counter). The <desc> states every value in words, so
 * the drawing itself is hidden from assistive technology (aria-hidden group).
 *
 * The page's CSP allows no inline styles, so everything is said with
 * presentation attributes (fill, font-size, …), which CSP does not govern. The
 * SVG scales to its container (width 100% and a viewBox); text sizes are in
 * viewBox units. Text widths are estimated (CHAR_WIDTH per character) because
 * the server cannot measure the browser's font; the estimate is generous, and
 * labels that would not fit are shortened with "…" (their full text is in the
 * description and in each bar's tooltip) or, under narrow bars, turned by 45°
 * and thinned out.
 *
 * Colours (contrast on white, WCAG 1.4.11 wants 3:1 for graphics): bars in KERN
 * darkblue-700 #2044aa (8.5:1), text #1b1b1b (17:1), axes #595959 (7:1),
 * gridlines #8a8a8a (3.4:1).
 */
#include "view/svgchart.h"

#include <math.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/utf8.h"
#include "view/i18n.h"

#define SVG_MAX_OUTPUT (1024 * 1024) /* bytes of one chart; 200 bars of 200-byte labels fit */
#define WIDTH 640.0                  /* viewBox width */
#define FONT_SIZE 12
#define CHAR_WIDTH 7.0    /* estimated advance of one character at FONT_SIZE */
#define PLOT_HEIGHT 200.0 /* vertical chart: height of the bars' area */
#define ROW_HEIGHT 22.0   /* horizontal chart: one bar with its gap */
#define HBAR_HEIGHT 14.0
#define ROTATED_LABEL_CHARS 16 /* characters of a label turned by 45° */
#define HUGE_NUMBER 1e15       /* from here on numbers are written as 1,2e+20 */

static const char bar_colour[] = "#2044aa";
static const char text_colour[] = "#1b1b1b";
static const char axis_colour[] = "#595959";
static const char grid_colour[] = "#8a8a8a";

static atomic_ulong chart_counter; /* makes the ids of title and desc unique */

enum bar_state { BAR_OK, BAR_NEGATIVE, BAR_INVALID };

typedef struct chart {
    arena_t *arena;
    buf_t out;
    const char *lang;
    int english;          /* number format: "1,234.5" instead of "1.234,5" */
    char id[32];          /* prefix of the element ids */
    const char *title;    /* clean text */
    const char *unit;     /* clean text, may be "" */
    size_t count;         /* bars drawn */
    size_t given;         /* bars the caller passed */
    const char **labels;  /* clean text */
    double *values;       /* as drawn: >= 0 and finite */
    double *given_values; /* as passed (for the description) */
    enum bar_state *states;
    double top, step; /* value axis: 0 … top in steps of step */
    int ticks;
} chart_t;

static const char *tr(const chart_t *c, const char *msgid)
{
    return i18n_translate(c->lang, msgid);
}

/* ---- text ----------------------------------------------------------------------- */

static size_t sequence_length(unsigned char c)
{
    if (c >= 0xC2 && c <= 0xDF)
        return 2;
    if (c >= 0xE0 && c <= 0xEF)
        return 3;
    if (c >= 0xF0 && c <= 0xF4)
        return 4;
    return 0;
}

/* s as text XML may hold, on one line, at most max bytes (then ending in "…"):
 * invalid UTF-8, control characters and U+FFFE/U+FFFF become U+FFFD, line breaks
 * and tabs a space. In the arena; NULL becomes "". Not escaped yet. Reads no more
 * of s than it needs, so a huge label costs no more than a long one. */
static const char *clean(arena_t *arena, const char *s, size_t max)
{
    if (!s)
        return "";
    buf_t b;
    buf_init(&b, arena, 64, max + 16); /* one character past max, then "…" */
    for (size_t i = 0; s[i] && b.len <= max;) {
        unsigned char c = (unsigned char)s[i];
        size_t len = c < 0x80 ? 1 : sequence_length(c);
        /* utf8_valid stops at the terminating NUL, so this never reads past it. */
        int valid = len > 0 && utf8_valid(s + i, len);
        /* Characters XML 1.0 does not allow (C0 controls, U+FFFE, U+FFFF), and the
         * C1 controls and DEL, which no label means. */
        int forbidden = c < 0x20 || c == 0x7F || (c == 0xC2 && (unsigned char)s[i + 1] < 0xA0) ||
                        (c == 0xEF && (unsigned char)s[i + 1] == 0xBF && (unsigned char)s[i + 2] >= 0xBE);
        if (c == '\t' || c == '\n' || c == '\r') {
            buf_putc(&b, ' ');
            i++;
        } else if (!valid || forbidden) {
            buf_puts(&b, "\xEF\xBF\xBD");
            i += valid ? len : 1; /* one replacement per character, or per broken byte */
        } else {
            buf_append(&b, s + i, len);
            i += len;
        }
    }
    if (b.len > max) {
        b.len = utf8_truncate(b.data, b.len, max);
        buf_puts(&b, "…");
    }
    return buf_cstr(&b);
}

/* The first max_chars characters of clean text s, the last one "…" when cut. */
static const char *shorten(arena_t *arena, const char *s, size_t max_chars)
{
    size_t n = strlen(s);
    if (utf8_length(s, n) <= max_chars)
        return s;
    size_t cut = 0; /* bytes of the first max_chars - 1 characters */
    for (size_t kept = 0; kept + 1 < max_chars && cut < n; kept++) {
        cut++;
        while (cut < n && ((unsigned char)s[cut] & 0xC0) == 0x80)
            cut++;
    }
    return arena_printf(arena, "%.*s…", (int)cut, s);
}

static size_t chars(const char *s)
{
    return utf8_length(s, strlen(s));
}

/* Writes clean text escaped for XML text and attribute values. */
static void put_escaped(buf_t *b, const char *s)
{
    for (; *s; s++) {
        switch (*s) {
        case '&':
            buf_puts(b, "&amp;");
            break;
        case '<':
            buf_puts(b, "&lt;");
            break;
        case '>':
            buf_puts(b, "&gt;");
            break;
        case '"':
            buf_puts(b, "&quot;");
            break;
        case '\'':
            buf_puts(b, "&#39;");
            break;
        default:
            buf_putc(b, *s);
        }
    }
}

/* pattern with every {name} replaced by value, in the arena. */
static const char *fill(arena_t *arena, const char *pattern, const char *name, const char *value)
{
    buf_t b;
    buf_init(&b, arena, 64, 4096);
    for (const char *p = pattern; *p;) {
        const char *hit = strstr(p, name);
        if (!hit) {
            buf_puts(&b, p);
            break;
        }
        buf_append(&b, p, (size_t)(hit - p));
        buf_puts(&b, value);
        p = hit + strlen(name);
    }
    return buf_cstr(&b);
}

/* v written as a reader of the chart's language expects: grouped thousands, at
 * most two decimals, "1,2e+20" style from HUGE_NUMBER on. */
static const char *number(const chart_t *c, double v)
{
    if (!isfinite(v))
        return "–";
    char group = c->english ? ',' : '.', decimal = c->english ? '.' : ',';
    const char *sign = v < 0 ? "-" : "";
    double a = fabs(v);
    if (a >= HUGE_NUMBER) {
        char tmp[32];
        snprintf(tmp, sizeof(tmp), "%.2e", a);
        for (char *p = tmp; *p; p++)
            if (*p == '.')
                *p = decimal;
        return arena_printf(c->arena, "%s%s", sign, tmp);
    }
    double rounded = round(a * 100.0) / 100.0;
    unsigned long long whole = (unsigned long long)floor(rounded);
    int cents = (int)llround((rounded - (double)whole) * 100.0);
    if (cents >= 100) {
        whole++;
        cents -= 100;
    }
    char digits[32], grouped[48];
    int n = snprintf(digits, sizeof(digits), "%llu", whole);
    size_t g = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && (n - i) % 3 == 0)
            grouped[g++] = group;
        grouped[g++] = digits[i];
    }
    grouped[g] = '\0';
    if (cents == 0)
        return arena_printf(c->arena, "%s%s", sign, grouped);
    if (cents % 10 == 0)
        return arena_printf(c->arena, "%s%s%c%d", sign, grouped, decimal, cents / 10);
    return arena_printf(c->arena, "%s%s%c%02d", sign, grouped, decimal, cents);
}

/* "12 Anträge", or "12" without a unit. */
static const char *with_unit(const chart_t *c, const char *value)
{
    return c->unit[0] ? arena_printf(c->arena, "%s %s", value, c->unit) : value;
}

/* ---- data and scale ------------------------------------------------------------- */

/* The smallest of 1, 2, 2.5, 5, 10 times a power of ten that is >= x > 0. */
static double nice_step(double x)
{
    double power = pow(10.0, floor(log10(x)));
    double f = x / power;
    double n = f <= 1.0 ? 1.0 : f <= 2.0 ? 2.0 : f <= 2.5 ? 2.5 : f <= 5.0 ? 5.0 : 10.0;
    return n * power;
}

static void prepare(chart_t *c, arena_t *arena, const char *lang, const char *title, const char *unit,
                    const svg_bar_t *bars, size_t count)
{
    memset(c, 0, sizeof(*c));
    c->arena = arena;
    c->lang = lang && lang[0] ? lang : "de";
    c->english = strncmp(c->lang, "en", 2) == 0;
    snprintf(c->id, sizeof(c->id), "svgchart-%lu", (unsigned long)atomic_fetch_add(&chart_counter, 1) + 1);
    c->title = clean(arena, title, SVG_MAX_TEXT);
    if (!c->title[0])
        c->title = tr(c, N_("Diagramm"));
    c->unit = clean(arena, unit, SVG_MAX_TEXT);
    c->given = bars ? count : 0;
    c->count = c->given < SVG_MAX_BARS ? c->given : SVG_MAX_BARS;
    size_t slots = c->count ? c->count : 1;
    c->labels = arena_alloc(arena, slots * sizeof(*c->labels));
    c->values = arena_alloc(arena, slots * sizeof(*c->values));
    c->given_values = arena_alloc(arena, slots * sizeof(*c->given_values));
    c->states = arena_alloc(arena, slots * sizeof(*c->states));
    double max = 0;
    int integral = 1;
    for (size_t i = 0; i < c->count; i++) {
        double v = bars[i].value;
        c->labels[i] = clean(arena, bars[i].label, SVG_MAX_TEXT);
        c->given_values[i] = v;
        c->states[i] = !isfinite(v) ? BAR_INVALID : v < 0 ? BAR_NEGATIVE : BAR_OK;
        c->values[i] = c->states[i] == BAR_OK ? v : 0;
        if (c->values[i] > max)
            max = c->values[i];
        if (c->values[i] != floor(c->values[i]))
            integral = 0;
    }
    if (max <= 0)
        max = 1; /* all zero (or nothing): an axis from 0 to 1 */
    c->step = nice_step(max / 4.0);
    if (integral && c->step < 1.0)
        c->step = 1.0; /* counts: no "0,25 Anträge" ticks */
    c->ticks = (int)ceil(max / c->step);
    c->top = c->ticks * c->step;
    if (!isfinite(c->top) || c->ticks < 1 || c->ticks > 10) { /* only near DBL_MAX */
        c->ticks = 4;
        c->step = max / 4.0;
        c->top = max;
    }
}

/* ---- output --------------------------------------------------------------------- */

static void put_head(chart_t *c, double height)
{
    buf_init(&c->out, c->arena, 4096, SVG_MAX_OUTPUT);
    buf_appendf(&c->out,
                "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"rathaus-chart\" width=\"100%%\" "
                "viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"%s-title %s-desc\" "
                "font-family=\"sans-serif\" font-size=\"%d\">",
                WIDTH, height, c->id, c->id, FONT_SIZE);
    buf_appendf(&c->out, "<title id=\"%s-title\">", c->id);
    put_escaped(&c->out, c->title);
    buf_appendf(&c->out, "</title><desc id=\"%s-desc\">", c->id);

    /* Every value in words, then what the drawing cannot show. */
    buf_t desc;
    buf_init(&desc, c->arena, 256, SVG_MAX_OUTPUT);
    if (c->count == 0)
        buf_puts(&desc, tr(c, N_("Keine Werte vorhanden.")));
    int negative = 0;
    for (size_t i = 0; i < c->count; i++) {
        const char *value =
            c->states[i] == BAR_INVALID ? tr(c, N_("kein gültiger Wert")) : with_unit(c, number(c, c->given_values[i]));
        buf_appendf(&desc, "%s%s: %s", i ? "; " : "", c->labels[i], value);
        negative |= c->states[i] == BAR_NEGATIVE;
    }
    if (c->count)
        buf_putc(&desc, '.');
    if (negative)
        buf_appendf(&desc, " %s", tr(c, N_("Negative Werte sind als 0 gezeichnet.")));
    if (c->given > c->count) {
        const char *note = fill(c->arena, tr(c, N_("Gezeigt sind die ersten {gezeigt} von {alle} Werten.")),
                                "{gezeigt}", number(c, (double)c->count));
        buf_appendf(&desc, " %s", fill(c->arena, note, "{alle}", number(c, (double)c->given)));
    }
    put_escaped(&c->out, buf_cstr(&desc));
    buf_puts(&c->out, "</desc><g aria-hidden=\"true\">");
}

static void put_line(chart_t *c, double x1, double y1, double x2, double y2, const char *colour)
{
    buf_appendf(&c->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" stroke-width=\"1\"/>", x1,
                y1, x2, y2, colour);
}

/* Text at (x, y) with anchor start/middle/end, and an optional transform. */
static void put_text(chart_t *c, double x, double y, const char *anchor, const char *transform, const char *text)
{
    if (transform)
        buf_appendf(&c->out, "<text transform=\"%s\" text-anchor=\"%s\" fill=\"%s\">", transform, anchor, text_colour);
    else
        buf_appendf(&c->out, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\" fill=\"%s\">", x, y, anchor, text_colour);
    put_escaped(&c->out, text);
    buf_puts(&c->out, "</text>");
}

/* A bar with its value as tooltip. */
static void put_bar(chart_t *c, size_t i, double x, double y, double w, double h)
{
    buf_appendf(&c->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>", x, y, w, h,
                bar_colour);
    const char *value =
        c->states[i] == BAR_INVALID ? tr(c, N_("kein gültiger Wert")) : with_unit(c, number(c, c->given_values[i]));
    put_escaped(&c->out, c->labels[i]);
    buf_puts(&c->out, ": ");
    put_escaped(&c->out, value);
    buf_puts(&c->out, "</title></rect>");
}

static const char *finish(chart_t *c)
{
    buf_puts(&c->out, "</g></svg>");
    return c->out.overflow ? NULL : buf_cstr(&c->out);
}

/* Width the tick labels need. */
static double tick_label_width(const chart_t *c)
{
    size_t widest = 1;
    for (int t = 0; t <= c->ticks; t++) {
        size_t n = chars(number(c, t * c->step));
        widest = n > widest ? n : widest;
    }
    return widest * CHAR_WIDTH;
}

static const char *vertical(arena_t *arena, const char *lang, const char *title, const char *unit,
                            const svg_bar_t *bars, size_t count)
{
    chart_t c;
    prepare(&c, arena, lang, title, unit, bars, count);
    const double top_pad = 20, right_pad = 10;
    double x0 = tick_label_width(&c) + 12, x1 = WIDTH - right_pad;
    if (x0 < 36)
        x0 = 36;
    double slot = (x1 - x0) / (double)(c.count ? c.count : 1);

    /* Labels side by side if they fit their slot, else turned by 45° and, under
     * very narrow bars, only every k-th. */
    size_t widest_label = 0, widest_value = 0;
    for (size_t i = 0; i < c.count; i++) {
        size_t n = chars(c.labels[i]);
        widest_label = n > widest_label ? n : widest_label;
        n = chars(number(&c, c.given_values[i]));
        widest_value = n > widest_value ? n : widest_value;
    }
    int rotated = widest_label * CHAR_WIDTH > slot - 4;
    size_t label_chars = rotated ? ROTATED_LABEL_CHARS : widest_label;
    double turned = (widest_label < label_chars ? widest_label : label_chars) * CHAR_WIDTH * 0.72; /* cos 45° */
    if (rotated && x0 < turned + 4) { /* the first label reaches left of its bar */
        x0 = turned + 4;
        slot = (x1 - x0) / (double)c.count;
    }
    size_t every = rotated ? (size_t)ceil(18.0 / slot) : 1;
    double bottom = rotated ? turned + 24 : 28;
    int value_labels = c.count > 0 && widest_value * CHAR_WIDTH <= slot;
    double base = top_pad + PLOT_HEIGHT;
    put_head(&c, base + bottom);

    for (int t = 0; t <= c.ticks; t++) {
        double y = base - PLOT_HEIGHT * t / c.ticks;
        put_line(&c, x0, y, x1, y, t == 0 ? axis_colour : grid_colour);
        put_text(&c, x0 - 6, y + 4, "end", NULL, number(&c, t * c.step));
    }
    put_line(&c, x0, top_pad - 6, x0, base, axis_colour);
    if (c.count == 0)
        put_text(&c, (x0 + x1) / 2, top_pad + PLOT_HEIGHT / 2, "middle", NULL, tr(&c, N_("Keine Werte")));
    for (size_t i = 0; i < c.count; i++) {
        double h = c.values[i] / c.top * PLOT_HEIGHT;
        if (c.values[i] > 0 && h < 1)
            h = 1; /* a small value stays visible next to a huge one */
        double w = slot * 0.7 > 0.5 ? slot * 0.7 : 0.5;
        double cx = x0 + (i + 0.5) * slot;
        put_bar(&c, i, cx - w / 2, base - h, w, h);
        if (value_labels)
            put_text(&c, cx, base - h - 4, "middle", NULL, number(&c, c.given_values[i]));
        if (i % every != 0)
            continue;
        const char *label = shorten(arena, c.labels[i], label_chars);
        if (rotated)
            put_text(&c, 0, 0, "end", arena_printf(arena, "translate(%.1f %.1f) rotate(-45)", cx + 4, base + 14),
                     label);
        else
            put_text(&c, cx, base + 18, "middle", NULL, label);
    }
    return finish(&c);
}

static const char *horizontal(arena_t *arena, const char *lang, const char *title, const char *unit,
                              const svg_bar_t *bars, size_t count)
{
    chart_t c;
    prepare(&c, arena, lang, title, unit, bars, count);
    const double top_pad = 8;
    /* The label column is as wide as the longest label, up to 40 % of the chart. */
    size_t widest_label = 0, widest_value = 1;
    for (size_t i = 0; i < c.count; i++) {
        size_t n = chars(c.labels[i]);
        widest_label = n > widest_label ? n : widest_label;
        n = chars(number(&c, c.given_values[i]));
        widest_value = n > widest_value ? n : widest_value;
    }
    size_t label_chars = (size_t)(WIDTH * 0.4 / CHAR_WIDTH);
    if (widest_label < label_chars)
        label_chars = widest_label;
    double x0 = label_chars * CHAR_WIDTH + 12;
    if (x0 < 40)
        x0 = 40;
    double right = widest_value * CHAR_WIDTH + 8;
    double half_tick = tick_label_width(&c) / 2 + 4;
    double x1 = WIDTH - (right > half_tick ? right : half_tick);
    double rows = (double)(c.count ? c.count : 1);
    double base = top_pad + rows * ROW_HEIGHT;
    put_head(&c, base + 30);

    for (int t = 0; t <= c.ticks; t++) {
        double x = x0 + (x1 - x0) * t / c.ticks;
        put_line(&c, x, top_pad, x, base, t == 0 ? axis_colour : grid_colour);
        put_text(&c, x, base + 18, "middle", NULL, number(&c, t * c.step));
    }
    put_line(&c, x0, base, x1, base, axis_colour);
    if (c.count == 0)
        put_text(&c, (x0 + x1) / 2, top_pad + ROW_HEIGHT / 2 + 4, "middle", NULL, tr(&c, N_("Keine Werte")));
    for (size_t i = 0; i < c.count; i++) {
        double y = top_pad + i * ROW_HEIGHT + (ROW_HEIGHT - HBAR_HEIGHT) / 2;
        double w = c.values[i] / c.top * (x1 - x0);
        if (c.values[i] > 0 && w < 1)
            w = 1;
        put_bar(&c, i, x0, y, w, HBAR_HEIGHT);
        put_text(&c, x0 - 8, y + HBAR_HEIGHT - 3, "end", NULL, shorten(arena, c.labels[i], label_chars));
        put_text(&c, x0 + w + 4, y + HBAR_HEIGHT - 3, "start", NULL, number(&c, c.given_values[i]));
    }
    return finish(&c);
}

const char *svg_bar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars, size_t count)
{
    return vertical(arena, "de", title, unit, bars, count);
}

const char *svg_hbar_chart(arena_t *arena, const char *title, const char *unit, const svg_bar_t *bars, size_t count)
{
    return horizontal(arena, "de", title, unit, bars, count);
}

const char *svg_bar_chart_lang(arena_t *arena, const char *lang, const char *title, const char *unit,
                               const svg_bar_t *bars, size_t count)
{
    return vertical(arena, lang, title, unit, bars, count);
}

const char *svg_hbar_chart_lang(arena_t *arena, const char *lang, const char *title, const char *unit,
                                const svg_bar_t *bars, size_t count)
{
    return horizontal(arena, lang, title, unit, bars, count);
}
