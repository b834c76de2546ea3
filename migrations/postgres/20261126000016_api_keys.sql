-- Keys of the partner API (/api/v1) (postgres dialect; kept in step with the other dialect's file).
-- A key is `mmp_<prefix>_<secret>`: prefix (8 characters, public, unique) finds the row,
-- secret_hash is the SHA-256 (hex) of the whole key, compared in constant time. The key itself
-- is shown once, when made, and never stored. scopes: comma-separated (wabas:read, …).
-- expires_at: set when the key was rotated (the old key works until then); revoked_at: ends it
-- at once. last_used_at: moved by the use recorder, at most a few seconds late.
CREATE TABLE api_keys (
    id           BIGSERIAL PRIMARY KEY,
    name         TEXT    NOT NULL,
    prefix       TEXT    NOT NULL UNIQUE,
    secret_hash  TEXT    NOT NULL,
    scopes       TEXT    NOT NULL,
    created_by   TEXT    NOT NULL,
    created_at   BIGINT NOT NULL,
    last_used_at BIGINT,
    expires_at   BIGINT,
    revoked_at   BIGINT,
    replaced_by  BIGINT REFERENCES api_keys(id)
);
-- Every authenticated use of a key: the scope the route needed (NULL when refused before a
-- scope was checked), the route pattern (not the address, which can hold ids), the answer's
-- status and the client address.
CREATE TABLE api_key_uses (
    id      BIGSERIAL PRIMARY KEY,
    key_id  BIGINT NOT NULL REFERENCES api_keys(id),
    scope   TEXT,
    method  TEXT    NOT NULL,
    route   TEXT    NOT NULL,
    status  BIGINT NOT NULL,
    ip      TEXT,
    used_at BIGINT NOT NULL
);
CREATE INDEX api_key_uses_key_idx ON api_key_uses (key_id, id);
