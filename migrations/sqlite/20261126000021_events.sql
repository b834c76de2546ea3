-- Portal events (issue 18): every change the partner's platform cares about, written to an
-- outbox by triggers, so an event exists exactly when the change it reports committed (the
-- trigger runs in the change's own transaction, whichever code path made it). sqlite dialect;
-- kept in step with the other dialect's file, where emit_event and check_waba_ready are
-- functions (here: views with INSTEAD OF triggers, SQLite's way to share a trigger body).
--
-- events.public_id: the Standard Webhooks `webhook-id`, stable across resends.
-- waba_id / waba_seq: the portal's WABA and its per-WABA sequence number (1, 2, 3…), so a
-- receiver can restore the order of one WABA's events. data: the event's JSON object; the
-- body sent is {"type", "timestamp", "data"} made from these columns (src/events/mod.rs).
CREATE TABLE events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    waba_id     INTEGER,
    waba_seq    INTEGER,
    data        TEXT    NOT NULL,
    occurred_at INTEGER NOT NULL
);
CREATE INDEX events_by_waba ON events (waba_id, waba_seq);
CREATE INDEX events_by_time ON events (occurred_at);

-- Per WABA: the last sequence number handed out, and whether waba.ready was announced since
-- the WABA last stopped being ready (so it is announced once per time it becomes ready).
CREATE TABLE waba_event_state (
    waba_id INTEGER PRIMARY KEY REFERENCES wabas(id),
    seq     INTEGER NOT NULL,
    ready   BOOLEAN NOT NULL DEFAULT FALSE
);

-- emit_event: INSERT INTO emit_event (type, waba_id, data, at) writes one event, numbering it
-- in its WABA's sequence when it has one.
CREATE VIEW emit_event AS
    SELECT NULL AS type, NULL AS waba_id, NULL AS data, NULL AS at;

CREATE TRIGGER emit_event_insert INSTEAD OF INSERT ON emit_event BEGIN
    INSERT INTO waba_event_state (waba_id, seq)
         SELECT new.waba_id, 1 WHERE new.waba_id IS NOT NULL
        ON CONFLICT (waba_id) DO UPDATE SET seq = seq + 1;
    INSERT INTO events (public_id, type, waba_id, waba_seq, data, occurred_at)
         VALUES ('evt_' || lower(hex(randomblob(16))), new.type, new.waba_id,
                 (SELECT seq FROM waba_event_state WHERE waba_id = new.waba_id),
                 new.data, new.at);
END;

-- What "ready" means for waba.ready: Meta confirmed the terms, a number is registered, the
-- business token is held, and the account is neither restricted nor disconnected.
CREATE VIEW waba_readiness AS
    SELECT w.id AS waba_id,
           (w.mm_terms_signed_at IS NOT NULL OR w.onboarding_status = 'ONBOARDED')
           AND EXISTS (SELECT 1 FROM phone_numbers p WHERE p.waba_id = w.id AND p.registered)
           AND EXISTS (SELECT 1 FROM encrypted_secrets e
                        WHERE e.owner_kind = 'waba' AND e.owner_id = w.meta_waba_id
                          AND e.purpose = 'business_token')
           AND (w.account_health IS NULL OR w.account_health = 'active')
           AND (w.connection_state IS NULL OR w.connection_state IN ('shared', 'connected'))
           AS ready
      FROM wabas w;

-- check_waba_ready: INSERT INTO check_waba_ready (waba_id, at) announces waba.ready when the
-- WABA became ready, and re-arms the announcement when it stopped being ready.
CREATE VIEW check_waba_ready AS SELECT NULL AS waba_id, NULL AS at;

CREATE TRIGGER check_waba_ready_insert INSTEAD OF INSERT ON check_waba_ready BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         SELECT 'waba.ready', w.id,
                json_object('waba_id', w.meta_waba_id,
                            'business_id', (SELECT meta_business_id FROM businesses
                                             WHERE id = w.business_id),
                            'customer_id', w.customer_id),
                new.at
           FROM wabas w JOIN waba_readiness r ON r.waba_id = w.id
          WHERE w.id = new.waba_id AND r.ready
            AND NOT COALESCE((SELECT ready FROM waba_event_state WHERE waba_id = w.id), FALSE);
    UPDATE waba_event_state
       SET ready = (SELECT ready FROM waba_readiness WHERE waba_id = new.waba_id)
     WHERE waba_id = new.waba_id;
END;

-- signup.started / signup.completed / signup.failed
CREATE TRIGGER events_signup_started AFTER INSERT ON signups BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         VALUES ('signup.started', NULL,
                 json_object('signup_id', new.id, 'campaign', new.campaign,
                             'customer_id', new.customer_id, 'signup_link_id', new.link_id,
                             'feature_type', new.feature_type),
                 new.created_at);
END;

CREATE TRIGGER events_signup_completed AFTER UPDATE OF stage ON signups
WHEN new.stage = 'exchanged' AND old.stage IS NOT 'exchanged' BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         VALUES ('signup.completed', new.waba_id,
                 json_object('signup_id', new.id, 'waba_id', new.meta_waba_id,
                             'business_id', new.meta_business_id,
                             'phone_number_id', new.meta_phone_id,
                             'coexistence', json(CASE WHEN new.coexistence THEN 'true'
                                                      ELSE 'false' END),
                             'campaign', new.campaign, 'customer_id', new.customer_id),
                 new.updated_at);
END;

CREATE TRIGGER events_signup_failed AFTER UPDATE OF stage ON signups
WHEN new.stage IN ('failed', 'errored', 'cancelled') AND old.stage IS NOT new.stage BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         VALUES ('signup.failed', new.waba_id,
                 json_object('signup_id', new.id, 'outcome', new.stage, 'error', new.error,
                             'cancel_step', new.cancel_step, 'waba_id', new.meta_waba_id,
                             'campaign', new.campaign, 'customer_id', new.customer_id),
                 new.updated_at);
END;

-- waba.status_changed (onboarding status, connection, health), waba.offboarded,
-- waba.needs_attention (a restriction), and the readiness check.
CREATE TRIGGER events_waba_created AFTER INSERT ON wabas BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         VALUES ('waba.status_changed', new.id,
                 json_object('waba_id', new.meta_waba_id, 'customer_id', new.customer_id,
                             'onboarding_status', new.onboarding_status,
                             'connection_state', new.connection_state,
                             'account_health', new.account_health,
                             'previous', NULL),
                 new.updated_at);
END;

CREATE TRIGGER events_waba_changed
AFTER UPDATE OF onboarding_status, connection_state, account_health ON wabas
WHEN old.onboarding_status IS NOT new.onboarding_status
  OR old.connection_state IS NOT new.connection_state
  OR old.account_health IS NOT new.account_health
BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         VALUES ('waba.status_changed', new.id,
                 json_object('waba_id', new.meta_waba_id, 'customer_id', new.customer_id,
                             'onboarding_status', new.onboarding_status,
                             'connection_state', new.connection_state,
                             'account_health', new.account_health,
                             'previous', json_object(
                                 'onboarding_status', old.onboarding_status,
                                 'connection_state', old.connection_state,
                                 'account_health', old.account_health)),
                 new.updated_at);
    INSERT INTO emit_event (type, waba_id, data, at)
         SELECT 'waba.offboarded', new.id,
                json_object('waba_id', new.meta_waba_id, 'customer_id', new.customer_id,
                            'connection_state', new.connection_state),
                new.updated_at
          WHERE new.connection_state IN ('offboarded', 'removed', 'app_uninstalled', 'deleted')
            AND old.connection_state IS NOT new.connection_state;
    INSERT INTO emit_event (type, waba_id, data, at)
         SELECT 'waba.needs_attention', new.id,
                json_object('waba_id', new.meta_waba_id, 'customer_id', new.customer_id,
                            'reason', 'restricted', 'account_health', new.account_health),
                new.updated_at
          WHERE new.account_health IN ('restricted', 'violation', 'disabled')
            AND old.account_health IS NOT new.account_health;
    INSERT INTO check_waba_ready (waba_id, at) VALUES (new.id, new.updated_at);
END;

CREATE TRIGGER events_waba_terms AFTER UPDATE OF mm_terms_signed_at ON wabas
WHEN old.mm_terms_signed_at IS NOT new.mm_terms_signed_at BEGIN
    INSERT INTO check_waba_ready (waba_id, at) VALUES (new.id, new.updated_at);
END;

-- waba.needs_attention: a pipeline step stopped.
CREATE TRIGGER events_step_failed_insert AFTER INSERT ON onboarding_steps
WHEN new.state = 'failed' BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         SELECT 'waba.needs_attention', w.id,
                json_object('waba_id', w.meta_waba_id, 'customer_id', w.customer_id,
                            'reason', 'step_failed', 'step', new.step, 'detail', new.detail,
                            'error_code', new.error_code),
                new.updated_at
           FROM wabas w WHERE w.id = new.waba_id;
END;

CREATE TRIGGER events_step_failed_update AFTER UPDATE OF state ON onboarding_steps
WHEN new.state = 'failed' AND old.state IS NOT 'failed' BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         SELECT 'waba.needs_attention', w.id,
                json_object('waba_id', w.meta_waba_id, 'customer_id', w.customer_id,
                            'reason', 'step_failed', 'step', new.step, 'detail', new.detail,
                            'error_code', new.error_code),
                new.updated_at
           FROM wabas w WHERE w.id = new.waba_id;
END;

-- Readiness: a number registered, the business token stored.
CREATE TRIGGER events_phone_registered_insert AFTER INSERT ON phone_numbers
WHEN new.registered BEGIN
    INSERT INTO check_waba_ready (waba_id, at) VALUES (new.waba_id, new.updated_at);
END;

CREATE TRIGGER events_phone_registered_update AFTER UPDATE OF registered ON phone_numbers
WHEN old.registered IS NOT new.registered BEGIN
    INSERT INTO check_waba_ready (waba_id, at) VALUES (new.waba_id, new.updated_at);
END;

CREATE TRIGGER events_token_stored AFTER INSERT ON encrypted_secrets
WHEN new.owner_kind = 'waba' AND new.purpose = 'business_token' BEGIN
    INSERT INTO check_waba_ready (waba_id, at)
         SELECT id, new.updated_at FROM wabas WHERE meta_waba_id = new.owner_id;
END;

CREATE TRIGGER events_token_replaced AFTER UPDATE ON encrypted_secrets
WHEN new.owner_kind = 'waba' AND new.purpose = 'business_token' BEGIN
    INSERT INTO check_waba_ready (waba_id, at)
         SELECT id, new.updated_at FROM wabas WHERE meta_waba_id = new.owner_id;
END;

CREATE TRIGGER events_token_removed AFTER DELETE ON encrypted_secrets
WHEN old.owner_kind = 'waba' AND old.purpose = 'business_token' BEGIN
    INSERT INTO check_waba_ready (waba_id, at)
         SELECT id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
           FROM wabas WHERE meta_waba_id = old.owner_id;
END;

-- intent.sent / intent.failed (per business: no WABA sequence).
CREATE TRIGGER events_intent AFTER UPDATE OF state ON intent_requests
WHEN new.state IN ('sent', 'failed') AND old.state IS NOT new.state BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         SELECT 'intent.' || new.state, NULL,
                json_object('business_id', b.meta_business_id, 'request_id', new.request_id,
                            'error', new.error, 'batch', new.batch),
                new.updated_at
           FROM businesses b WHERE b.id = new.business_id;
END;

CREATE TRIGGER events_intent_insert AFTER INSERT ON intent_requests
WHEN new.state IN ('sent', 'failed') BEGIN
    INSERT INTO emit_event (type, waba_id, data, at)
         SELECT 'intent.' || new.state, NULL,
                json_object('business_id', b.meta_business_id, 'request_id', new.request_id,
                            'error', new.error, 'batch', new.batch),
                new.updated_at
           FROM businesses b WHERE b.id = new.business_id;
END;

-- Where events go: the partner's endpoints (Standard Webhooks). events: a JSON array of event
-- types (`waba.ready`, `signup.*`, or `*`). The signing secret is sealed in encrypted_secrets;
-- after a rotation the previous one keeps signing too until previous_secret_until.
-- delivered_through: every event id at or below it was sent, or waits in event_retries.
CREATE TABLE event_endpoints (
    id                    INTEGER PRIMARY KEY AUTOINCREMENT,
    url                   TEXT    NOT NULL,
    events                TEXT    NOT NULL,
    state                 TEXT    NOT NULL DEFAULT 'active',
    delivered_through     INTEGER NOT NULL,
    delivered             INTEGER NOT NULL DEFAULT 0,
    failed_attempts       INTEGER NOT NULL DEFAULT 0,
    last_error            TEXT,
    last_success_at       INTEGER,
    last_lag_ms           INTEGER,
    paused_reason         TEXT,
    previous_secret_until INTEGER,
    leased_by             TEXT,
    leased_until          INTEGER NOT NULL DEFAULT 0,
    created_by            TEXT    NOT NULL,
    created_at            INTEGER NOT NULL,
    deleted_at            INTEGER
);

CREATE TABLE event_retries (
    endpoint_id     INTEGER NOT NULL REFERENCES event_endpoints(id),
    event_id        INTEGER NOT NULL REFERENCES events(id),
    attempts        INTEGER NOT NULL,
    first_failed_at INTEGER NOT NULL,
    next_at         INTEGER NOT NULL,
    last_error      TEXT    NOT NULL,
    PRIMARY KEY (endpoint_id, event_id)
);
CREATE INDEX event_retries_due ON event_retries (endpoint_id, next_at);

-- The delivery log: one row per attempt (error NULL: the endpoint answered 2xx).
CREATE TABLE event_deliveries (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    endpoint_id  INTEGER NOT NULL REFERENCES event_endpoints(id),
    event_id     INTEGER NOT NULL REFERENCES events(id),
    attempted_at INTEGER NOT NULL,
    error        TEXT
);
CREATE INDEX event_deliveries_by_endpoint ON event_deliveries (endpoint_id, id);
