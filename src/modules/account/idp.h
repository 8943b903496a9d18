/* idp.h — the interface for external identity providers (BundID via SAML 2.0,
 * OpenID Connect, …), so that one can be added without touching any module.
 *
 * A provider is two functions: start sends the browser to the provider (a SAML
 * AuthnRequest, an OIDC authorisation request); finish checks what comes back
 * (signature, audience, expiry, nonce) and fills an idp_identity_t. Everything
 * after that is shared and lives in idp.c: the account linked to (provider,
 * subject) is found, or linked by a verified e-mail address, or created; the
 * trust level the provider vouches for is applied (never lowered); profile fields
 * that are still empty are filled; a session starts. Modules only ever see
 * req->user and its trust_level.
 *
 * Routes (module.c): GET /konto/anmelden/:provider starts, GET and POST
 * /konto/anmelden/:provider/antwort finish. See docs/identity.md.
 */
#ifndef RATHAUS_MODULES_ACCOUNT_IDP_H
#define RATHAUS_MODULES_ACCOUNT_IDP_H

#include <stdint.h>

#include "web/http.h"

typedef struct idp_identity {
    const char *subject;      /* the provider's stable, unique id for the person */
    const char *email;        /* NULL when the provider gives none */
    int email_verified;       /* 1 when the provider vouches for the address */
    int trust_level;          /* enum trust_level the provider asserts (web/auth.h) */
    const char *given_name, *family_name, *birth_date, *street, *postcode, *city; /* NULL when unknown */
} idp_identity_t;

typedef struct identity_provider {
    const char *name;         /* URL segment and identity_links.provider: "bundid", "oidc-stadtwerke" */
    const char *button_label; /* German text for the login page (msgid) */
    /* Sends the browser to the provider (answers the request). */
    int (*start)(http_req_t *req);
    /* Checks the provider's answer; 0 with *out filled (strings in the request arena),
     * or an HTTP status (400 for a forged or stale answer). */
    int (*finish)(http_req_t *req, idp_identity_t *out);
} identity_provider_t;

/* Registers a provider at start-up (before serving). Returns 0 or -1 when full or named twice. */
int idp_register(const identity_provider_t *p);
/* The registered providers, for the login page's buttons. */
size_t idp_count(void);
const identity_provider_t *idp_at(size_t i);
/* The provider called name, or NULL. */
const identity_provider_t *idp_find(const char *name);
/* The shared second half: link or create the account, apply the trust level,
 * start a session, redirect to next. Used by finish handlers and tests. */
int idp_sign_in(http_req_t *req, const char *provider, const idp_identity_t *id, const char *next);

/* Route handlers. */
int account_idp_start(http_req_t *req);
int account_idp_finish(http_req_t *req);

#endif
