-- Webhook processing (SQLite dialect), kept in step with ../postgres/20261126000002_webhook_processing.sql.

-- One row per distinct change Meta told us about. dedupe_key is unique, so a change delivered
-- twice (Meta retries and duplicates; there is no event id) is applied once.
CREATE TABLE webhook_changes (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    inbox_id     INTEGER NOT NULL REFERENCES webhook_inbox(id),
    dedupe_key   TEXT    NOT NULL UNIQUE,
    field        TEXT    NOT NULL,
    meta_waba_id TEXT,
    event        TEXT,
    event_time   INTEGER NOT NULL,
    payload      TEXT    NOT NULL,
    -- A field or event this portal does not know: kept raw for staff to look at.
    flagged      BOOLEAN NOT NULL DEFAULT FALSE,
    created_at   INTEGER NOT NULL
);
CREATE INDEX webhook_changes_waba_idx ON webhook_changes (meta_waba_id, id);

-- The WABA's account state as account_update events describe it. Each dimension keeps the
-- time of the event that set it, so an older event arriving late never overwrites a newer one.
ALTER TABLE wabas ADD COLUMN connection_state TEXT;
ALTER TABLE wabas ADD COLUMN connection_changed_at INTEGER;
ALTER TABLE wabas ADD COLUMN account_health TEXT;
ALTER TABLE wabas ADD COLUMN health_changed_at INTEGER;
ALTER TABLE wabas ADD COLUMN mm_terms_signed_at INTEGER;

-- Per WABA, per UTC day, per pricing category: message status counts from `messages` webhooks.
CREATE TABLE message_metrics_daily (
    meta_waba_id TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    category     TEXT    NOT NULL,
    sent         INTEGER NOT NULL DEFAULT 0,
    delivered    INTEGER NOT NULL DEFAULT 0,
    read         INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    clicked      INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (meta_waba_id, day, category)
);

-- Failed sends per error code, same keys.
CREATE TABLE message_failures_daily (
    meta_waba_id TEXT    NOT NULL,
    day          TEXT    NOT NULL,
    error_code   INTEGER NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (meta_waba_id, day, error_code)
);
