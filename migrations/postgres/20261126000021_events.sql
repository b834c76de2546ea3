-- Portal events (issue 18): every change the partner's platform cares about, written to an
-- outbox by triggers, so an event exists exactly when the change it reports committed (the
-- trigger runs in the change's own transaction, whichever code path made it). postgres
-- dialect; kept in step with the other dialect's file (there, emit_event and check_waba_ready
-- are views with INSTEAD OF triggers).
--
-- events.public_id: the Standard Webhooks `webhook-id`, stable across resends.
-- waba_id / waba_seq: the portal's WABA and its per-WABA sequence number (1, 2, 3…), so a
-- receiver can restore the order of one WABA's events. data: the event's JSON object; the
-- body sent is {"type", "timestamp", "data"} made from these columns (src/events/mod.rs).
CREATE TABLE events (
    id          BIGSERIAL PRIMARY KEY,
    public_id   TEXT    NOT NULL UNIQUE,
    type        TEXT    NOT NULL,
    waba_id     BIGINT,
    waba_seq    BIGINT,
    data        TEXT    NOT NULL,
    occurred_at BIGINT  NOT NULL
);
CREATE INDEX events_by_waba ON events (waba_id, waba_seq);
CREATE INDEX events_by_time ON events (occurred_at);

-- Per WABA: the last sequence number handed out, and whether waba.ready was announced since
-- the WABA last stopped being ready (so it is announced once per time it becomes ready).
-- Its row is also the WABA's event lock: writers of one WABA's events take turns on it, so the
-- sequence follows commit order and a readiness check sees the other writers' changes.
CREATE TABLE waba_event_state (
    waba_id BIGINT  PRIMARY KEY REFERENCES wabas(id),
    seq     BIGINT  NOT NULL,
    ready   BOOLEAN NOT NULL DEFAULT FALSE
);

