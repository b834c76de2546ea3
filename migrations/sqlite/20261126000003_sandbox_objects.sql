-- The Meta simulator's state (SQLite dialect), kept in step with ../postgres/20261126000003_sandbox_objects.sql.
-- Graph objects as JSON documents; see docs/SIMULATOR.md. `version` makes single-use writes
-- (an authorization code, an Intent API request) atomic: UPDATE … WHERE version = $n.
CREATE TABLE sandbox_objects (
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    parent     TEXT,
    data       TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (kind, id)
);
CREATE INDEX sandbox_objects_parent_idx ON sandbox_objects (kind, parent, id);
