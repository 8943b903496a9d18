-- Beteiligung: surveys (Umfragen) and events (Veranstaltungen) of participation
-- processes (src/modules/participation/surveys*.c, events.c). Both belong to a
-- process of 003_processes.sql and optionally to one of its phases; they take
-- answers or registrations only while a phase runs that has surveys_on /
-- events_on switched on (processes_component_open, internal.h).
-- Timestamps are Unix seconds; booleans 0/1 (DESIGN §3).

-- status: entwurf (only staff of the process see it) | veroeffentlicht.
-- opens_at is the first second answers are taken, closes_at the first second
-- after the last day; closed_at is set when staff close the survey early.
-- live_results 1: the results are public while the survey runs; otherwise they
-- are public once it is closed (staff always see them). response_count is the
-- rows of survey_responses, raised in the same transaction as the insert: that
-- write also orders an answer set after a staff edit of the same survey.
CREATE TABLE surveys (
    id              BIGSERIAL PRIMARY KEY,
    process_id      BIGINT  NOT NULL REFERENCES participation_processes (id) ON DELETE CASCADE,
    phase_id        BIGINT  REFERENCES process_phases (id) ON DELETE SET NULL,
    title           TEXT    NOT NULL,
    description     TEXT    NOT NULL DEFAULT '',      -- Markdown, written by staff
    status          TEXT    NOT NULL DEFAULT 'entwurf',
    opens_at        BIGINT  NOT NULL,
    closes_at       BIGINT  NOT NULL,
    closed_at       BIGINT,
    live_results    BIGINT  NOT NULL DEFAULT 0,
    response_count  BIGINT  NOT NULL DEFAULT 0,
    created_by      BIGINT  REFERENCES users (id),    -- NULL: demo data
    updated_by      BIGINT  REFERENCES users (id),
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL
);
CREATE INDEX surveys_process ON surveys (process_id, opens_at, id);

-- The questions of a survey in order (position 0, 1, …). kind: einfach (single
-- choice) | mehrfach (multiple choice) | text (free text) | bewertung (rating
-- 1–5). Questions are replaced as a whole while a survey has no answers and
-- stay fixed from its first answer on, so that every answer set fits them.
CREATE TABLE survey_questions (
    id              BIGSERIAL PRIMARY KEY,
    survey_id       BIGINT  NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    position        BIGINT  NOT NULL,
    kind            TEXT    NOT NULL,
    text            TEXT    NOT NULL,
    required        BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX survey_questions_survey ON survey_questions (survey_id, position);

-- The answers one may choose for a choice question, in order.
CREATE TABLE survey_options (
    id              BIGSERIAL PRIMARY KEY,
    question_id     BIGINT  NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    position        BIGINT  NOT NULL,
    label           TEXT    NOT NULL
);
CREATE INDEX survey_options_question ON survey_options (question_id, position);

-- One answer set per account and survey: the unique key makes a second one,
-- also one sent at the same moment, impossible. user_id becomes NULL when the
-- account is deleted: the answers stay in the results without a person.
CREATE TABLE survey_responses (
    id              BIGSERIAL PRIMARY KEY,
    survey_id       BIGINT  NOT NULL REFERENCES surveys (id) ON DELETE CASCADE,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL,
    UNIQUE (survey_id, user_id)
);
CREATE INDEX survey_responses_user ON survey_responses (user_id);

-- The answers of a set: one row per chosen option (option_id), per rating
-- (rating 1–5) or per free text (text). A free text is public on the results
-- page unless the moderation hid it (hidden_at, with the public hidden_reason).
CREATE TABLE survey_answers (
    id              BIGSERIAL PRIMARY KEY,
    response_id     BIGINT  NOT NULL REFERENCES survey_responses (id) ON DELETE CASCADE,
    question_id     BIGINT  NOT NULL REFERENCES survey_questions (id) ON DELETE CASCADE,
    option_id       BIGINT  REFERENCES survey_options (id) ON DELETE CASCADE,
    rating          BIGINT,
    text            TEXT,
    hidden_at       BIGINT,
    hidden_reason   TEXT    NOT NULL DEFAULT '',
    hidden_by       BIGINT  REFERENCES users (id)
);
-- The tallies per question (covering the counts of options and ratings).
CREATE INDEX survey_answers_question ON survey_answers (question_id, option_id, rating);
CREATE INDEX survey_answers_response ON survey_answers (response_id);

-- An event of a process: when, where, how accessible the place is, and how many
-- may come. Registration is open until registration_until (at the latest until
-- the start). registered_count is the rows of participation_event_registrations with status
-- angemeldet, kept in the same transaction: a registration takes a place only
-- with "registered_count < capacity" in its UPDATE, so parallel requests for the
-- last place give it to one of them.
CREATE TABLE participation_events (
    id                  BIGSERIAL PRIMARY KEY,
    process_id          BIGINT  NOT NULL REFERENCES participation_processes (id) ON DELETE CASCADE,
    phase_id            BIGINT  REFERENCES process_phases (id) ON DELETE SET NULL,
    title               TEXT    NOT NULL,
    description         TEXT    NOT NULL DEFAULT '',  -- Markdown, written by staff
    status              TEXT    NOT NULL DEFAULT 'entwurf', -- entwurf | veroeffentlicht
    starts_at           BIGINT  NOT NULL,
    ends_at             BIGINT  NOT NULL,
    place               TEXT    NOT NULL,             -- "Rathaus, Ratssaal"
    address             TEXT    NOT NULL,             -- "Jockel-Fuchs-Platz 1, 55116 Mainz"
    step_free           BIGINT  NOT NULL DEFAULT 0,   -- stufenloser Zugang
    accessible_toilet   BIGINT  NOT NULL DEFAULT 0,   -- barrierefreies WC
    hearing_loop        BIGINT  NOT NULL DEFAULT 0,   -- Induktionsschleife
    sign_language       BIGINT  NOT NULL DEFAULT 0,   -- Gebärdensprache auf Anfrage
    accessibility_note  TEXT    NOT NULL DEFAULT '',  -- more about the place, plain text
    capacity            BIGINT  NOT NULL,
    registered_count    BIGINT  NOT NULL DEFAULT 0,
    registration_until  BIGINT  NOT NULL,
    sequence            BIGINT  NOT NULL DEFAULT 0,   -- raised on every change (iCalendar SEQUENCE)
    created_by          BIGINT  REFERENCES users (id),
    updated_by          BIGINT  REFERENCES users (id),
    created_at          BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL
);
CREATE INDEX participation_events_process ON participation_events (process_id, starts_at, id);

-- A resident's registration: one row per account and event (a cancelled one is
-- taken up again by registering anew). status: angemeldet | abgemeldet.
-- user_id becomes NULL when the account is deleted after the event.
CREATE TABLE participation_event_registrations (
    id              BIGSERIAL PRIMARY KEY,
    event_id        BIGINT  NOT NULL REFERENCES participation_events (id) ON DELETE CASCADE,
    user_id         BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    status          TEXT    NOT NULL DEFAULT 'angemeldet',
    created_at      BIGINT  NOT NULL,
    updated_at      BIGINT  NOT NULL,
    UNIQUE (event_id, user_id)
);
CREATE INDEX participation_event_registrations_user ON participation_event_registrations (user_id);
