-- Change tokens of data that each node keeps derived copies of in memory (search
-- rankings of the catalogue, the Vorhabenliste's filter columns): every write of
-- such data replaces its token in the same transaction (platform/generation.c),
-- and a reader that finds the token it derived its copy under may reuse the copy.
CREATE TABLE generations (
    name        TEXT    PRIMARY KEY,   -- 'catalogue', 'projects', …
    token       BIGINT  NOT NULL       -- random; a missing row means 0
);
