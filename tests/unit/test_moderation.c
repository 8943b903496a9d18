/* test_moderation.c — unit tests for the moderation of the participation module
 * (src/modules/participation/moderation*.c).
 *
 * What residents and moderators rely on: a contribution's Markdown can never put
 * script, raw HTML, an image load or a javascript: link into a page, however it
 * is dressed up (entities, tabs, nesting, autolinks); the word list holds whole
 * words after folding ("Ärger" = "AERGER", "I­diot" with a soft hyphen = "Idiot")
 * but not words that merely contain an entry; a list change applies at once; the
 * gate refuses unconfirmed and blocked accounts and counts the rate limit exactly,
 * on SQLite and on PostgreSQL.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/arena.h"
#include "core/buf.h"
#include "fixture_db.h"
#include "modules/participation/internal.h"
#include "modules/participation/moderation_internal.h"
#include "web/auth.h"

/* ---- Markdown ----------------------------------------------------------------------- */

static const char *md(arena_t *a, const char *text)
{
    const char *html = participation_markdown(a, text);
    if (!html)
        fail_msg("participation_markdown(%s) returned NULL", text);
    return html;
}

static void assert_contains(const char *hay, const char *needle)
{
    if (!strstr(hay, needle))
        fail_msg("expected «%s» in «%s»", needle, hay);
}

static void assert_lacks(const char *hay, const char *needle)
{
    if (strstr(hay, needle))
        fail_msg("did not expect «%s» in «%s»", needle, hay);
}

/* Case-insensitive search, for attributes a browser reads in any case. */
static void assert_lacks_ci(const char *hay, const char *needle)
{
    if (strcasestr(hay, needle))
        fail_msg("did not expect «%s» (any case) in «%s»", needle, hay);
}

/* Whatever the input, the output has no tag other than the few we write, no
 * attribute but href, rel and start, and every href is http(s) or mailto. */
static void assert_only_safe_markup(const char *html)
{
    static const char *const allowed[] = {"p",   "/p",   "em",  "/em",  "strong",     "/strong",     "code", "/code",
                                          "pre", "/pre", "del", "/del", "a",          "/a",          "ul",   "/ul",
                                          "ol",  "/ol",  "li",  "/li",  "blockquote", "/blockquote", "br",   "hr"};
    for (const char *p = strchr(html, '<'); p; p = strchr(p + 1, '<')) {
        size_t n = strcspn(p + 1, " >");
        int ok = 0;
        for (size_t i = 0; i < sizeof(allowed) / sizeof(allowed[0]) && !ok; i++)
            ok = strlen(allowed[i]) == n && strncmp(p + 1, allowed[i], n) == 0;
        if (!ok)
            fail_msg("unexpected tag at «%.40s» in «%s»", p, html);
        const char *end = strchr(p, '>');
        assert_non_null(end);
        const char *attr = p + 1 + n;
        while (attr < end) {
            attr++; /* the space */
            if (strncmp(attr, "href=\"", 6) == 0) {
                const char *v = attr + 6;
                if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0 && strncmp(v, "mailto:", 7) != 0)
                    fail_msg("unsafe href at «%.60s»", v);
            } else if (strncmp(attr, "rel=\"nofollow ugc noopener\"", 27) != 0 && strncmp(attr, "start=\"", 7) != 0) {
                fail_msg("unexpected attribute at «%.40s» in «%s»", attr, html);
            }
            const char *q = strchr(strchr(attr, '"') + 1, '"'); /* the value's closing quote */
            assert_non_null(q);
            assert_true(q < end);
            attr = q + 1;
        }
    }
}

static void test_markdown_basics(void **state)
{
    arena_t *a = *state;
    assert_string_equal(md(a, "Hallo *Welt* und **alle**"), "<p>Hallo <em>Welt</em> und <strong>alle</strong></p>\n");
    assert_string_equal(md(a, "- eins\n- zwei\n"), "<ul>\n<li>eins</li>\n<li>zwei</li>\n</ul>\n");
    assert_string_equal(md(a, "3. drei\n4. vier\n"), "<ol start=\"3\">\n<li>drei</li>\n<li>vier</li>\n</ol>\n");
    assert_string_equal(md(a, "> zitiert"), "<blockquote>\n<p>zitiert</p>\n</blockquote>\n");
    assert_string_equal(md(a, "~~weg~~ `code`"), "<p><del>weg</del> <code>code</code></p>\n");
    assert_string_equal(md(a, ""), "");
    /* A heading never reaches the page's outline. */
    assert_string_equal(md(a, "# Überschrift"), "<p><strong>Überschrift</strong></p>\n");
    assert_string_equal(md(a, "Titel\n====="), "<p><strong>Titel</strong></p>\n");
}

