-- Platform tables every module uses: job queue, mail outbox, audit log, events.
-- Timestamps are Unix seconds (UTC), booleans are 0/1 integers (see DESIGN §3).

CREATE TABLE jobs (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT    NOT NULL,            -- handler name, e.g. 'mail.send'
    payload     TEXT    NOT NULL DEFAULT '{}', -- JSON
    run_at      BIGINT  NOT NULL,            -- not before this time
    attempts    BIGINT  NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL DEFAULT 8,
    locked_by   TEXT,                        -- node:thread that runs it now
    locked_at   BIGINT,
    last_error  TEXT,
    done_at     BIGINT,                      -- set when finished (success or given up)
    failed      BIGINT  NOT NULL DEFAULT 0,  -- 1: gave up after max_attempts
    created_at  BIGINT  NOT NULL
);
-- The claim's scan: due jobs in run_at, id order (src/platform/jobs.c).
CREATE INDEX jobs_due ON jobs (run_at, id) WHERE done_at IS NULL;

CREATE TABLE mail_outbox (
    id          BIGSERIAL PRIMARY KEY,
    recipient   TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    body_text   TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL,
    sent_at     BIGINT,
    attempts    BIGINT  NOT NULL DEFAULT 0,
    last_error  TEXT
);

-- Append-only: rathaus only ever INSERTs here (audit.c is the one writer).
CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    at          BIGINT  NOT NULL,
    actor       TEXT    NOT NULL,            -- 'user:42', 'system', 'cli'
    action      TEXT    NOT NULL,            -- 'user.login', 'config.change', …
    object      TEXT    NOT NULL DEFAULT '',
    detail      TEXT    NOT NULL DEFAULT '{}', -- JSON
    ip          TEXT    NOT NULL DEFAULT '',
    request_id  TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX audit_log_at ON audit_log (at);

-- Server-sent events: written by any node, read by every node (replay by id).
CREATE TABLE events (
    id          BIGSERIAL PRIMARY KEY,
    topic       TEXT    NOT NULL,
    data        TEXT    NOT NULL,
    created_at  BIGINT  NOT NULL
);
