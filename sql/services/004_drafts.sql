-- Online-Dienste: drafts that are never lost, and drafts without an account.
-- (apply_draft.c; docs/forms.md "The citizen's way"). Timestamps are Unix seconds.

-- Drafts of services that need no account (min_trust 0, e.g. the anonymous
-- report of misuse): the draft belongs to whoever holds the random token of the
-- cookie "entwurf". Only the token's hash is kept, so a copy of the database
-- cannot open anyone's draft. One token may hold several drafts.
CREATE TABLE draft_tokens (
    token_hash      TEXT    NOT NULL,             -- BLAKE2b of the cookie's token, hex
    application_id  BIGINT  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    expires_at      BIGINT  NOT NULL,
    PRIMARY KEY (token_hash, application_id)
);
CREATE INDEX draft_tokens_app ON draft_tokens (application_id);
CREATE INDEX draft_tokens_expiry ON draft_tokens (expires_at);

-- A step sent after the session had ended: what was typed waits here until the
-- citizen has signed in again and is merged into the draft then. Keyed by the
-- hash of a random token in the cookie "entwurf_zurueck".
CREATE TABLE pending_drafts (
    token_hash      TEXT    PRIMARY KEY,
    application_id  BIGINT  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    step            BIGINT  NOT NULL,             -- 0-based step of the form the values belong to
    data            TEXT    NOT NULL,             -- JSON: the answers of that step as sent
    created_at      BIGINT  NOT NULL,
    expires_at      BIGINT  NOT NULL
);
CREATE INDEX pending_drafts_app ON pending_drafts (application_id);
CREATE INDEX pending_drafts_expiry ON pending_drafts (expires_at);
