-- Beteiligung: participation processes (Beteiligungsverfahren) — a process belongs
-- to a Vorhaben or stands alone, runs through dated phases (information,
-- consultation, cooperation, results), and in each phase staff switch components
-- on: proposals with supports and official answers, threaded comments, surveys
-- and events (surveys: 004_surveys.sql). The results page says what was decided
-- and why. src/modules/participation/processes*.c, docs/participation.md.
-- Timestamps are Unix seconds; booleans 0/1 (DESIGN §3).
--
-- Moderation (005_moderation.sql, moderation.c) works on proposals and comments
-- through these columns, whose names are part of the contract (internal.h):
--   author_id      the account that wrote it
--   held           1: held back by the word list until a moderator releases it
--                  (visible only to its author, "wird geprüft")
--   hidden_at      set when a moderator hides it; the page shows
--   hidden_reason  "Von der Moderation ausgeblendet: <reason>" instead of the text
-- Change them only through processes_hide / processes_release_held (internal.h),
-- which also keep the denormalised counts right.

-- status: entwurf (only staff see it) | veroeffentlicht (public).
-- starts_at / ends_at are the first phase's start and the last phase's end, kept by
-- the phase save (processes_store.c) so that the list "current, upcoming,
-- finished" is one indexed query; NULL while the process has no phases.
CREATE TABLE participation_processes (
    id              BIGSERIAL PRIMARY KEY,
    title           TEXT    NOT NULL,
    summary         TEXT    NOT NULL DEFAULT '',      -- one or two sentences (lists, e-mails)
    description     TEXT    NOT NULL DEFAULT '',      -- Markdown, written by staff
    project_id      BIGINT  REFERENCES projects (id) ON DELETE SET NULL, -- the Vorhaben; NULL: stands alone
    unit_id         BIGINT  REFERENCES units (id),    -- the responsible office; NULL: none named
    status          TEXT    NOT NULL DEFAULT 'entwurf',
    results_text    TEXT    NOT NULL DEFAULT '',      -- Markdown: what was decided and why
    results_at      BIGINT,                           -- when the results text was last saved
    starts_at       BIGINT,
    ends_at         BIGINT,
    created_by      BIGINT  REFERENCES users (id),    -- NULL: demo data
    updated_by      BIGINT  REFERENCES users (id),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX participation_processes_public ON participation_processes (status, starts_at, id);
CREATE INDEX participation_processes_project ON participation_processes (project_id);

-- The dated phases of a process, in time order (position 0, 1, …; they never
-- overlap: processes_logic.c checks it). starts_at is the first second of the
-- phase, ends_at the first second after it (a phase "1.3.–31.3." ends at the
-- midnight that begins 1.4.). kind: information | consultation | cooperation | results.
-- The component switches say what residents can do while the phase runs.
-- announced_at: when the followers of the process were told that the phase
-- began (the job "participation.phase_start"); NULL: not yet.
CREATE TABLE process_phases (
    id              BIGSERIAL PRIMARY KEY,
    process_id      BIGINT  NOT NULL REFERENCES participation_processes (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',      -- Markdown, optional
    starts_at       BIGINT  NOT NULL,
    ends_at         BIGINT  NOT NULL,
    position        BIGINT  NOT NULL,
    proposals_on    BIGINT  NOT NULL DEFAULT 0,       -- residents propose and support
    comments_on     BIGINT  NOT NULL DEFAULT 0,       -- residents comment and reply
    surveys_on      BIGINT  NOT NULL DEFAULT 0,       -- the process's surveys take answers
    events_on       BIGINT  NOT NULL DEFAULT 0,       -- the process's events take registrations
    announced_at    BIGINT,
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX process_phases_process ON process_phases (process_id, starts_at);

-- A resident's proposal in a process. status: in_pruefung | angenommen |
-- abgelehnt | umgesetzt, with status_reason (public, required for abgelehnt) and
-- the official answer (Markdown by staff). support_count and comment_count are
-- the rows in proposal_supports and the visible (not held) comments, kept right
-- in the same transaction as the change of those rows.
CREATE TABLE proposals (
    id              BIGSERIAL PRIMARY KEY,
    process_id      BIGINT  NOT NULL REFERENCES participation_processes (id) ON DELETE CASCADE,
    author_id       BIGINT  NOT NULL REFERENCES users (id),
    title           TEXT    NOT NULL,
    body            TEXT    NOT NULL,                 -- Markdown, as the author wrote it
    status          TEXT    NOT NULL DEFAULT 'in_pruefung',
    status_reason   TEXT    NOT NULL DEFAULT '',
    answer          TEXT    NOT NULL DEFAULT '',      -- the official answer (Markdown)
    answered_at     BIGINT,
    answered_by     BIGINT  REFERENCES users (id),
    support_count   BIGINT  NOT NULL DEFAULT 0,
    comment_count   BIGINT  NOT NULL DEFAULT 0,
    hidden_at       BIGINT,
    hidden_reason   TEXT    NOT NULL DEFAULT '',
    hidden_by       BIGINT  REFERENCES users (id),    -- the moderator who hid it
    held            BIGINT  NOT NULL DEFAULT 0,
    erased_at       BIGINT,                           -- the author deleted their account: text erased
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
-- The list pages: one index per sort order, each ending in id for keyset paging
-- (newest: id; most supported; most comments), with and without a status filter.
CREATE INDEX proposals_newest ON proposals (process_id, id);
CREATE INDEX proposals_supported ON proposals (process_id, support_count, id);
CREATE INDEX proposals_commented ON proposals (process_id, comment_count, id);
CREATE INDEX proposals_status_newest ON proposals (process_id, status, id);
CREATE INDEX proposals_status_supported ON proposals (process_id, status, support_count, id);
CREATE INDEX proposals_status_commented ON proposals (process_id, status, comment_count, id);
CREATE INDEX proposals_author ON proposals (author_id);

-- The published (not held) proposals of a process per status: the numbers of the
-- list's filter and of the results page, without counting 10,000 rows for every
-- page. Kept by every write that changes them, in its transaction (processes_store.c).
CREATE TABLE process_proposal_counts (
    process_id      BIGINT  NOT NULL REFERENCES participation_processes (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL,
    total           BIGINT  NOT NULL DEFAULT 0,
    PRIMARY KEY (process_id, status)
);

-- One support per person and proposal: the primary key makes a second one, also
-- one sent at the same moment, impossible.
CREATE TABLE proposal_supports (
    proposal_id     BIGINT  NOT NULL REFERENCES proposals (id) ON DELETE CASCADE,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (proposal_id, user_id)
);
CREATE INDEX proposal_supports_user ON proposal_supports (user_id);

-- Comments on a proposal or on a process itself (target_kind proposal | process),
-- threaded: parent_id is the comment replied to (NULL: a new thread), depth 0 for
-- a thread's start. path orders a discussion depth-first, oldest thread first:
-- the ids from the thread's start down to this comment, each as 12 digits,
-- joined by '.', so that one index range gives a page of a whole discussion.
CREATE TABLE comments (
    id              BIGSERIAL PRIMARY KEY,
    target_kind     TEXT    NOT NULL,
    target_id       BIGINT  NOT NULL,
    process_id      BIGINT  NOT NULL REFERENCES participation_processes (id) ON DELETE CASCADE,
    parent_id       BIGINT  REFERENCES comments (id) ON DELETE CASCADE,
    depth           BIGINT  NOT NULL DEFAULT 0,
    path            TEXT    NOT NULL DEFAULT '',
    author_id       BIGINT  NOT NULL REFERENCES users (id),
    body            TEXT    NOT NULL,                 -- Markdown, as the author wrote it
    hidden_at       BIGINT,
    hidden_reason   TEXT    NOT NULL DEFAULT '',
    hidden_by       BIGINT  REFERENCES users (id),    -- the moderator who hid it
    held            BIGINT  NOT NULL DEFAULT 0,
    erased_at       BIGINT,                           -- the author deleted their account: text erased
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX comments_target ON comments (target_kind, target_id, path);
CREATE INDEX comments_author ON comments (author_id);
CREATE INDEX comments_parent ON comments (parent_id);
