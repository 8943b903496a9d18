-- The catalogue's generation. Every import (catalogue_import.c) raises it in its
-- own transaction; each node keeps search rankings and life-situation counts for
-- one generation (catalogue_cache.c) and so notices any change with one lookup.
CREATE TABLE catalogue_generation (
    id          BIGINT  PRIMARY KEY CHECK (id = 1),
    generation  BIGINT  NOT NULL
);
INSERT INTO catalogue_generation (id, generation) VALUES (1, 0);