static void test_markdown_links(void **state)
{
    arena_t *a = *state;
    assert_string_equal(md(a, "[Stadt](https://www.mainz.de/)"),
                        "<p><a href=\"https://www.mainz.de/\" rel=\"nofollow ugc noopener\">Stadt</a></p>\n");
    assert_contains(md(a, "[Mail](mailto:info@mainz.de)"),
                    "href=\"mailto:info@mainz.de\" rel=\"nofollow ugc noopener\"");
    assert_contains(md(a, "Siehe https://www.mainz.de/x?a=1&b=2 bitte"),
                    "<a href=\"https://www.mainz.de/x?a=1&amp;b=2\" rel=\"nofollow ugc noopener\">");
    assert_contains(md(a, "Siehe www.mainz.de bitte"),
                    "<a href=\"http://www.mainz.de\" rel=\"nofollow ugc noopener\">");
    assert_contains(md(a, "Schreiben Sie an info@mainz.de."), "href=\"mailto:info@mainz.de\"");
    /* Quotes in a target cannot end the attribute. */
    const char *q = md(a, "[x](https://a.example/\"onmouseover=\"alert(1))");
    assert_lacks(q, "\"onmouseover");
    assert_only_safe_markup(q);
    assert_contains(md(a, "<HTTPS://www.mainz.de/X>"), "href=\"https://www.mainz.de/X\"");
    /* Relative and other schemes are shown as text, not linked. */
    assert_string_equal(md(a, "[lokal](/verwaltung)"), "<p>lokal</p>\n");
    assert_string_equal(md(a, "[ftp](ftp://example.org/x)"), "<p>ftp</p>\n");
}

static void test_markdown_hostile(void **state)
{
    arena_t *a = *state;
    static const char *const hostile[] = {
        "<script>alert(1)</script>",
        "<img src=x onerror=alert(1)>",
        "Text <img src=x onerror=alert(1)> mehr",
        "[x](javascript:alert(1))",
        "[x](JaVaScRiPt:alert(1))",
        "[x](javascript&#58;alert(1))",
        "[x](javascript&#x3A;alert(1))",
        "[x](javascript&colon;alert(1))",
        "[x](&#106;avascript:alert(1))",
        "[x](java\tscript:alert(1))",
        "[x](<javascript:alert(1)>)",
        "<javascript:alert(1)>",
        "[x](vbscript:msgbox(1))",
        "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "[x]: javascript:alert(1)\n\n[klick][x]",
        "![](javascript:alert(1))",
        "<a href=\"javascript:alert(1)\">x</a>",
        "<div onclick=alert(1)>x</div>",
        "<iframe src=https://evil.example></iframe>",
        "```\n<script>alert(1)</script>\n```",
        "`<script>`",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&#60;script&#62;alert(1)&#60;/script&#62;",
        "<!-- <script>alert(1)</script> -->",
        "<svg/onload=alert(1)>",
        "[<img src=x onerror=alert(1)>](https://ok.example)",
        "[x](https://ok.example \"title\" onmouseover=alert(1))",
    };
    for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
        const char *html = md(a, hostile[i]);
        assert_only_safe_markup(html);
        /* What remains of markup is shown as text, never parsed. */
        assert_lacks_ci(html, "<script");
        assert_lacks_ci(html, "<img");
        assert_lacks_ci(html, "<iframe");
        assert_lacks_ci(html, "<svg");
        assert_lacks_ci(html, "<div");
        assert_lacks_ci(html, "href=\"javascript");
    }
    /* The text stays readable as text. */
    assert_string_equal(md(a, "<script>alert(1)</script>"), "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>\n");
    assert_string_equal(md(a, "&#60;b&#62;"), "<p>&lt;b&gt;</p>\n");
    assert_string_equal(md(a, "&auml;&#x1F600;&unbekannt;"), "<p>ä😀&amp;unbekannt;</p>\n");
    assert_string_equal(md(a, "[x](javascript:alert(1))"), "<p>x</p>\n");
    /* A NUL or out-of-range reference becomes the replacement character. */
    assert_string_equal(md(a, "&#0;&#x110000;&#9999999;"), "<p>\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD</p>\n");
    /* More digits than CommonMark allows is no reference at all: text. */
    assert_string_equal(md(a, "&#99999999999;"), "<p>&amp;#99999999999;</p>\n");
}

