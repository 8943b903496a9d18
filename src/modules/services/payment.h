/* payment.h — paying an application's fee through a payment provider
 * (docs/payment.md), modelled on XBezahldienste, the e-payment standard of
 * German public administration:
 *
 *   1. The portal creates a payment request: amount, purpose, our reference
 *      (the Verwendungszweck) and the address to come back to.
 *   2. The provider's start function answers with the address of its payment
 *      page (the citizen is redirected there), or with "done" when nothing
 *      more happens online (Zahlung vor Ort: the citizen pays at the counter).
 *   3. The provider sends the citizen back to GET /antraege/:id/bezahlen/zurueck;
 *      the portal never trusts that request, but asks the provider itself
 *      (status function, server to server) whether the payment is paid or failed.
 *
 * A provider is a row in a table of function pointers (payment.c); adding one
 * (an XBezahldienste connection, ePayBL, …) means adding its row and its two
 * functions, nothing else. Only "vor_ort" is implemented here.
 */
#ifndef RATHAUS_MODULES_SERVICES_PAYMENT_H
#define RATHAUS_MODULES_SERVICES_PAYMENT_H

#include <stddef.h>
#include <stdint.h>

#include "core/arena.h"
#include "core/config.h"

/* The states of a payment (payments.status). */
#define PAYMENT_OPEN "offen"
#define PAYMENT_PAID "bezahlt"
#define PAYMENT_FAILED "fehlgeschlagen"

#define PAYMENT_REFERENCE_MAX 27 /* characters of the reference: XBezahldienste "purpose" */
#define PAYMENT_PURPOSE_MAX 250  /* characters of the purpose text: XBezahldienste "description" */

/* One payment request, as a provider sees it. Strings live in the request arena. */
typedef struct payment {
    int64_t id;
    int64_t application_id;
    int64_t amount_cents;  /* > 0 */
    const char *currency;  /* "EUR" */
    const char *reference; /* ours, unique, the Verwendungszweck: "MZ-2026-000123-1" (≤ PAYMENT_REFERENCE_MAX) */
    const char *purpose;   /* shown on the payment page: "Reisepass, Antrag MZ-2026-000123" (≤ PAYMENT_PURPOSE_MAX) */
    const char *return_url;   /* absolute: where the provider sends the citizen back */
    const char *provider_ref; /* the provider's id of the payment; "" until start sets it */
} payment_t;

/* What start decided. */
typedef struct payment_start {
    const char *redirect_url; /* send the citizen here; NULL: "done", nothing more online */
    const char *provider_ref; /* the provider's id for this payment (arena), or NULL */
} payment_start_t;

typedef struct payment_provider {
    const char *name;        /* stored in payments.provider and applications.payment_method */
    const char *title;       /* German msgid shown as the choice: "Zahlung vor Ort" */
    const char *description; /* German msgid: what the citizen does next */
    /* Creates the payment at the provider. Returns 0 with *out filled, or < 0
     * with a plain message in err (shown to the citizen: "not possible now"). */
    int (*start)(const config_t *cfg, arena_t *arena, const payment_t *payment, payment_start_t *out, char *err,
                 size_t errlen);
    /* Asks the provider for the payment's state, server to server. stored is
     * what our table says now. Sets *status to PAYMENT_OPEN, PAYMENT_PAID or
     * PAYMENT_FAILED and *paid_at (Unix seconds, when paid). Returns 0 or < 0. */
    int (*status)(const config_t *cfg, arena_t *arena, const payment_t *payment, const char *stored,
                  const char **status, int64_t *paid_at, char *err, size_t errlen);
} payment_provider_t;

/* The provider called name, or NULL. */
const payment_provider_t *payment_provider(const char *name);
/* All providers offered to citizens, in the order shown; returns the count. */
size_t payment_providers(const payment_provider_t *const **list);

#endif
