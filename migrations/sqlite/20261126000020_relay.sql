-- The relay of Meta's webhooks to the partner's own systems (sqlite dialect; kept in step with
-- the other dialect's file). Each destination reads the durable webhook inbox in id order from
-- its cursor (relayed_through: every inbox id at or below it was sent, or is waiting in
-- relay_retries), so ingestion writes nothing more per delivery. fields: a JSON array of
-- Meta's webhook fields (`messages`, `account_update`, …) or ["*"]. signing: 'meta' (the app
-- secret, X-Hub-Signature-256) or 'own' (Standard Webhooks headers with the destination's
-- secret, sealed in encrypted_secrets). state: active | paused (failing for 72 h, or by staff).
-- leased_by / leased_until: the instance sending for it now.
CREATE TABLE relay_destinations (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    url             TEXT    NOT NULL,
    fields          TEXT    NOT NULL,
    signing         TEXT    NOT NULL,
    state           TEXT    NOT NULL DEFAULT 'active',
    relayed_through INTEGER NOT NULL,
    delivered       INTEGER NOT NULL DEFAULT 0,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_success_at INTEGER,
    last_lag_ms     INTEGER,
    paused_reason   TEXT,
    leased_by       TEXT,
    leased_until    INTEGER NOT NULL DEFAULT 0,
    created_by      TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    deleted_at      INTEGER
);

-- Deliveries a destination refused or could not be reached for, retried with backoff on their
-- own so one bad delivery never holds up the next ones.
CREATE TABLE relay_retries (
    destination_id INTEGER NOT NULL REFERENCES relay_destinations(id),
    inbox_id       INTEGER NOT NULL REFERENCES webhook_inbox(id),
    attempts       INTEGER NOT NULL,
    first_failed_at INTEGER NOT NULL,
    next_at        INTEGER NOT NULL,
    last_error     TEXT    NOT NULL,
    PRIMARY KEY (destination_id, inbox_id)
);
CREATE INDEX relay_retries_due ON relay_retries (destination_id, next_at);
