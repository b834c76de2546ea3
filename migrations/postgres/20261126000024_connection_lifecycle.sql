-- The offboarding and reconnect lifecycle (docs/meta/offboarding.md): a WABA's connection to
-- this partner is one of five words everywhere (list, WABA page, API, status page, events):
-- connected, offboarded, removed, uninstalled, deleted. NULL still reads as connected (a WABA
-- no account_update has spoken of yet). Before this migration PARTNER_ADDED wrote 'shared' and
-- PARTNER_APP_UNINSTALLED 'app_uninstalled'.
--
-- The renaming must not announce a change to the partner's platform (nothing changed for the
-- business), so the trigger that emits waba.status_changed is off while it runs.
ALTER TABLE wabas DISABLE TRIGGER events_waba_changed;
UPDATE wabas SET connection_state = 'connected' WHERE connection_state = 'shared';
UPDATE wabas SET connection_state = 'uninstalled' WHERE connection_state = 'app_uninstalled';
ALTER TABLE wabas ENABLE TRIGGER events_waba_changed;

CREATE OR REPLACE FUNCTION events_wabas() RETURNS trigger LANGUAGE plpgsql AS $$
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
    IF NEW.connection_state IN ('offboarded', 'removed', 'uninstalled', 'deleted')
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

CREATE OR REPLACE VIEW waba_readiness AS
    SELECT w.id AS waba_id,
           (w.mm_terms_signed_at IS NOT NULL OR w.onboarding_status = 'ONBOARDED')
           AND EXISTS (SELECT 1 FROM phone_numbers p WHERE p.waba_id = w.id AND p.registered)
           AND EXISTS (SELECT 1 FROM encrypted_secrets e
                        WHERE e.owner_kind = 'waba' AND e.owner_id = w.meta_waba_id
                          AND e.purpose = 'business_token')
           AND (w.account_health IS NULL OR w.account_health = 'active')
           AND (w.connection_state IS NULL OR w.connection_state = 'connected')
           AS ready
      FROM wabas w;

-- The list's connection filter: the disconnected words are rare and read through this index;
-- "connected" (nearly every row) is written so that it does not use it and walks the order.
CREATE INDEX wabas_connection_idx ON wabas (connection_state);
