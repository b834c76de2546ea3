-- The Meta simulator's state (PostgreSQL dialect), kept in step with ../sqlite/20261126000003_sandbox_objects.sql.
-- Graph objects as JSON documents; see docs/SIMULATOR.md. `version` makes single-use writes
-- (an authorization code, an Intent API request) atomic: UPDATE … WHERE version = $n.
CREATE TABLE sandbox_objects (
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    parent     TEXT,
    data       TEXT    NOT NULL,
    version    BIGINT NOT NULL DEFAULT 1,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX sandbox_objects_parent_idx ON sandbox_objects (kind, parent, id);
