-- Live updates (docs/LIVE.md): every change a page shows leaves a row here, written by
-- triggers in the change's own transaction, and a NOTIFY on mm_live (delivered at commit;
-- the empty payload lets PostgreSQL fold a transaction's notifications into one). Each portal
-- instance LISTENs, reads new rows once for all its open pages and pushes them over
-- Server-Sent Events. Rows are pruned after 2 minutes.
CREATE TABLE live_changes (
    id    BIGSERIAL PRIMARY KEY,
    topic TEXT   NOT NULL,
    at    BIGINT NOT NULL
);
CREATE INDEX live_changes_at ON live_changes (at);

CREATE FUNCTION live_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_topic TEXT;
BEGIN
    -- IF branches, not one CASE: NEW has only its own table's columns.
    IF TG_TABLE_NAME = 'wabas' THEN
        v_topic := 'waba:' || NEW.id;
    ELSIF TG_TABLE_NAME IN ('onboarding_steps', 'phone_numbers', 'timeline_events') THEN
        IF NEW.waba_id IS NULL THEN
            RETURN NULL;
        END IF;
        v_topic := 'waba:' || NEW.waba_id;
    ELSIF TG_TABLE_NAME = 'message_metrics_daily' THEN
        -- Keyed by Meta's WABA id; no WABA row, no topic.
        SELECT 'waba:' || id INTO v_topic FROM wabas WHERE meta_waba_id = NEW.meta_waba_id;
        IF v_topic IS NULL THEN
            RETURN NULL;
        END IF;
    ELSIF TG_TABLE_NAME = 'signups' THEN
        v_topic := 'signup:' || NEW.id;
    ELSIF TG_TABLE_NAME = 'intent_requests' THEN
        v_topic := 'intent:' || NEW.batch;
    ELSE
        v_topic := 'inbox';
    END IF;
    INSERT INTO live_changes (topic, at)
    VALUES (v_topic, (extract(epoch FROM clock_timestamp()) * 1000)::BIGINT);
    PERFORM pg_notify('mm_live', '');
    RETURN NULL;
END;
$$;

CREATE TRIGGER live_wabas AFTER INSERT OR UPDATE ON wabas
    FOR EACH ROW EXECUTE FUNCTION live_change();
CREATE TRIGGER live_steps AFTER INSERT OR UPDATE ON onboarding_steps
    FOR EACH ROW EXECUTE FUNCTION live_change();
CREATE TRIGGER live_phones AFTER INSERT OR UPDATE ON phone_numbers
    FOR EACH ROW EXECUTE FUNCTION live_change();
CREATE TRIGGER live_timeline AFTER INSERT ON timeline_events
    FOR EACH ROW EXECUTE FUNCTION live_change();
CREATE TRIGGER live_metrics AFTER INSERT OR UPDATE ON message_metrics_daily
    FOR EACH ROW EXECUTE FUNCTION live_change();
CREATE TRIGGER live_signups AFTER INSERT OR UPDATE ON signups
    FOR EACH ROW EXECUTE FUNCTION live_change();
CREATE TRIGGER live_intents AFTER INSERT OR UPDATE ON intent_requests
    FOR EACH ROW EXECUTE FUNCTION live_change();
CREATE TRIGGER live_inbox_parked AFTER UPDATE OF state ON webhook_inbox
    FOR EACH ROW WHEN ((OLD.state = 'parked') IS DISTINCT FROM (NEW.state = 'parked'))
    EXECUTE FUNCTION live_change();
