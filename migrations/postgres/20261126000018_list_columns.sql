-- Each WABA's failed-step count and first phone number kept on its row by triggers, for the
-- WABA lists (staff /wabas, the partner API's GET /api/v1/wabas, issue 17): a page of 100 then
-- reads one row per WABA instead of two correlated subqueries per row, and "needs attention"
-- is a partial index instead of a scan of the failed steps. The columns mean exactly what the
-- subqueries computed: COUNT(*) of the WABA's steps in state 'failed', and the
-- display_phone_number of its phone with the lowest id (NULL without a phone).
ALTER TABLE wabas ADD COLUMN failed_steps BIGINT NOT NULL DEFAULT 0;
ALTER TABLE wabas ADD COLUMN first_phone TEXT;

UPDATE wabas w SET
    failed_steps = (SELECT COUNT(*) FROM onboarding_steps s
                     WHERE s.waba_id = w.id AND s.state = 'failed'),
    first_phone = (SELECT p.display_phone_number FROM phone_numbers p
                    WHERE p.waba_id = w.id ORDER BY p.id LIMIT 1);

CREATE INDEX wabas_attention_idx ON wabas (id) WHERE failed_steps > 0;

-- Steps: +1/-1 as a step enters or leaves 'failed' (an upsert's update path fires the UPDATE
-- trigger). Increments, not a recount: under READ COMMITTED a recount would not see another
-- transaction's step committed meanwhile, an increment applies to the row's latest version.
CREATE FUNCTION wabas_count_failed_steps() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        IF OLD.state = 'failed' THEN
            UPDATE wabas SET failed_steps = failed_steps - 1 WHERE id = OLD.waba_id;
        END IF;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        IF NEW.state = 'failed' THEN
            UPDATE wabas SET failed_steps = failed_steps + 1 WHERE id = NEW.waba_id;
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER wabas_failed_steps_insert AFTER INSERT ON onboarding_steps
    FOR EACH ROW WHEN (NEW.state = 'failed')
    EXECUTE FUNCTION wabas_count_failed_steps();

CREATE TRIGGER wabas_failed_steps_update AFTER UPDATE OF state, waba_id ON onboarding_steps
    FOR EACH ROW WHEN ((OLD.state = 'failed') IS DISTINCT FROM (NEW.state = 'failed')
                       OR OLD.waba_id IS DISTINCT FROM NEW.waba_id)
    EXECUTE FUNCTION wabas_count_failed_steps();

CREATE TRIGGER wabas_failed_steps_delete AFTER DELETE ON onboarding_steps
    FOR EACH ROW WHEN (OLD.state = 'failed')
    EXECUTE FUNCTION wabas_count_failed_steps();

-- Phones: the first one's number, again when a phone is added, renumbered, moved or removed.
-- The WABA's row is locked first, so the recount (a new snapshot per statement) sees a phone
-- another transaction committed while this one waited.
CREATE FUNCTION wabas_set_first_phone(target BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM 1 FROM wabas WHERE id = target FOR UPDATE;
    UPDATE wabas w SET first_phone = (SELECT p.display_phone_number FROM phone_numbers p
                                       WHERE p.waba_id = w.id ORDER BY p.id LIMIT 1)
     WHERE w.id = target;
END $$;

CREATE FUNCTION wabas_first_phone() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM wabas_set_first_phone(NEW.waba_id);
    ELSIF TG_OP = 'DELETE' THEN
        PERFORM wabas_set_first_phone(OLD.waba_id);
    ELSE
        PERFORM wabas_set_first_phone(OLD.waba_id);
        IF NEW.waba_id <> OLD.waba_id THEN
            PERFORM wabas_set_first_phone(NEW.waba_id);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER wabas_first_phone_insert AFTER INSERT ON phone_numbers
    FOR EACH ROW EXECUTE FUNCTION wabas_first_phone();

CREATE TRIGGER wabas_first_phone_update
    AFTER UPDATE OF display_phone_number, waba_id ON phone_numbers
    FOR EACH ROW WHEN (OLD.display_phone_number IS DISTINCT FROM NEW.display_phone_number
                       OR OLD.waba_id IS DISTINCT FROM NEW.waba_id)
    EXECUTE FUNCTION wabas_first_phone();

CREATE TRIGGER wabas_first_phone_delete AFTER DELETE ON phone_numbers
    FOR EACH ROW EXECUTE FUNCTION wabas_first_phone();
