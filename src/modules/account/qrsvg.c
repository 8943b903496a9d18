/* qrsvg.c — QR code to inline SVG (see qrsvg.h).
 *
 * libqrencode gives a width x width matrix, one byte per module, bit 0 set for a
 * dark module. Each row is scanned for runs of dark modules, and each run becomes
 * "M<x> <y>h<len>v1h-<len>z" in module units, offset by the quiet zone; the
 * viewBox then maps one module to one unit, and shape-rendering="crispEdges"
 * keeps the edges between neighbouring runs from showing as hairlines.
 */
#include "modules/account/qrsvg.h"

#include <string.h>

#include <qrencode.h>

int qr_svg(const char *text, buf_t *out)
{
    QRcode *qr = NULL; /* the encoded symbol */
    int rc = -1;
    size_t len = strnlen(text, QR_SVG_MAX_TEXT + 1);
    if (len == 0 || len > QR_SVG_MAX_TEXT)
        goto out;
    /* QR_MODE_8: bytes are taken as they are (UTF-8 stays UTF-8); no Kanji mode.
     * Case-sensitive, so lower-case letters are not folded into alphanumeric mode. */
    qr = QRcode_encodeString(text, 0, QR_ECLEVEL_M, QR_MODE_8, 1);
    if (!qr)
        goto out;
    int width = qr->width;               /* modules per side, without the quiet zone */
    int size = width + 2 * QR_SVG_QUIET; /* viewBox side */
    int buf_rc = buf_appendf(
        out,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 %d %d\" role=\"img\" aria-label=\"QR-Code\""
        " class=\"qr\" shape-rendering=\"crispEdges\">"
        "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/><path fill=\"#000\" d=\"",
        size, size, size, size);
    for (int y = 0; y < width; y++) {
        const unsigned char *row = qr->data + (size_t)y * (size_t)width;
        int x = 0;
        while (x < width) {
            if (!(row[x] & 1)) {
                x++;
                continue;
            }
            int start = x; /* first dark module of this run */
            while (x < width && (row[x] & 1))
                x++;
            int r = buf_appendf(out, "M%d %dh%dv1h-%dz", start + QR_SVG_QUIET, y + QR_SVG_QUIET, x - start, x - start);
            if (r != 0 && buf_rc == 0)
                buf_rc = r;
        }
    }
    int end_rc = buf_puts(out, "\"/></svg>");
    /* The first failed append decides (a refused append leaves the buffer as it was,
     * so later ones may still fit, but the SVG is broken either way). */
    rc = buf_rc != 0 ? buf_rc : end_rc;
out:
    if (qr)
        QRcode_free(qr);
    return rc;
}
