-- Each WABA's failed-step count and first phone number kept on its row by triggers, for the
-- WABA lists (staff /wabas, the partner API's GET /api/v1/wabas, issue 17): a page of 100 then
-- reads one row per WABA instead of two correlated subqueries per row, and "needs attention"
-- is a partial index instead of a scan of the failed steps. The columns mean exactly what the
-- subqueries computed: COUNT(*) of the WABA's steps in state 'failed', and the
-- display_phone_number of its phone with the lowest id (NULL without a phone).
ALTER TABLE wabas ADD COLUMN failed_steps INTEGER NOT NULL DEFAULT 0;
ALTER TABLE wabas ADD COLUMN first_phone TEXT;

UPDATE wabas SET
    failed_steps = (SELECT COUNT(*) FROM onboarding_steps s
                     WHERE s.waba_id = wabas.id AND s.state = 'failed'),
    first_phone = (SELECT p.display_phone_number FROM phone_numbers p
                    WHERE p.waba_id = wabas.id ORDER BY p.id LIMIT 1);

CREATE INDEX wabas_attention_idx ON wabas (id) WHERE failed_steps > 0;

-- Steps: counted when they enter or leave 'failed' (an upsert's update path fires the UPDATE
-- trigger). One writer at a time, so a recount is exact.
CREATE TRIGGER wabas_failed_steps_insert AFTER INSERT ON onboarding_steps
WHEN new.state = 'failed' BEGIN
    UPDATE wabas SET failed_steps = (SELECT COUNT(*) FROM onboarding_steps s
                                      WHERE s.waba_id = wabas.id AND s.state = 'failed')
     WHERE id = new.waba_id;
END;

CREATE TRIGGER wabas_failed_steps_update AFTER UPDATE OF state, waba_id ON onboarding_steps
WHEN (old.state = 'failed') IS NOT (new.state = 'failed') OR old.waba_id IS NOT new.waba_id
BEGIN
    UPDATE wabas SET failed_steps = (SELECT COUNT(*) FROM onboarding_steps s
                                      WHERE s.waba_id = wabas.id AND s.state = 'failed')
     WHERE id IN (old.waba_id, new.waba_id);
END;

CREATE TRIGGER wabas_failed_steps_delete AFTER DELETE ON onboarding_steps
WHEN old.state = 'failed' BEGIN
    UPDATE wabas SET failed_steps = (SELECT COUNT(*) FROM onboarding_steps s
                                      WHERE s.waba_id = wabas.id AND s.state = 'failed')
     WHERE id = old.waba_id;
END;

-- Phones: the first one's number, again when a phone is added, renumbered, moved or removed.
CREATE TRIGGER wabas_first_phone_insert AFTER INSERT ON phone_numbers BEGIN
    UPDATE wabas SET first_phone = (SELECT p.display_phone_number FROM phone_numbers p
                                     WHERE p.waba_id = wabas.id ORDER BY p.id LIMIT 1)
     WHERE id = new.waba_id;
END;

CREATE TRIGGER wabas_first_phone_update
AFTER UPDATE OF display_phone_number, waba_id ON phone_numbers
WHEN old.display_phone_number IS NOT new.display_phone_number OR old.waba_id IS NOT new.waba_id
BEGIN
    UPDATE wabas SET first_phone = (SELECT p.display_phone_number FROM phone_numbers p
                                     WHERE p.waba_id = wabas.id ORDER BY p.id LIMIT 1)
     WHERE id IN (old.waba_id, new.waba_id);
END;

CREATE TRIGGER wabas_first_phone_delete AFTER DELETE ON phone_numbers BEGIN
    UPDATE wabas SET first_phone = (SELECT p.display_phone_number FROM phone_numbers p
                                     WHERE p.waba_id = wabas.id ORDER BY p.id LIMIT 1)
     WHERE id = old.waba_id;
END;
