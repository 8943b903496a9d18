/* qrsvg.h — a QR code as an inline SVG, for setting up an authenticator app.
 *
 * The code is drawn as one <path> of unit squares (each horizontal run of dark
 * modules is one rectangle) on a white <rect>, with the quiet zone of 4 modules
 * that scanners need. Colours are given as fill= attributes, never style=, because
 * our Content-Security-Policy forbids inline styles. The <svg> has no width or
 * height: CSS sizes it through class="qr". role="img" and aria-label="QR-Code"
 * let screen readers announce it; the page must offer the same content as text
 * (the secret for typing in) next to it.
 */
#ifndef RATHAUS_MODULES_ACCOUNT_QRSVG_H
#define RATHAUS_MODULES_ACCOUNT_QRSVG_H

#include "core/buf.h"

#define QR_SVG_MAX_TEXT 1024 /* bytes of text to encode (an otpauth URI is about 150) */
#define QR_SVG_QUIET 4       /* modules of white border on each side (ISO/IEC 18004) */

/* Encodes text (NUL-terminated, 1..QR_SVG_MAX_TEXT bytes) at error correction level
 * M and appends the SVG to out, whose cap must leave room (about 10 KB for an
 * otpauth URI). Returns 0, -1 for empty or too long text or when libqrencode fails,
 * or BUF_ETOOBIG / BUF_ENOMEM from the buffer (out may then hold part of the SVG). */
int qr_svg(const char *text, buf_t *out);

#endif
