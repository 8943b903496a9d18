/* pdf_bench.c — what a two-page notice (Bescheid) costs to render as tagged PDF.
 *
 * Builds the kind of notice the services module sends (letterhead, heading, a
 * table of case data, reasons in Markdown with a list, the legal remedy) long
 * enough for two pages, and renders it N times with pdf_finish. The first
 * rendering in a process also loads fontconfig's configuration and the fonts, so
 * it is reported on its own ("cold"); the rest give the mean and the 99th
 * percentile ("warm", what a running server pays), in wall time and in CPU time
 * of the thread (on a shared, loaded machine the CPU time is the steadier figure).
 * Also prints the PDF's size.
 *
 *   build/bench/pdf_bench [iterations]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "platform/pdf.h"

static int64_t clock_ns_(clockid_t clock)
{
    struct timespec ts;
    clock_gettime(clock, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int64_t now_ns_(void)
{
    return clock_ns_(CLOCK_MONOTONIC);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return x < y ? -1 : x > y;
}

static const char reasons[] =
    "## Begründung\n\n"
    "Sie haben am 3. März 2026 beantragt, Ihre Wohnung in der Augustinerstraße 12 an bis zu 90 Nächten im "
    "Jahr an Gäste zu vermieten. Nach der Satzung der Stadt Mainz über das Verbot der Zweckentfremdung von "
    "Wohnraum ist dafür eine Genehmigung nötig.\n\n"
    "Wir haben Ihren Antrag geprüft. Die Genehmigung wird **mit Auflagen** erteilt:\n\n"
    "1. Sie vermieten höchstens an *90 Nächten* im Kalenderjahr.\n"
    "2. Sie melden jede Vermietung bis zum 10. des Folgemonats über das Online-Konto.\n"
    "3. Die Registriernummer steht in jeder Anzeige, zum Beispiel:\n"
    "   - auf Vermittlungsportalen,\n"
    "   - in Zeitungsanzeigen.\n\n"
    "Die Wohnung bleibt im Übrigen Wohnraum. Wenn Sie die Auflagen nicht einhalten, können wir die "
    "Genehmigung widerrufen und ein Bußgeld festsetzen.\n\n"
    "## Gebühr\n\n"
    "Für diesen Bescheid erheben wir eine Gebühr von 150,00 Euro nach der Verwaltungsgebührensatzung. "
    "Bitte überweisen Sie den Betrag innerhalb eines Monats unter Angabe des Aktenzeichens.\n\n";

static const char remedy[] =
    "## Rechtsbehelfsbelehrung\n\n"
    "Gegen diesen Bescheid können Sie innerhalb eines Monats nach Bekanntgabe Widerspruch erheben. Der "
    "Widerspruch ist schriftlich, in elektronischer Form oder zur Niederschrift bei der Stadtverwaltung "
    "Mainz, Bauamt, Zitadelle Bau C, 55131 Mainz, einzulegen.\n\n"
    "Mit freundlichen Grüßen\n\nIm Auftrag\n\nLeitung Bauamt\n";

/* One notice; returns its size, or 0 when rendering failed. */
static size_t render_notice(int *pages)
{
    pdf_doc_t *d = pdf_new("Bescheid MZ-2026-000123", "de");
    if (!d)
        return 0;
    pdf_letterhead(d, "Stadt Mainz · Bauamt · Zitadelle Bau C · 55131 Mainz");
    pdf_heading(d, 1, "Genehmigung nach der Zweckentfremdungssatzung");
    pdf_pair(d, "Aktenzeichen", "MZ-2026-000123");
    pdf_pair(d, "Antrag vom", "3. März 2026");
    pdf_pair(d, "Antragstellerin", "Maria Muster, Beispielweg 1, 55116 Mainz");
    pdf_pair(d, "Wohnung", "Augustinerstraße 12, 2. Obergeschoss links, 55116 Mainz");
    pdf_paragraph(d, "Sehr geehrte Frau Muster,");
    pdf_paragraph(d, "hiermit genehmigen wir die Nutzung Ihrer Wohnung als Ferienwohnung mit den folgenden Auflagen.");
    pdf_markdown(d, reasons);
    pdf_markdown(d, reasons); /* the reasons of a real notice run longer: two pages */
    pdf_markdown(d, remedy);
    unsigned char *out = NULL;
    size_t len = 0;
    if (pdf_finish(d, &out, &len) != 0) {
        fprintf(stderr, "pdf_bench: %s\n", pdf_error(d));
        pdf_free(d);
        return 0;
    }
    *pages = pdf_page_count(d);
    free(out);
    pdf_free(d);
    return len;
}

int main(int argc, char **argv)
{
    int iterations = argc > 1 ? atoi(argv[1]) : 200;
    if (iterations < 1 || iterations > 100000) {
        fprintf(stderr, "usage: pdf_bench [iterations 1..100000]\n");
        return 2;
    }
    int pages = 0;
    int64_t t0 = now_ns_();
    size_t size = render_notice(&pages);
    int64_t cold = now_ns_() - t0;
    if (size == 0)
        return 1;
    int64_t *times = malloc((size_t)iterations * sizeof(*times));
    if (!times)
        return 1;
    int64_t total = 0;
    int64_t cpu_start = clock_ns_(CLOCK_THREAD_CPUTIME_ID);
    for (int i = 0; i < iterations; i++) {
        int64_t start = now_ns_();
        if (render_notice(&pages) == 0)
            return 1;
        times[i] = now_ns_() - start;
        total += times[i];
    }
    int64_t cpu = clock_ns_(CLOCK_THREAD_CPUTIME_ID) - cpu_start;
    qsort(times, (size_t)iterations, sizeof(*times), cmp_i64);
    printf("PDF notice (%d pages, %zu bytes, tagged, fonts embedded): cold %.1f ms, warm mean %.2f ms "
           "(CPU %.2f ms), p99 %.2f ms (%d renderings)\n",
           pages, size, cold / 1e6, total / 1e6 / iterations, cpu / 1e6 / iterations,
           times[(size_t)(iterations * 0.99)] / 1e6, iterations);
    free(times);
    pdf_release_caches();
    return 0;
}
