-- Online-Dienste: form definitions, applications (drafts and submitted), their
-- files, history and the Postfach (messages between citizen and office).

-- A form as data (docs/forms.md). A new upload of the same form_key becomes the
-- next version; an application keeps the version it was started with.
CREATE TABLE form_definitions (
    id              BIGSERIAL PRIMARY KEY,
    form_key        TEXT    NOT NULL,
    version         BIGINT  NOT NULL,
    title           TEXT    NOT NULL,
    definition      TEXT    NOT NULL,             -- JSON, checked by formdef.c before it is stored
    created_by      BIGINT,                       -- users.id; NULL: loaded by `rathaus demo` / CLI
    created_at      BIGINT  NOT NULL,
    UNIQUE (form_key, version)
);

-- Yearly counters for reference numbers (MZ-2026-000123).
CREATE TABLE reference_counters (
    prefix          TEXT    NOT NULL,             -- 'MZ-2026'
    last_value      BIGINT  NOT NULL,
    PRIMARY KEY (prefix)
);

-- One application: a draft until submitted, then a case (Vorgang).
-- status: 'entwurf' (draft), then the workflow's statuses (workflow.c):
-- eingegangen, in_pruefung, rueckfrage, entschieden, abgeschlossen, abgelehnt,
-- zurueckgezogen, and per workflow more (reisepass: in_herstellung, abholbereit).
CREATE TABLE applications (
    id              BIGSERIAL PRIMARY KEY,
    reference       TEXT    UNIQUE,               -- NULL while a draft
    service_id      BIGINT  NOT NULL REFERENCES services (id),
    form_id         BIGINT  NOT NULL REFERENCES form_definitions (id),
    unit_id         BIGINT  NOT NULL REFERENCES units (id), -- the office that handles it
    user_id         BIGINT  REFERENCES users (id),-- NULL: anonymous (e.g. a report of misuse)
    status          TEXT    NOT NULL DEFAULT 'entwurf',
    step            BIGINT  NOT NULL DEFAULT 0,   -- the step the citizen last saw (drafts)
    data            TEXT    NOT NULL DEFAULT '{}',-- JSON: field name → value, as entered
    summary         TEXT    NOT NULL DEFAULT '',  -- one line for lists ("Reisepass – Maria Muster")
    birth_date      TEXT    NOT NULL DEFAULT '',  -- for the status lookup without login (yyyy-mm-dd)
    assigned_to     BIGINT,                       -- users.id of the caseworker
    fee_cents       BIGINT  NOT NULL DEFAULT 0,
    fee_lines       TEXT    NOT NULL DEFAULT '[]',-- JSON [{"label":…,"cents":…}] as computed at submission
    payment_method  TEXT    NOT NULL DEFAULT '',  -- '' | 'vor_ort' | provider name
    paid_at         BIGINT,
    deadline_at     BIGINT,                       -- Frist (statutory or set by staff)
    resubmit_at     BIGINT,                       -- Wiedervorlage
    decision        TEXT    NOT NULL DEFAULT '',  -- the decision's text (reason when refused)
    approval_requested_by BIGINT,                 -- four eyes: who proposed the decision
    approval_status TEXT    NOT NULL DEFAULT '',  -- '' | 'offen' | 'freigegeben'
    created_at      BIGINT  NOT NULL,
    submitted_at    BIGINT,
    updated_at      BIGINT  NOT NULL,
    closed_at       BIGINT
);
CREATE INDEX applications_user ON applications (user_id, updated_at);
-- The staff inbox: per unit, newest first, keyset-paginated on (submitted_at, id).
CREATE INDEX applications_inbox ON applications (unit_id, submitted_at, id);
CREATE INDEX applications_inbox_status ON applications (unit_id, status, submitted_at, id);
CREATE INDEX applications_assigned ON applications (assigned_to, submitted_at, id);

-- Uploaded documents, notices (Bescheide) and receipts; kept in the database so
-- that every node sees them (DESIGN §3).
CREATE TABLE application_files (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    field           TEXT    NOT NULL,             -- form field name, or 'postfach' | 'bescheid' | 'quittung'
    filename        TEXT    NOT NULL,
    content_type    TEXT    NOT NULL,             -- as sniffed by libmagic, not as claimed
    size            BIGINT  NOT NULL,
    data            BYTEA   NOT NULL,
    uploaded_by     BIGINT,                       -- users.id; NULL: anonymous
    created_at      BIGINT  NOT NULL
);
CREATE INDEX application_files_app ON application_files (application_id, field);

-- The full history of a case: every status change, assignment, note, deadline.
CREATE TABLE application_events (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    at              BIGINT  NOT NULL,
    actor_id        BIGINT,                       -- users.id; NULL: the system
    kind            TEXT    NOT NULL,             -- status | assign | note | deadline | resubmit | fee | payment | approval | message
    from_value      TEXT    NOT NULL DEFAULT '',
    to_value        TEXT    NOT NULL DEFAULT '',
    text            TEXT    NOT NULL DEFAULT '',
    internal        BIGINT  NOT NULL DEFAULT 1    -- 1: staff only (notes); 0: the citizen sees it too
);
CREATE INDEX application_events_app ON application_events (application_id, id);

-- Postfach: the thread of one application.
CREATE TABLE messages (
    id              BIGSERIAL PRIMARY KEY,
    application_id  BIGINT  NOT NULL REFERENCES applications (id) ON DELETE CASCADE,
    from_office     BIGINT  NOT NULL,             -- 1: the office wrote it; 0: the citizen
    sender_id       BIGINT,                       -- users.id
    subject         TEXT    NOT NULL DEFAULT '',
    body            TEXT    NOT NULL,
    file_id         BIGINT  REFERENCES application_files (id),
    created_at      BIGINT  NOT NULL,
    read_at         BIGINT                        -- read by the other side
);
CREATE INDEX messages_app ON messages (application_id, id);