static void test_markdown_images(void **state)
{
    arena_t *a = *state;
    /* A tracking pixel is never loaded: at most a link a person may choose to follow. */
    const char *pixel = md(a, "![](http://tracker.example/pixel.gif)");
    assert_lacks(pixel, "<img");
    assert_string_equal(pixel, "<p><a href=\"http://tracker.example/pixel.gif\" rel=\"nofollow ugc "
                               "noopener\">http://tracker.example/pixel.gif</a></p>\n");
    /* A link without text gets its address as its name. */
    assert_string_equal(md(a, "[](https://x.example/?a=1&b=\"2\")"),
                        "<p><a href=\"https://x.example/?a=1&amp;b=&quot;2&quot;\" rel=\"nofollow ugc noopener\">"
                        "https://x.example/?a=1&amp;b=&quot;2&quot;</a></p>\n");
    assert_string_equal(
        md(a, "![Plan *der* Brücke](https://x.example/p.png \"Titel\")"),
        "<p><a href=\"https://x.example/p.png\" rel=\"nofollow ugc noopener\">Plan der Brücke</a></p>\n");
    assert_string_equal(md(a, "![Alt](javascript:alert(1))"), "<p>Alt</p>\n");
    /* A linked image: one anchor, no nesting. */
    assert_string_equal(md(a, "[![Bild](https://x.example/b.png)](https://ziel.example/)"),
                        "<p><a href=\"https://ziel.example/\" rel=\"nofollow ugc noopener\">Bild</a></p>\n");
    /* md4c leaves a link here that it never entered: no stray closing tag. */
    assert_string_equal(md(a, "[![altx#](l:1'[!a)tx](ja)"), "<p>[altx#tx</p>\n");
}

static void test_markdown_nesting_and_limits(void **state)
{
    arena_t *a = *state;
    assert_string_equal(md(a, "***fett und kursiv***"), "<p><em><strong>fett und kursiv</strong></em></p>\n");
    assert_string_equal(md(a, "*a **b *c* b** a*"), "<p><em>a <strong>b <em>c</em> b</strong> a</em></p>\n");

    /* Deep nesting of quotes and emphasis is rendered, not a crash. */
    size_t deep = 5000;
    char *s = malloc(deep * 2 + 8);
    assert_non_null(s);
    memset(s, '>', deep);
    memcpy(s + deep, " x", 3);
    const char *html = participation_markdown(a, s);
    if (!html)
        free(s);
    assert_non_null(html);
    memset(s, '*', deep);
    memcpy(s + deep, "x", 2);
    memset(s + deep + 1, '*', deep);
    s[deep * 2 + 1] = '\0';
    html = participation_markdown(a, s);
    free(s);
    assert_non_null(html);

    /* Over-long input is cut at the limit, on a character boundary. */
    size_t big = MODERATION_MARKDOWN_MAX + 1000;
    char *long_text = malloc(big + 1);
    assert_non_null(long_text);
    for (size_t i = 0; i + 2 <= big; i += 2)
        memcpy(long_text + i, "\xC3\xA4", 2); /* ä */
    long_text[big] = '\0';
    html = participation_markdown(a, long_text);
    assert_non_null(html);
    assert_true(strlen(html) <= MODERATION_MARKDOWN_MAX + 16);
    free(long_text);

    /* Text that is no UTF-8 is refused. */
    assert_null(participation_markdown(a, "caf\xE9"));
    assert_null(participation_markdown(a, NULL));
}

/* ---- folding and matching ------------------------------------------------------------- */

static const char *fold(arena_t *a, const char *text, int keep_star)
{
    buf_t b;
    buf_init(&b, a, 16, 4096);
    if (moderation_fold(text, strlen(text), keep_star, &b) != 0)
        fail_msg("moderation_fold(%s) failed", text);
    return buf_cstr(&b);
}

