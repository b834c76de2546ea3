-- Keys of the partner API (/api/v1) (sqlite dialect; kept in step with the other dialect's file).
-- A key is `mmp_<prefix>_<secret>`: prefix (8 characters, public, unique) finds the row,
-- secret_hash is the SHA-256 (hex) of the whole key, compared in constant time. The key itself
-- is shown once, when made, and never stored. scopes: comma-separated (wabas:read, …).
-- expires_at: set when the key was rotated (the old key works until then); revoked_at: ends it
-- at once. last_used_at: moved by the use recorder, at most a few seconds late.
CREATE TABLE api_keys (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL UNIQUE,
    secret_hash  TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    expires_at   INTEGER,
    revoked_at   INTEGER,
    replaced_by  INTEGER REFERENCES api_keys(id)
);
-- Every authenticated use of a key: the scope the route needed (NULL when refused before a
-- scope was checked), the route pattern (not the address, which can hold ids), the answer's
-- status and the client address.
CREATE TABLE api_key_uses (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    key_id  INTEGER NOT NULL REFERENCES api_keys(id),
    scope   TEXT,
    method  TEXT    NOT NULL,
    route   TEXT    NOT NULL,
    status  INTEGER NOT NULL,
    ip      TEXT,
    used_at INTEGER NOT NULL
);
CREATE INDEX api_key_uses_key_idx ON api_key_uses (key_id, id);
