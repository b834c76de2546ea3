-- Foundation schema (PostgreSQL dialect). Kept in step with ../sqlite/20261126000001_foundation.sql:
-- same tables, columns, constraints and indexes; only the types differ.
-- Timestamps are Unix milliseconds (BIGINT) so both dialects share the same queries.

CREATE TABLE businesses (
    id               BIGSERIAL PRIMARY KEY,
    meta_business_id TEXT    NOT NULL UNIQUE,
    name             TEXT    NOT NULL,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);

CREATE TABLE wabas (
    id                BIGSERIAL PRIMARY KEY,
    meta_waba_id      TEXT    NOT NULL UNIQUE,
    business_id       BIGINT NOT NULL REFERENCES businesses(id),
    name              TEXT    NOT NULL,
    currency          TEXT,
    country           TEXT,
    onboarding_status TEXT,
    status_changed_at BIGINT,
    coexistence       BOOLEAN NOT NULL DEFAULT FALSE,
    created_at        BIGINT NOT NULL,
    updated_at        BIGINT NOT NULL
);
CREATE INDEX wabas_business_idx ON wabas (business_id);
CREATE INDEX wabas_status_idx ON wabas (onboarding_status, id);

CREATE TABLE phone_numbers (
    id                   BIGSERIAL PRIMARY KEY,
    meta_phone_id        TEXT    NOT NULL UNIQUE,
    waba_id              BIGINT NOT NULL REFERENCES wabas(id),
    display_phone_number TEXT    NOT NULL,
    verified_name        TEXT,
    registered           BOOLEAN NOT NULL DEFAULT FALSE,
    coexistence          BOOLEAN NOT NULL DEFAULT FALSE,
    quality_rating       TEXT,
    created_at           BIGINT NOT NULL,
    updated_at           BIGINT NOT NULL
);
CREATE INDEX phone_numbers_waba_idx ON phone_numbers (waba_id);

CREATE TABLE timeline_events (
    id          BIGSERIAL PRIMARY KEY,
    waba_id     BIGINT REFERENCES wabas(id),
    kind        TEXT    NOT NULL,
    summary     TEXT    NOT NULL,
    detail      TEXT,
    actor       TEXT    NOT NULL,
    occurred_at BIGINT NOT NULL
);
CREATE INDEX timeline_events_waba_idx ON timeline_events (waba_id, id);

-- Tokens, PINs and other secrets, encrypted by the application (AES-256-GCM). key_id names
-- the key that sealed the row so keys can rotate.
CREATE TABLE encrypted_secrets (
    id         BIGSERIAL PRIMARY KEY,
    owner_kind TEXT    NOT NULL,
    owner_id   TEXT    NOT NULL,
    purpose    TEXT    NOT NULL,
    key_id     TEXT    NOT NULL,
    nonce      BYTEA    NOT NULL,
    ciphertext BYTEA    NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (owner_kind, owner_id, purpose)
);

-- The durable job queue. A job is claimed by setting locked_by/locked_until (a lease); a
-- worker that dies leaves a lease that expires, and the job is claimed again.
CREATE TABLE jobs (
    id           BIGSERIAL PRIMARY KEY,
    kind         TEXT    NOT NULL,
    payload      TEXT    NOT NULL,
    status       TEXT    NOT NULL DEFAULT 'queued',
    attempts     BIGINT NOT NULL DEFAULT 0,
    max_attempts BIGINT NOT NULL,
    run_at       BIGINT NOT NULL,
    locked_by    TEXT,
    locked_until BIGINT,
    last_error   TEXT,
    dedupe_key   TEXT    UNIQUE,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX jobs_ready_idx ON jobs (status, run_at);

-- Raw webhook deliveries, stored before Meta gets its 200.
CREATE TABLE webhook_inbox (
    id           BIGSERIAL PRIMARY KEY,
    received_at  BIGINT NOT NULL,
    body         BYTEA    NOT NULL,
    state        TEXT    NOT NULL DEFAULT 'pending',
    attempts     BIGINT NOT NULL DEFAULT 0,
    last_error   TEXT,
    processed_at BIGINT
);
CREATE INDEX webhook_inbox_state_idx ON webhook_inbox (state, id);

CREATE TABLE staff_users (
    id            BIGSERIAL PRIMARY KEY,
    email         TEXT    NOT NULL UNIQUE,
    display_name  TEXT    NOT NULL,
    password_hash TEXT    NOT NULL,
    role          TEXT    NOT NULL CHECK (role IN ('admin', 'operator', 'viewer')),
    disabled      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT NOT NULL,
    last_login_at BIGINT
);

CREATE TABLE audit_log (
    id          BIGSERIAL PRIMARY KEY,
    staff_id    BIGINT REFERENCES staff_users(id),
    actor       TEXT    NOT NULL,
    action      TEXT    NOT NULL,
    target_kind TEXT,
    target_id   TEXT,
    detail      TEXT,
    ip          TEXT,
    occurred_at BIGINT NOT NULL
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor, id);