static void test_fold(void **state)
{
    arena_t *a = *state;
    assert_string_equal(fold(a, "Ärger über Straße!", 0), "aerger ueber strasse");
    assert_string_equal(fold(a, "  AERGER,,, uber   STRASSE  ", 0), "aerger uber strasse");
    assert_string_equal(fold(a, "Café crème", 0), "cafe creme");
    assert_string_equal(fold(a,
                             "I\xC2\xAD"
                             "di\xE2\x80\x8Bot",
                             0),
                        "idiot"); /* soft hyphen, zero-width space */
    assert_string_equal(fold(a, "„Zitat“ – Ende…", 0), "zitat ende");
    assert_string_equal(fold(a, "idiot*", 1), "idiot*");
    assert_string_equal(fold(a, "idiot*", 0), "idiot");
    assert_string_equal(fold(a, "ẞ", 0), "ss");
    assert_string_equal(fold(a, "Дурак 123", 0), "Дурак 123"); /* other scripts kept as they are */
    assert_string_equal(fold(a, "", 0), "");
    buf_t b;
    buf_init(&b, a, 16, 64);
    assert_true(moderation_fold("\xFF", 1, 0, &b) < 0);
    buf_t tiny;
    buf_init(&tiny, a, 4, 4);
    assert_true(moderation_fold("abcdefgh", 8, 0, &tiny) < 0);
}

static void test_match_whole_words(void **state)
{
    arena_t *a = *state;
    const char *t = fold(a, "Der Bürgermeister ist ein IDIOT, sagt Klaus.", 0);
    assert_true(moderation_words_match(t, "idiot"));
    assert_true(moderation_words_match(t, "der"));
    assert_true(moderation_words_match(t, "klaus"));
    assert_false(moderation_words_match(t, "idio"));    /* part of a word */
    assert_false(moderation_words_match(t, "meister")); /* inside a word */
    assert_false(moderation_words_match(t, "idioten"));
    assert_true(moderation_words_match(t, "idio*"));      /* prefix on purpose */
    assert_true(moderation_words_match(t, "ein idiot"));  /* several words in a row */
    assert_false(moderation_words_match(t, "ist idiot")); /* not in a row */
    assert_false(moderation_words_match(t, "klaus und")); /* the text ends first */
    assert_true(moderation_words_match(t, "buerger*"));
    assert_true(moderation_words_match(fold(a, "Ärger", 0), "aerger"));
    assert_true(moderation_words_match(fold(a, "ihr Idioten!", 0), "idiot*"));
    assert_false(moderation_words_match(t, ""));
    assert_false(moderation_words_match(t, "*"));
    assert_false(moderation_words_match("", "idiot"));
}

/* ---- the database parts ---------------------------------------------------------------------- */

static int64_t make_user(fixture_db_t *fx, const char *email, int trust)
{
    static const char sql[] = "INSERT INTO users (email, trust_level, created_at, updated_at) VALUES ($1, $2, 0, 0) "
                              "RETURNING id";
    db_stmt_t *st;
    assert_int_equal(db_prepare(fx->db, sql, &st), 0);
    db_bind_text(st, 1, email, -1);
    db_bind_int64(st, 2, trust);
    assert_int_equal(db_step(st), DB_ROW);
    int64_t id = db_column_int64(st, 0);
    db_reset(st);
    return id;
}

static void add_word(fixture_db_t *fx, const char *term)
{
    static const char sql_add[] = "INSERT INTO participation_words (term, created_at) VALUES ($1, 0)";
    static const char sql_bump[] = "UPDATE participation_words_version SET version = version + 1 WHERE id = 1";
    db_stmt_t *st;
    assert_int_equal(db_prepare(fx->db, sql_add, &st), 0);
    db_bind_text(st, 1, term, -1);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(db_exec(fx->db, sql_bump), 0);
}

