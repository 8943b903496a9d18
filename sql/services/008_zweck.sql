-- Zweckentfremdung (Mainz): the registration number of a flat whose owner holds a
-- permit to let it to holiday guests for more than 12 weeks a year, and the nights
-- ledger the owner keeps for it (src/modules/services/zweck*.c,
-- docs/zweckentfremdung.md). Timestamps are Unix seconds; calendar days are
-- counted in days since 1970-01-01, so that nights per year and overlaps are plain
-- integer arithmetic on both engines.

-- One per granted permit (an application of the workflow 'zweckentfremdung' that
-- reached 'entschieden'). The number goes into every listing of the flat.
CREATE TABLE zweck_registrations (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT  NOT NULL UNIQUE REFERENCES applications (id),
    number          TEXT    NOT NULL UNIQUE,      -- 'MZ-ZE-2026-0042'
    unit_id         BIGINT  NOT NULL REFERENCES units (id), -- the office that watches it (the case's unit)
    user_id         BIGINT  REFERENCES users (id),-- the owner; NULL once the account is deleted
    address         TEXT    NOT NULL,             -- the flat, one line, as in the application
    nights_per_year BIGINT  NOT NULL,             -- permitted nights per calendar year
    valid_from      BIGINT  NOT NULL,             -- first day the permit covers (days since 1970-01-01)
    valid_until     BIGINT  NOT NULL,             -- last day it covers (inclusive)
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL              -- also taken as a row lock when a stay is added
);
CREATE INDEX zweck_registrations_user ON zweck_registrations (user_id, id);
CREATE INDEX zweck_registrations_unit ON zweck_registrations (unit_id, number);

-- The ledger: one row per stay of holiday guests. A stay from arrival to
-- departure holds the nights arrival … departure - 1; each night counts in the
-- calendar year of its evening. Rows are facts: a stay that takes a year past the
-- permitted nights is kept and flagged, and a stay recorded by mistake is marked
-- deleted (within 14 days), never removed.
CREATE TABLE zweck_stays (
    id              BIGSERIAL PRIMARY KEY,
    registration_id BIGINT  NOT NULL REFERENCES zweck_registrations (id) ON DELETE CASCADE,
    arrival         BIGINT  NOT NULL,             -- days since 1970-01-01
    departure       BIGINT  NOT NULL,             -- days since 1970-01-01, after arrival
    guests          BIGINT  NOT NULL,
    exceeded        BIGINT  NOT NULL DEFAULT 0,   -- 1: with this stay a year went past the permitted nights
    recorded_by     BIGINT  REFERENCES users (id),
    created_at      BIGINT  NOT NULL,
    deleted_at      BIGINT,                       -- recorded by mistake, taken back by the owner
    deleted_by      BIGINT  REFERENCES users (id)
);
CREATE INDEX zweck_stays_registration ON zweck_stays (registration_id, arrival);
