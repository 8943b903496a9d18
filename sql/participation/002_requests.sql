-- Beteiligung: Anregungen — residents of Mainz aged 14 or over ask for participation
-- on a Vorhaben or a topic; the coordination office checks each one; an accepted
-- Anregung is published with its author's name and collects supports from residents
-- for 8 weeks; at 200 the office prepares a council motion and the city council
-- decides (Leitlinien für Bürgerbeteiligung in Mainz; src/modules/participation/
-- requests*.c, docs/residency.md). Timestamps are Unix seconds; booleans 0/1.

-- One Anregung. status (requests_rules.c has the labels and the allowed steps):
--   eingereicht     submitted, waiting for the office's check (not public)
--   abgelehnt       not admitted by the office, with a public reason
--   sammlung        published, collecting supports until collect_ends_at
--   erfolgreich     reached the quorum in time
--   nicht_erreicht  the period ended below the quorum
--   vorlage         the office and the department prepare a council motion
--   stadtrat        the motion is before the city council
--   entschieden     the council decided (decision, decision_text)
CREATE TABLE participation_requests (
    id              BIGSERIAL PRIMARY KEY,
    author_id       BIGINT  REFERENCES users (id),      -- NULL once the author's account is deleted
    author_name     TEXT    NOT NULL,                   -- first and last name as published ('' once erased)
    project_id      BIGINT  REFERENCES projects (id),   -- the Vorhaben; NULL: a topic of its own
    topic           TEXT    NOT NULL DEFAULT '',        -- the topic when there is no Vorhaben
    title           TEXT    NOT NULL,
    justification   TEXT    NOT NULL,                   -- Markdown, as the author wrote it
    desired_form    TEXT    NOT NULL,                   -- information | konsultation | kooperation | mitentscheidung
    status          TEXT    NOT NULL,
    refusal_reason  TEXT    NOT NULL DEFAULT '',        -- key of the office's reason (requests_rules.c)
    refusal_text    TEXT    NOT NULL DEFAULT '',        -- the office's public explanation
    decision        TEXT    NOT NULL DEFAULT '',        -- '' | angenommen | teilweise | abgelehnt
    decision_text   TEXT    NOT NULL DEFAULT '',        -- the council's decision, public
    quorum          BIGINT  NOT NULL,                   -- supports needed (200 when published)
    support_count   BIGINT  NOT NULL DEFAULT 0,         -- rows in participation_request_supports, kept in the same transaction
    submitted_at    BIGINT  NOT NULL,
    published_at    BIGINT,                             -- accepted for collection, or refused (public from then on)
    collect_ends_at BIGINT,                             -- end of the support period
    quorum_reached_at BIGINT,
    updated_at      BIGINT  NOT NULL                    -- also taken as the row lock of a support
);
CREATE INDEX participation_requests_status ON participation_requests (status, published_at);
CREATE INDEX participation_requests_author ON participation_requests (author_id);
CREATE INDEX participation_requests_project ON participation_requests (project_id);

-- One support per person and Anregung: the primary key makes a second one, also
-- one sent at the same moment, impossible.
CREATE TABLE participation_request_supports (
    request_id      BIGINT  NOT NULL REFERENCES participation_requests (id) ON DELETE CASCADE,
    user_id         BIGINT  NOT NULL REFERENCES users (id),
    created_at      BIGINT  NOT NULL,
    PRIMARY KEY (request_id, user_id)
);
CREATE INDEX participation_request_supports_user ON participation_request_supports (user_id);

-- The public history of an Anregung: one row per step (submitted, admitted or
-- refused, quorum reached or missed, motion, council, decision). actor_kind says
-- who acted in public terms (author | office | platform); actor_id is the staff
-- member, kept for the office, never shown.
CREATE TABLE participation_request_history (
    id              BIGSERIAL PRIMARY KEY,
    request_id      BIGINT  NOT NULL REFERENCES participation_requests (id) ON DELETE CASCADE,
    status          TEXT    NOT NULL,                   -- the status this step led to
    actor_kind      TEXT    NOT NULL,
    actor_id        BIGINT  REFERENCES users (id),
    text            TEXT    NOT NULL DEFAULT '',        -- public text of the step
    created_at      BIGINT  NOT NULL
);
CREATE INDEX participation_request_history_request ON participation_request_history (request_id, id);
