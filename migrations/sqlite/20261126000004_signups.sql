-- Embedded Signup sessions, their funnel events, and the per-WABA onboarding pipeline steps.
-- (sqlite dialect; kept in step with the other dialect's file of the same name.)

-- One row per visit that pressed the signup button. nonce: held by the admin's browser, binds
-- session-info events and the code to this row, single use for the code exchange.
-- status_key: the unguessable id of the public status page.
CREATE TABLE signups (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
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
    waba_id          INTEGER REFERENCES wabas(id),
    exchange_started_at INTEGER,
    exchanged_at     INTEGER,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX signups_created_idx ON signups (created_at);
CREATE INDEX signups_waba_idx ON signups (waba_id);

CREATE TABLE signup_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    signup_id   INTEGER NOT NULL REFERENCES signups(id),
    event       TEXT    NOT NULL,
    detail      TEXT,
    occurred_at INTEGER NOT NULL
);
CREATE INDEX signup_events_signup_idx ON signup_events (signup_id, id);

-- The onboarding pipeline's progress per WABA and step (see src/onboarding/pipeline.rs).
CREATE TABLE onboarding_steps (
    waba_id    INTEGER NOT NULL REFERENCES wabas(id),
    step       TEXT    NOT NULL,
    state      TEXT    NOT NULL,
    attempts   INTEGER NOT NULL DEFAULT 0,
    detail     TEXT,
    error_code INTEGER,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (waba_id, step)
);
