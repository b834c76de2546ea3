-- The offboarding and reconnect lifecycle (docs/meta/offboarding.md): a WABA's connection to
-- this partner is one of five words everywhere (list, WABA page, API, status page, events):
-- connected, offboarded, removed, uninstalled, deleted. NULL still reads as connected (a WABA
-- no account_update has spoken of yet). Before this migration PARTNER_ADDED wrote 'shared' and
-- PARTNER_APP_UNINSTALLED 'app_uninstalled'.
--
-- The renaming must not announce a change to the partner's platform (nothing changed for the
-- business), so the trigger that emits waba.status_changed is dropped first and written again
-- afterwards with the new words.
DROP TRIGGER events_waba_changed;

UPDATE wabas SET connection_state = 'connected' WHERE connection_state = 'shared';
UPDATE wabas SET connection_state = 'uninstalled' WHERE connection_state = 'app_uninstalled';

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
          WHERE new.connection_state IN ('offboarded', 'removed', 'uninstalled', 'deleted')
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

DROP VIEW waba_readiness;
CREATE VIEW waba_readiness AS
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
