-- Staff two-factor sign-in with TOTP (RFC 6238) and recovery codes (sqlite dialect; kept in step
-- with the other dialect's file).
-- staff_two_factor: one row per account that started enrolling. The shared secret is sealed
-- like every other secret (AES-256-GCM, key_id stored, the slot ('staff', id, 'totp') bound as
-- associated data), never stored in clear. enabled_at: NULL while enrolment waits for its first
-- code; sign-in asks for a code once it is set. last_step: the newest TOTP time step accepted
-- (Unix seconds / 30), so no code is accepted twice, nor one older than the last.
CREATE TABLE staff_two_factor (
    staff_id   INTEGER PRIMARY KEY REFERENCES staff_users(id) ON DELETE CASCADE,
    key_id     TEXT   NOT NULL,
    nonce      BLOB  NOT NULL,
    ciphertext BLOB  NOT NULL,
    enabled_at INTEGER,
    last_step  INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL
);
-- One-time recovery codes: only their SHA-256 (the codes carry 80 random bits), used_at set
-- by the one sign-in that used each.
CREATE TABLE staff_recovery_codes (
    staff_id  INTEGER NOT NULL REFERENCES staff_users(id) ON DELETE CASCADE,
    code_hash TEXT   NOT NULL,
    used_at   INTEGER,
    PRIMARY KEY (staff_id, code_hash)
);