CREATE FUNCTION emit_event(p_type TEXT, p_waba BIGINT, p_data JSON, p_at BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_seq BIGINT;
BEGIN
    IF p_waba IS NOT NULL THEN
        INSERT INTO waba_event_state (waba_id, seq) VALUES (p_waba, 1)
            ON CONFLICT (waba_id) DO UPDATE SET seq = waba_event_state.seq + 1
            RETURNING seq INTO v_seq;
    END IF;
    INSERT INTO events (public_id, type, waba_id, waba_seq, data, occurred_at)
         VALUES ('evt_' || replace(gen_random_uuid()::text, '-', ''), p_type, p_waba, v_seq,
                 p_data::text, p_at);
END $$;

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

-- Announces waba.ready when the WABA became ready, and re-arms the announcement when it
-- stopped being ready. The state row is locked first: under READ COMMITTED the readiness read
-- that follows then sees what a concurrent writer of this WABA committed meanwhile.
CREATE FUNCTION check_waba_ready(p_waba BIGINT, p_at BIGINT)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_announced BOOLEAN;
    v_ready BOOLEAN;
BEGIN
    INSERT INTO waba_event_state (waba_id, seq) VALUES (p_waba, 0)
        ON CONFLICT (waba_id) DO NOTHING;
    SELECT ready INTO v_announced FROM waba_event_state WHERE waba_id = p_waba FOR UPDATE;
    SELECT ready INTO v_ready FROM waba_readiness WHERE waba_id = p_waba;
    IF v_ready IS NULL THEN
        RETURN;
    END IF;
    IF v_ready AND NOT v_announced THEN
        PERFORM emit_event('waba.ready', p_waba,
            (SELECT json_build_object('waba_id', w.meta_waba_id,
                                      'business_id', b.meta_business_id,
                                      'customer_id', w.customer_id)
               FROM wabas w JOIN businesses b ON b.id = w.business_id WHERE w.id = p_waba),
            p_at);
    END IF;
    UPDATE waba_event_state SET ready = v_ready WHERE waba_id = p_waba;
END $$;

-- signup.started / signup.completed / signup.failed
CREATE FUNCTION events_signups() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM emit_event('signup.started', NULL,
            json_build_object('signup_id', NEW.id, 'campaign', NEW.campaign,
                              'customer_id', NEW.customer_id, 'signup_link_id', NEW.link_id,
                              'feature_type', NEW.feature_type),
            NEW.created_at);
    ELSIF NEW.stage = 'exchanged' AND OLD.stage IS DISTINCT FROM 'exchanged' THEN
        PERFORM emit_event('signup.completed', NEW.waba_id,
            json_build_object('signup_id', NEW.id, 'waba_id', NEW.meta_waba_id,
                              'business_id', NEW.meta_business_id,
                              'phone_number_id', NEW.meta_phone_id,
                              'coexistence', NEW.coexistence,
                              'campaign', NEW.campaign, 'customer_id', NEW.customer_id),
            NEW.updated_at);
    ELSIF NEW.stage IN ('failed', 'errored', 'cancelled')
          AND OLD.stage IS DISTINCT FROM NEW.stage THEN
        PERFORM emit_event('signup.failed', NEW.waba_id,
            json_build_object('signup_id', NEW.id, 'outcome', NEW.stage, 'error', NEW.error,
                              'cancel_step', NEW.cancel_step, 'waba_id', NEW.meta_waba_id,
                              'campaign', NEW.campaign, 'customer_id', NEW.customer_id),
            NEW.updated_at);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER events_signup_started AFTER INSERT ON signups
    FOR EACH ROW EXECUTE FUNCTION events_signups();
CREATE TRIGGER events_signup_stage AFTER UPDATE OF stage ON signups
    FOR EACH ROW WHEN (OLD.stage IS DISTINCT FROM NEW.stage)
    EXECUTE FUNCTION events_signups();

-- waba.status_changed (onboarding status, connection, health), waba.offboarded,
-- waba.needs_attention (a restriction), and the readiness check.
CREATE FUNCTION events_wabas() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM emit_event('waba.status_changed', NEW.id,
            json_build_object('waba_id', NEW.meta_waba_id, 'customer_id', NEW.customer_id,
                              'onboarding_status', NEW.onboarding_status,
                              'connection_state', NEW.connection_state,
                              'account_health', NEW.account_health,
                              'previous', NULL),
            NEW.updated_at);
        RETURN NULL;
    END IF;
    IF OLD.onboarding_status IS DISTINCT FROM NEW.onboarding_status
       OR OLD.connection_state IS DISTINCT FROM NEW.connection_state
       OR OLD.account_health IS DISTINCT FROM NEW.account_health THEN
        PERFORM emit_event('waba.status_changed', NEW.id,
            json_build_object('waba_id', NEW.meta_waba_id, 'customer_id', NEW.customer_id,
                              'onboarding_status', NEW.onboarding_status,
                              'connection_state', NEW.connection_state,
                              'account_health', NEW.account_health,
                              'previous', json_build_object(
                                  'onboarding_status', OLD.onboarding_status,
                                  'connection_state', OLD.connection_state,
                                  'account_health', OLD.account_health)),
            NEW.updated_at);
    END IF;
    IF NEW.connection_state IN ('offboarded', 'removed', 'app_uninstalled', 'deleted')
       AND OLD.connection_state IS DISTINCT FROM NEW.connection_state THEN
        PERFORM emit_event('waba.offboarded', NEW.id,
            json_build_object('waba_id', NEW.meta_waba_id, 'customer_id', NEW.customer_id,
                              'connection_state', NEW.connection_state),
            NEW.updated_at);
    END IF;
    IF NEW.account_health IN ('restricted', 'violation', 'disabled')
       AND OLD.account_health IS DISTINCT FROM NEW.account_health THEN
        PERFORM emit_event('waba.needs_attention', NEW.id,
            json_build_object('waba_id', NEW.meta_waba_id, 'customer_id', NEW.customer_id,
                              'reason', 'restricted', 'account_health', NEW.account_health),
            NEW.updated_at);
    END IF;
    PERFORM check_waba_ready(NEW.id, NEW.updated_at);
    RETURN NULL;
END $$;

CREATE TRIGGER events_waba_created AFTER INSERT ON wabas
    FOR EACH ROW EXECUTE FUNCTION events_wabas();
CREATE TRIGGER events_waba_changed
    AFTER UPDATE OF onboarding_status, connection_state, account_health, mm_terms_signed_at
    ON wabas FOR EACH ROW
    WHEN (OLD.onboarding_status IS DISTINCT FROM NEW.onboarding_status
          OR OLD.connection_state IS DISTINCT FROM NEW.connection_state
          OR OLD.account_health IS DISTINCT FROM NEW.account_health
          OR OLD.mm_terms_signed_at IS DISTINCT FROM NEW.mm_terms_signed_at)
    EXECUTE FUNCTION events_wabas();

-- waba.needs_attention: a pipeline step stopped.
CREATE FUNCTION events_steps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM emit_event('waba.needs_attention', w.id,
        json_build_object('waba_id', w.meta_waba_id, 'customer_id', w.customer_id,
                          'reason', 'step_failed', 'step', NEW.step, 'detail', NEW.detail,
                          'error_code', NEW.error_code),
        NEW.updated_at)
      FROM wabas w WHERE w.id = NEW.waba_id;
    RETURN NULL;
END $$;

CREATE TRIGGER events_step_failed_insert AFTER INSERT ON onboarding_steps
    FOR EACH ROW WHEN (NEW.state = 'failed') EXECUTE FUNCTION events_steps();
CREATE TRIGGER events_step_failed_update AFTER UPDATE OF state ON onboarding_steps
    FOR EACH ROW WHEN (NEW.state = 'failed' AND OLD.state IS DISTINCT FROM 'failed')
    EXECUTE FUNCTION events_steps();

-- Readiness: a number registered, the business token stored or removed.
CREATE FUNCTION events_phones() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM check_waba_ready(NEW.waba_id, NEW.updated_at);
    RETURN NULL;
END $$;

CREATE TRIGGER events_phone_registered_insert AFTER INSERT ON phone_numbers
    FOR EACH ROW WHEN (NEW.registered) EXECUTE FUNCTION events_phones();
CREATE TRIGGER events_phone_registered_update AFTER UPDATE OF registered ON phone_numbers
    FOR EACH ROW WHEN (OLD.registered IS DISTINCT FROM NEW.registered)
    EXECUTE FUNCTION events_phones();

CREATE FUNCTION events_secrets() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_row encrypted_secrets%ROWTYPE;
    v_at BIGINT;
BEGIN
    IF TG_OP = 'DELETE' THEN
        v_row := OLD;
        v_at := (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT;
    ELSE
        v_row := NEW;
        v_at := NEW.updated_at;
    END IF;
    IF v_row.owner_kind = 'waba' AND v_row.purpose = 'business_token' THEN
        PERFORM check_waba_ready(w.id, v_at) FROM wabas w WHERE w.meta_waba_id = v_row.owner_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER events_token AFTER INSERT OR UPDATE OR DELETE ON encrypted_secrets
    FOR EACH ROW EXECUTE FUNCTION events_secrets();

-- intent.sent / intent.failed (per business: no WABA sequence).
CREATE FUNCTION events_intents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM emit_event('intent.' || NEW.state, NULL,
        json_build_object('business_id', b.meta_business_id, 'request_id', NEW.request_id,
                          'error', NEW.error, 'batch', NEW.batch),
        NEW.updated_at)
      FROM businesses b WHERE b.id = NEW.business_id;
    RETURN NULL;
END $$;

CREATE TRIGGER events_intent_insert AFTER INSERT ON intent_requests
    FOR EACH ROW WHEN (NEW.state IN ('sent', 'failed')) EXECUTE FUNCTION events_intents();
CREATE TRIGGER events_intent AFTER UPDATE OF state ON intent_requests
    FOR EACH ROW WHEN (NEW.state IN ('sent', 'failed') AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION events_intents();

-- Where events go: the partner's endpoints (Standard Webhooks). events: a JSON array of event
-- types (`waba.ready`, `signup.*`, or `*`). The signing secret is sealed in encrypted_secrets;
-- after a rotation the previous one keeps signing too until previous_secret_until.
-- delivered_through: every event id at or below it was sent, or waits in event_retries.
CREATE TABLE event_endpoints (
    id                    BIGSERIAL PRIMARY KEY,
    url                   TEXT    NOT NULL,
    events                TEXT    NOT NULL,
    state                 TEXT    NOT NULL DEFAULT 'active',
    delivered_through     BIGINT  NOT NULL,
    delivered             BIGINT  NOT NULL DEFAULT 0,
    failed_attempts       BIGINT  NOT NULL DEFAULT 0,
    last_error            TEXT,
    last_success_at       BIGINT,
    last_lag_ms           BIGINT,
    paused_reason         TEXT,
    previous_secret_until BIGINT,
    leased_by             TEXT,
    leased_until          BIGINT  NOT NULL DEFAULT 0,
    created_by            TEXT    NOT NULL,
    created_at            BIGINT  NOT NULL,
    deleted_at            BIGINT
);

CREATE TABLE event_retries (
    endpoint_id     BIGINT  NOT NULL REFERENCES event_endpoints(id),
    event_id        BIGINT  NOT NULL REFERENCES events(id),
    attempts        BIGINT  NOT NULL,
    first_failed_at BIGINT  NOT NULL,
    next_at         BIGINT  NOT NULL,
    last_error      TEXT    NOT NULL,
    PRIMARY KEY (endpoint_id, event_id)
);
CREATE INDEX event_retries_due ON event_retries (endpoint_id, next_at);

-- The delivery log: one row per attempt (error NULL: the endpoint answered 2xx).
CREATE TABLE event_deliveries (
    id           BIGSERIAL PRIMARY KEY,
    endpoint_id  BIGINT  NOT NULL REFERENCES event_endpoints(id),
    event_id     BIGINT  NOT NULL REFERENCES events(id),
    attempted_at BIGINT  NOT NULL,
    error        TEXT
);
CREATE INDEX event_deliveries_by_endpoint ON event_deliveries (endpoint_id, id);
