-- Online-Dienste: the service catalogue ("Leistungen A–Z"), life situations and
-- the search index. Timestamps are Unix seconds; booleans 0/1 (DESIGN §3).

-- What a citizen needs to know about an office before visiting it.
ALTER TABLE units ADD COLUMN address TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN phone TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN email TEXT NOT NULL DEFAULT '';
ALTER TABLE units ADD COLUMN opening_hours TEXT NOT NULL DEFAULT '';  -- Markdown, one line per day

CREATE TABLE services (
    id              BIGSERIAL PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,      -- /leistungen/<slug>
    name            TEXT    NOT NULL,
    leika_key       TEXT    NOT NULL DEFAULT '',  -- FIM Leistungsschlüssel: '99' + 12 digits
    summary         TEXT    NOT NULL DEFAULT '',  -- one plain-language sentence (lists, search)
    description     TEXT    NOT NULL DEFAULT '',  -- Markdown, plain language
    easy_language   TEXT    NOT NULL DEFAULT '',  -- Markdown in Leichte Sprache, '' if none
    eligibility     TEXT    NOT NULL DEFAULT '',  -- who may apply (Markdown)
    documents       TEXT    NOT NULL DEFAULT '[]',-- JSON array of strings: required documents
    fees            TEXT    NOT NULL DEFAULT '',  -- fees in words (Markdown)
    fee_rules       TEXT    NOT NULL DEFAULT '',  -- JSON rules the fee is computed from, '' if none (fees.c)
    processing_time TEXT    NOT NULL DEFAULT '',
    legal_basis     TEXT    NOT NULL DEFAULT '',
    maturity        BIGINT  NOT NULL DEFAULT 0,   -- OZG Reifegrad 0–7
    unit_id         BIGINT  NOT NULL REFERENCES units (id),
    form_key        TEXT    NOT NULL DEFAULT '',  -- our online form (form_definitions.form_key), '' if none
    external_url    TEXT    NOT NULL DEFAULT '',  -- an online form elsewhere, '' if none
    appointments    BIGINT  NOT NULL DEFAULT 0,   -- 1: citizens book an appointment for it
    min_trust       BIGINT  NOT NULL DEFAULT 1,   -- trust level the application needs (0: no account)
    workflow        TEXT    NOT NULL DEFAULT 'standard', -- the case state machine (workflow.c)
    four_eyes       BIGINT  NOT NULL DEFAULT 0,   -- 1: a decision needs a second person's approval
    published       BIGINT  NOT NULL DEFAULT 1,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX services_unit ON services (unit_id);
CREATE INDEX services_name ON services (name);

-- Lebenslagen: "Umzug", "Geburt eines Kindes", … — the catalogue's topics.
CREATE TABLE life_situations (
    id              BIGSERIAL PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',
    position        BIGINT  NOT NULL DEFAULT 0
);
CREATE TABLE service_life_situations (
    service_id      BIGINT  NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    situation_id    BIGINT  NOT NULL REFERENCES life_situations (id) ON DELETE CASCADE,
    PRIMARY KEY (situation_id, service_id)
);

-- The search index: German stems computed in C (platform/search.c with
-- libstemmer), so SQLite and PostgreSQL return the same results.
CREATE TABLE service_terms (
    term            TEXT    NOT NULL,
    service_id      BIGINT  NOT NULL REFERENCES services (id) ON DELETE CASCADE,
    weight          BIGINT  NOT NULL,             -- name 8, summary 4, synonyms 4, text 1 (summed)
    PRIMARY KEY (term, service_id)
);
CREATE INDEX service_terms_service ON service_terms (service_id);
