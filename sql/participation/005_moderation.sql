-- Beteiligung: moderation and who may contribute (src/modules/participation/
-- moderation*.c, docs/moderation.md). Blocks, rate limits, the word list that
-- holds contributions for review, and reports of residents.
-- Timestamps are Unix seconds; booleans 0/1 (DESIGN §3).

-- A moderator blocks an account from contributing: with a reason the blocked
-- person is shown, until a time (NULL: until lifted). A block ends when
-- until_at passes or when a moderator lifts it (lifted_at); rows stay as the
-- history of the account.
CREATE TABLE participation_blocks (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    reason          TEXT    NOT NULL,                 -- shown to the blocked person
    until_at        BIGINT,                           -- NULL: permanent until lifted
    blocked_by      BIGINT  REFERENCES users (id),    -- the moderator
    created_at      BIGINT  NOT NULL,
    lifted_at       BIGINT,
    lifted_by       BIGINT  REFERENCES users (id)
);
CREATE INDEX participation_blocks_user ON participation_blocks (user_id, lifted_at);

-- The rate limits per kind of contribution: at most max_count in any fixed
-- window of window_seconds (a kind may have several windows, e.g. 10 comments
-- in 10 minutes and 50 a day). Staff change them on /verwaltung/beteiligung/grenzen.
CREATE TABLE participation_rate_limits (
    kind            TEXT    NOT NULL,                 -- comment | proposal | support | request | survey | event | report
    window_seconds  BIGINT  NOT NULL,
    max_count       BIGINT  NOT NULL,
    PRIMARY KEY (kind, window_seconds)
);
INSERT INTO participation_rate_limits (kind, window_seconds, max_count) VALUES
    ('comment', 600, 10),
    ('comment', 86400, 50),
    ('proposal', 3600, 3),
    ('proposal', 86400, 10),
    ('support', 3600, 60),
    ('request', 86400, 2),
    ('survey', 3600, 20),
    ('event', 3600, 20),
    ('report', 3600, 20);

-- What each account did in the current window of each limit: the count is
-- raised with one conditional upsert, so two requests at the same moment can
-- never both take the last slot. Rows of past windows are deleted on the way.
CREATE TABLE participation_rate (
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind            TEXT    NOT NULL,
    window_seconds  BIGINT  NOT NULL,
    window_start    BIGINT  NOT NULL,                 -- Unix seconds, a multiple of window_seconds
    count           BIGINT  NOT NULL,
    PRIMARY KEY (user_id, kind, window_seconds, window_start)
);

-- The word list: a contribution containing one of these is held for review.
-- term is stored folded (lower case, ä → ae, ß → ss …, words separated by one
-- space); a trailing '*' matches any word starting with it ("idiot*").
CREATE TABLE participation_words (
    id              BIGSERIAL PRIMARY KEY,
    term            TEXT    NOT NULL UNIQUE,
    created_by      BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    created_at      BIGINT  NOT NULL
);

-- One row: raised with every change of the word list, so that each thread's
-- cached copy notices at once that it is stale.
CREATE TABLE participation_words_version (
    id              BIGINT  PRIMARY KEY,              -- always 1
    version         BIGINT  NOT NULL
);
INSERT INTO participation_words_version (id, version) VALUES (1, 1);

-- Reports of residents: one per person and contribution (the unique key),
-- category beleidigung | spam | datenschutz | sonstiges. dismissed_at is set
-- when a moderator finds nothing wrong; resolved_at when the contribution was
-- hidden. Open reports (both NULL) put the contribution into the queue.
CREATE TABLE participation_reports (
    id              BIGSERIAL PRIMARY KEY,
    target_kind     TEXT    NOT NULL,                 -- proposal | comment
    target_id       BIGINT  NOT NULL,
    reporter_id     BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    category        TEXT    NOT NULL,
    text            TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL,
    dismissed_at    BIGINT,
    resolved_at     BIGINT,
    handled_by      BIGINT  REFERENCES users (id) ON DELETE SET NULL,
    UNIQUE (target_kind, target_id, reporter_id)
);
CREATE INDEX participation_reports_open ON participation_reports (resolved_at, dismissed_at, target_kind, target_id);

-- The queue asks for held and for hidden contributions across all processes:
-- partial indexes keep that quick without touching the list pages' indexes.
CREATE INDEX moderation_proposals_held ON proposals (created_at) WHERE held = 1;
CREATE INDEX moderation_comments_held ON comments (created_at) WHERE held = 1;
CREATE INDEX moderation_proposals_hidden ON proposals (hidden_at) WHERE hidden_at IS NOT NULL;
CREATE INDEX moderation_comments_hidden ON comments (hidden_at) WHERE hidden_at IS NOT NULL;
