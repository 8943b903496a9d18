-- Site content: accessibility feedback and start-page notices.
-- Feedback on accessibility barriers (BITV 2.0 §7: the statement needs a feedback channel).
CREATE TABLE accessibility_feedback (
    id              BIGSERIAL PRIMARY KEY,
    page            TEXT    NOT NULL DEFAULT '',   -- the page the barrier is on
    message         TEXT    NOT NULL,
    contact         TEXT    NOT NULL DEFAULT '',   -- e-mail for an answer, optional
    screenshot      BYTEA,                         -- optional PNG/JPEG, ≤ 2 MiB
    screenshot_type TEXT    NOT NULL DEFAULT '',
    lang            TEXT    NOT NULL DEFAULT 'de',
    created_at      BIGINT  NOT NULL
);

-- Notices on the start page ("Das Bürgeramt ist am 24. Dezember geschlossen").
CREATE TABLE notices (
    id          BIGSERIAL PRIMARY KEY,
    title       TEXT    NOT NULL,
    body        TEXT    NOT NULL DEFAULT '',
    starts_at   BIGINT  NOT NULL,
    ends_at     BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL
);
CREATE INDEX notices_active ON notices (ends_at, starts_at);