static void test_held_by_words(void **state)
{
    fixture_db_t *fx = *state;
    assert_int_equal(participation_held_by_words(fx->db, "Ein Idiot war hier."), 0);
    add_word(fx, "idiot*");
    /* The change applies at once: the cached list notices the new version. */
    assert_int_equal(participation_held_by_words(fx->db, "Ein Idiot war hier."), 1);
    assert_int_equal(participation_held_by_words(fx->db, "Ihr IDIOTEN!"), 1);
    assert_int_equal(participation_held_by_words(fx->db, "Ein I\xC2\xAD"
                                                         "diot."),
                     1);
    assert_int_equal(participation_held_by_words(fx->db, "Die Idiomatik der Sprache."), 0);
    add_word(fx, "aerger machen");
    assert_int_equal(participation_held_by_words(fx->db, "Wir wollen Ärger machen."), 1);
    assert_int_equal(participation_held_by_words(fx->db, "Ärger? Wir machen nichts."), 0);
    assert_int_equal(db_exec(fx->db, "DELETE FROM participation_words; "
                                     "UPDATE participation_words_version SET version = version + 1 WHERE id = 1"),
                     0);
    assert_int_equal(participation_held_by_words(fx->db, "Ein Idiot war hier."), 0);
    assert_int_equal(participation_held_by_words(fx->db, NULL), 0);
}

/* A request with just what the gate reads: the user, the database, an arena. */
typedef struct gate_req {
    http_req_t req;
    http_user_t user;
    arena_t arena;
} gate_req_t;

static void gate_init(gate_req_t *g, fixture_db_t *fx, int64_t user_id, int trust)
{
    memset(g, 0, sizeof(*g));
    arena_init(&g->arena);
    g->user.id = user_id;
    g->user.trust_level = trust;
    g->req.db = fx->db;
    g->req.arena = &g->arena;
    g->req.user = user_id ? &g->user : NULL;
}

static void test_gate_refusals(void **state)
{
    fixture_db_t *fx = *state;
    gate_req_t g;
    const char *message = NULL;

    gate_init(&g, fx, 0, 0);
    assert_int_equal(participation_may_contribute(&g.req, "comment", &message), CONTRIBUTE_SIGN_IN);
    assert_non_null(message);
    arena_clear(&g.arena);

    int64_t fresh = make_user(fx, "neu@example.org", 0);
    gate_init(&g, fx, fresh, 0);
    assert_int_equal(participation_may_contribute(&g.req, "comment", &message), CONTRIBUTE_UNCONFIRMED);
    assert_non_null(strstr(message, "bestätigen"));
    arena_clear(&g.arena);

    int64_t anna = make_user(fx, "anna@example.org", 1);
    gate_init(&g, fx, anna, 1);
    assert_int_equal(participation_may_contribute(&g.req, "comment", &message), CONTRIBUTE_OK);
    /* Blocked for a week, by nobody in particular. */
    static const char sql_block[] = "INSERT INTO participation_blocks (user_id, reason, until_at, created_at) "
                                    "VALUES ($1, 'Beleidigungen', $2, 0)";
    db_stmt_t *st;
    assert_int_equal(db_prepare(fx->db, sql_block, &st), 0);
    db_bind_int64(st, 1, anna);
    db_bind_int64(st, 2, moderation_now() + 7 * 86400);
    assert_int_equal(db_step(st), DB_DONE);
    db_reset(st);
    assert_int_equal(participation_may_contribute(&g.req, "comment", &message), CONTRIBUTE_BLOCKED);
    assert_non_null(strstr(message, "gesperrt"));
    const char *reason = NULL;
    int64_t until = -1;
    assert_int_equal(moderation_active_block(fx->db, &g.arena, anna, moderation_now(), &reason, &until, NULL), 1);
    assert_string_equal(reason, "Beleidigungen");
    assert_true(until > moderation_now());
    /* A block that ran out no longer counts. */
    assert_int_equal(moderation_active_block(fx->db, &g.arena, anna, moderation_now() + 8 * 86400, NULL, NULL, NULL),
                     0);
    assert_int_equal(db_exec(fx->db, "UPDATE participation_blocks SET lifted_at = 1"), 0);
    assert_int_equal(participation_may_contribute(&g.req, "comment", &message), CONTRIBUTE_OK);
    /* An unknown kind is a caller's mistake, never a free pass. */
    assert_true(participation_may_contribute(&g.req, "nonsense", &message) < 0);
    arena_clear(&g.arena);
}

