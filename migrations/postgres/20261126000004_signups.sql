-- Embedded Signup sessions, their funnel events, and the per-WABA onboarding pipeline steps.
-- (postgres dialect; kept in step with the other dialect's file of the same name.)

-- One row per visit that pressed the signup button. nonce: held by the admin's browser, binds
-- session-info events and the code to this row, single use for the code exchange.
-- status_key: the unguessable id of the public status page.
CREATE TABLE signups (
    id               BIGSERIAL PRIMARY KEY,
    nonce            TEXT    NOT NULL UNIQUE,
    status_key       TEXT    NOT NULL UNIQUE,
    campaign         TEXT,
    feature_type     TEXT    NOT NULL,
    stage            TEXT    NOT NULL,
    meta_business_id TEXT,
    meta_waba_id     TEXT,
    meta_phone_id    TEXT,
    coexistence      BOOLEAN NOT NULL DEFAULT FALSE,
    cancel_step      TEXT,
    error            TEXT,
    waba_id          BIGINT REFERENCES wabas(id),
    exchange_started_at BIGINT,
    exchanged_at     BIGINT,
    created_at       BIGINT NOT NULL,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX signups_created_idx ON signups (created_at);
CREATE INDEX signups_waba_idx ON signups (waba_id);

CREATE TABLE signup_events (
    id          BIGSERIAL PRIMARY KEY,
    signup_id   BIGINT NOT NULL REFERENCES signups(id),
    event       TEXT    NOT NULL,
    detail      TEXT,
    occurred_at BIGINT NOT NULL
);
CREATE INDEX signup_events_signup_idx ON signup_events (signup_id, id);

-- The onboarding pipeline's progress per WABA and step (see src/onboarding/pipeline.rs).
CREATE TABLE onboarding_steps (
    waba_id    BIGINT NOT NULL REFERENCES wabas(id),
    step       TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    attempts   BIGINT NOT NULL DEFAULT 0,
    detail     TEXT,
    error_code BIGINT,
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (waba_id, step)
);
