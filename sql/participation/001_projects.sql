-- Beteiligung: the Vorhabenliste (the city's list of projects) with its public
-- change log, search terms and quarterly editions, and following (districts,
-- topics, entries, processes, Anregungen) with a queue for the daily digest.
-- Timestamps are Unix seconds; booleans 0/1 (DESIGN §3). docs/participation.md.

-- The 15 Ortsbezirke of Mainz, and "gesamtstädtisch" for what concerns the whole
-- city (an entry is either citywide or in one or more Ortsbezirke).
CREATE TABLE participation_districts (
    id              BIGSERIAL PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    position        BIGINT  NOT NULL,             -- order in lists and filters
    citywide        BIGINT  NOT NULL DEFAULT 0    -- 1: the whole city, not an Ortsbezirk
);
INSERT INTO participation_districts (slug, name, position, citywide) VALUES
    ('gesamtstaedtisch', 'Gesamtstädtisch', 0, 1),
    ('altstadt', 'Altstadt', 1, 0),
    ('neustadt', 'Neustadt', 2, 0),
    ('oberstadt', 'Oberstadt', 3, 0),
    ('hartenberg-muenchfeld', 'Hartenberg-Münchfeld', 4, 0),
    ('mombach', 'Mombach', 5, 0),
    ('gonsenheim', 'Gonsenheim', 6, 0),
    ('finthen', 'Finthen', 7, 0),
    ('bretzenheim', 'Bretzenheim', 8, 0),
    ('marienborn', 'Marienborn', 9, 0),
    ('lerchenberg', 'Lerchenberg', 10, 0),
    ('drais', 'Drais', 11, 0),
    ('hechtsheim', 'Hechtsheim', 12, 0),
    ('ebersheim', 'Ebersheim', 13, 0),
    ('weisenau', 'Weisenau', 14, 0),
    ('laubenheim', 'Laubenheim', 15, 0);

-- Topics of the Vorhabenliste. The names are German msgids as well: the pages
-- translate them (projects_logic.c lists them for the translators).
CREATE TABLE participation_topics (
    id              BIGSERIAL PRIMARY KEY,
    slug            TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    position        BIGINT  NOT NULL
);
INSERT INTO participation_topics (slug, name, position) VALUES
    ('mobilitaet', 'Mobilität und Verkehr', 1),
    ('bauen-wohnen', 'Bauen und Wohnen', 2),
    ('stadtentwicklung', 'Stadtentwicklung', 3),
    ('klima-umwelt', 'Klima und Umwelt', 4),
    ('gruen-freiraum', 'Grünflächen und Freiräume', 5),
    ('bildung', 'Schulen und Bildung', 6),
    ('kinder-jugend', 'Kinder, Jugend und Familie', 7),
    ('soziales', 'Soziales und Gesundheit', 8),
    ('kultur-sport', 'Kultur, Sport und Freizeit', 9),
    ('wirtschaft', 'Wirtschaft und Digitales', 10),
    ('sicherheit', 'Sicherheit und Ordnung', 11),
    ('verwaltung', 'Verwaltung und Finanzen', 12);

-- One entry of the Vorhabenliste: every field the Leitlinien ask for.
CREATE TABLE projects (
    id                   BIGSERIAL PRIMARY KEY,
    title                TEXT    NOT NULL,
    summary              TEXT    NOT NULL,              -- short description (lists, e-mails)
    description          TEXT    NOT NULL DEFAULT '',   -- Markdown
    goals                TEXT    NOT NULL DEFAULT '',   -- Markdown
    topic_id             BIGINT  NOT NULL REFERENCES participation_topics (id),
    decisions            TEXT    NOT NULL DEFAULT '',   -- political decisions so far (Markdown)
    starts_on            TEXT    NOT NULL DEFAULT '',   -- yyyy-mm-dd or '' (unknown)
    ends_on              TEXT    NOT NULL DEFAULT '',   -- expected end, yyyy-mm-dd or ''
    next_steps           TEXT    NOT NULL DEFAULT '',   -- duration and next steps (Markdown)
    costs_text           TEXT    NOT NULL DEFAULT '',   -- costs in words, '' if not known
    costs_cents          BIGINT,                        -- NULL: no amount known
    status               TEXT    NOT NULL,              -- in_planung | in_umsetzung | abgeschlossen | zurueckgestellt
    affected             TEXT    NOT NULL DEFAULT '',   -- who is affected (Markdown)
    participation_planned BIGINT NOT NULL DEFAULT 0,
    participation_form   TEXT    NOT NULL DEFAULT '',   -- '' | information | konsultation | kooperation | mitentscheidung
    participation_reason TEXT    NOT NULL DEFAULT '',   -- why there is none (Markdown)
    obligation           TEXT    NOT NULL,              -- pflicht (statutory) | freiwillig (voluntary)
    unit_id              BIGINT  REFERENCES units (id), -- the responsible office (contact)
    contact_name         TEXT    NOT NULL DEFAULT '',
    contact_email        TEXT    NOT NULL DEFAULT '',
    contact_phone        TEXT    NOT NULL DEFAULT '',
    version              BIGINT  NOT NULL DEFAULT 1,    -- optimistic locking of the staff form
    created_by           BIGINT,                        -- users.id; NULL: demo data, import
    updated_by           BIGINT,
    created_at           BIGINT  NOT NULL,              -- date added to the list
    updated_at           BIGINT  NOT NULL               -- last change of a public field
);
CREATE INDEX projects_unit ON projects (unit_id);
-- The list's filters and orders read only these columns: a scan of this covering
-- index reads a fraction of what a scan of the table (with its long texts) reads.
CREATE INDEX projects_listing ON projects (status, topic_id, participation_planned, created_at, updated_at, title);

CREATE TABLE project_districts (
    project_id      BIGINT  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    district_id     BIGINT  NOT NULL REFERENCES participation_districts (id),
    PRIMARY KEY (project_id, district_id)
);
CREATE INDEX project_districts_district ON project_districts (district_id, project_id);

-- The public change log: one row per changed field, written by the save itself
-- (projects_store), never by hand. kind: verzoegerung (end date later),
-- mehrkosten (costs up), beschluss (decisions changed), status, sonstiges.
CREATE TABLE project_changes (
    id              BIGSERIAL PRIMARY KEY,
    project_id      BIGINT  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    at              BIGINT  NOT NULL,
    kind            TEXT    NOT NULL,
    field           TEXT    NOT NULL,             -- title | ends_on | costs_cents | … (projects_logic.c)
    old_value       TEXT    NOT NULL DEFAULT '',  -- raw values: slugs, cents, ISO dates, text
    new_value       TEXT    NOT NULL DEFAULT '',
    explanation     TEXT    NOT NULL DEFAULT '',  -- the staff member's public explanation
    actor_id        BIGINT                        -- users.id; NULL: demo data, import
);
CREATE INDEX project_changes_project ON project_changes (project_id, at, id);

-- The search index: German stems computed in C (platform/search.c), so SQLite
-- and PostgreSQL find the same entries. weight: title 8, summary 4, topic and
-- districts 2, other text 1 (summed when a term is in several).
CREATE TABLE project_terms (
    term            TEXT    NOT NULL,
    project_id      BIGINT  NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    weight          BIGINT  NOT NULL,
    PRIMARY KEY (term, project_id)
);
CREATE INDEX project_terms_project ON project_terms (project_id);

-- The quarterly "Ausgabe": a frozen JSON snapshot of every entry as it was when
-- published (the objects of /api/v1/beteiligung/vorhaben/{id}, with change logs).
-- The PDF is made from the snapshot when first asked for and kept.
CREATE TABLE project_editions (
    id              BIGSERIAL PRIMARY KEY,
    year            BIGINT  NOT NULL,
    quarter         BIGINT  NOT NULL,             -- 1–4
    title           TEXT    NOT NULL,             -- 'Ausgabe 4/2026'
    note            TEXT    NOT NULL DEFAULT '',  -- a foreword, optional
    entry_count     BIGINT  NOT NULL,
    snapshot        TEXT    NOT NULL,             -- JSON array
    pdf             BYTEA,                        -- NULL until first downloaded
    published_by    BIGINT,                       -- users.id; NULL: demo data
    published_at    BIGINT  NOT NULL,
    UNIQUE (year, quarter)
);

-- Following: a signed-in resident follows a district, topic, entry, process or
-- Anregung; mode einzeln (a mail per news) or taeglich (one digest a day).
CREATE TABLE participation_follows (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_kind     TEXT    NOT NULL,             -- district | topic | project | process | request
    target_id       BIGINT  NOT NULL,
    mode            TEXT    NOT NULL,             -- einzeln | taeglich
    created_at      BIGINT  NOT NULL,
    UNIQUE (user_id, target_kind, target_id)
);
CREATE INDEX participation_follows_target ON participation_follows (target_kind, target_id);

-- News waiting for the daily digest of one user ("participation.digest" job).
CREATE TABLE participation_digest_queue (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    path            TEXT    NOT NULL,             -- the page the news is about
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT                        -- NULL: not yet in a digest
);
CREATE INDEX participation_digest_pending ON participation_digest_queue (user_id, id) WHERE sent_at IS NULL;

-- The days a digest run is queued for: the primary key lets exactly one node
-- enqueue the run of a day, however many ask at once.
CREATE TABLE participation_digest_runs (
    day             TEXT    PRIMARY KEY,          -- 'yyyy-mm-dd' (local date of the run)
    run_at          BIGINT  NOT NULL,
    created_at      BIGINT  NOT NULL
);