static void test_gate_rate_limit(void **state)
{
    fixture_db_t *fx = *state;
    gate_req_t g;
    const char *message = NULL;
    int64_t bert = make_user(fx, "bert@example.org", 1);
    gate_init(&g, fx, bert, 1);

    /* The defaults: 3 proposals an hour. */
    for (int i = 0; i < 3; i++)
        assert_int_equal(participation_may_contribute(&g.req, "proposal", &message), CONTRIBUTE_OK);
    assert_int_equal(participation_may_contribute(&g.req, "proposal", &message), CONTRIBUTE_RATE);
    assert_non_null(strstr(message, "Vorschläge"));
    /* Other kinds have their own count. */
    assert_int_equal(participation_may_contribute(&g.req, "comment", &message), CONTRIBUTE_OK);

    /* Two windows: a refusal in the second gives back the slot of the first. */
    assert_int_equal(db_exec(fx->db, "DELETE FROM participation_rate_limits WHERE kind = 'support'; "
                                     "INSERT INTO participation_rate_limits VALUES ('support', 60, 5); "
                                     "INSERT INTO participation_rate_limits VALUES ('support', 86400, 2)"),
                     0);
    assert_int_equal(participation_may_contribute(&g.req, "support", &message), CONTRIBUTE_OK);
    assert_int_equal(participation_may_contribute(&g.req, "support", &message), CONTRIBUTE_OK);
    assert_int_equal(participation_may_contribute(&g.req, "support", &message), CONTRIBUTE_RATE);
    assert_int_equal(participation_may_contribute(&g.req, "support", &message), CONTRIBUTE_RATE);
    int64_t minute_count = 0;
    static const char sql_count[] =
        "SELECT count FROM participation_rate WHERE kind = 'support' AND window_seconds = 60";
    assert_int_equal(db_query_int64(fx->db, sql_count, &minute_count), 0);
    assert_int_equal(minute_count, 2);

    /* A limit of 0 closes the kind. */
    assert_int_equal(db_exec(fx->db, "UPDATE participation_rate_limits SET max_count = 0 WHERE kind = 'event'"), 0);
    assert_int_equal(participation_may_contribute(&g.req, "event", &message), CONTRIBUTE_RATE);

    /* Another person is not affected by Bert's count. */
    int64_t cleo = make_user(fx, "cleo@example.org", 2);
    gate_req_t g2;
    gate_init(&g2, fx, cleo, 2);
    assert_int_equal(participation_may_contribute(&g2.req, "proposal", &message), CONTRIBUTE_OK);
    arena_clear(&g2.arena);
    arena_clear(&g.arena);
}

static void test_format_time(void **state)
{
    arena_t *a = *state;
    assert_string_equal(moderation_format_time(a, 1767225600), "01.01.2026, 01:00"); /* winter: UTC+1 */
    assert_string_equal(moderation_format_time(a, 1782864000), "01.07.2026, 02:00"); /* summer: UTC+2 */
    assert_string_equal(moderation_format_time(a, 1774746000), "29.03.2026, 03:00"); /* 01:00 UTC: summer begins */
    assert_string_equal(moderation_format_time(a, 1774745999), "29.03.2026, 01:59");
    assert_int_equal(moderation_parse_id("42"), 42);
    assert_int_equal(moderation_parse_id("-1"), 0);
    assert_int_equal(moderation_parse_id("4x"), 0);
    assert_int_equal(moderation_parse_id("9999999999999999999"), 0);
    assert_int_equal(moderation_parse_id(NULL), 0);
}

static int arena_setup(void **state)
{
    arena_t *a = malloc(sizeof(*a));
    if (!a)
        return -1;
    arena_init(a);
    *state = a;
    return 0;
}

static int arena_teardown(void **state)
{
    arena_clear(*state);
    free(*state);
    return 0;
}

int main(void)
{
    const struct CMUnitTest pure[] = {
        cmocka_unit_test_setup_teardown(test_markdown_basics, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_markdown_links, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_markdown_hostile, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_markdown_images, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_markdown_nesting_and_limits, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_fold, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_match_whole_words, arena_setup, arena_teardown),
        cmocka_unit_test_setup_teardown(test_format_time, arena_setup, arena_teardown),
    };
    const struct CMUnitTest with_db[] = {
        cmocka_unit_test_setup_teardown(test_held_by_words, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_gate_refusals, fixture_db_setup_migrated, fixture_db_teardown),
        cmocka_unit_test_setup_teardown(test_gate_rate_limit, fixture_db_setup_migrated, fixture_db_teardown),
    };
    int failed = cmocka_run_group_tests_name("moderation", pure, NULL, NULL);
    failed += fixture_db_run("moderation", with_db, with_db);
    return failed ? 1 : 0;
}
