-- Coexistence onboarding (docs/meta/coexistence-sync.md): after a WhatsApp Business app
-- number is onboarded the partner has 24 hours to ask Meta, once each, for the app's contacts
-- (`smb_app_data` with `smb_app_state_sync`) and its chat history (`history`). One row per
-- WABA: when the window started (the pipeline's sync step first ran), each request's id, and
-- what came back as webhooks (`smb_app_state_sync`, `history` with its progress or the
-- 2593109 refusal, `smb_message_echoes`), counted for staff.
CREATE TABLE coexistence_syncs (
    waba_id               BIGINT PRIMARY KEY REFERENCES wabas(id),
    started_at            BIGINT,
    contacts_request_id   TEXT,
    contacts_requested_at BIGINT,
    history_request_id    TEXT,
    history_requested_at  BIGINT,
    contact_webhooks      BIGINT NOT NULL DEFAULT 0,
    contacts              BIGINT NOT NULL DEFAULT 0,
    history_webhooks      BIGINT NOT NULL DEFAULT 0,
    history_messages      BIGINT NOT NULL DEFAULT 0,
    history_progress      BIGINT,
    history_error         TEXT,
    echoes                BIGINT NOT NULL DEFAULT 0,
    updated_at            BIGINT NOT NULL
);

-- The live feed: the sync is shown on its WABA's page.
CREATE OR REPLACE FUNCTION live_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_topic TEXT;
BEGIN
    -- IF branches, not one CASE: NEW has only its own table's columns.
    IF TG_TABLE_NAME = 'wabas' THEN
        v_topic := 'waba:' || NEW.id;
    ELSIF TG_TABLE_NAME IN ('onboarding_steps', 'phone_numbers', 'timeline_events',
                            'message_templates', 'coexistence_syncs') THEN
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
CREATE TRIGGER live_coexistence AFTER INSERT OR UPDATE ON coexistence_syncs
    FOR EACH ROW EXECUTE FUNCTION live_change();
