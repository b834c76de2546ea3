-- Each WABA's message templates (docs/meta/templates.md), as `GET /{WABA}/message_templates`
-- lists them and the `message_template_status_update` / `template_category_update` webhooks
-- change them; keyed by Meta's template id (names repeat across languages). `ready_at`: when
-- a marketing template is usable through the MM API (Meta: up to 10 minutes of ad sync after
-- it is created or approved). `correct_category` / `category_changes_at`: an impending
-- recategorisation Meta announced. wabas.templates_synced_at: the last complete listing.
CREATE TABLE message_templates (
    id                  BIGSERIAL PRIMARY KEY,
    waba_id             BIGINT  NOT NULL REFERENCES wabas(id),
    meta_template_id    TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    language            TEXT    NOT NULL,
    category            TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    correct_category    TEXT,
    category_changes_at BIGINT,
    first_seen_at       BIGINT  NOT NULL,
    ready_at            BIGINT  NOT NULL,
    updated_at          BIGINT  NOT NULL,
    UNIQUE (waba_id, meta_template_id)
);
ALTER TABLE wabas ADD COLUMN templates_synced_at BIGINT;

-- The live feed: templates are shown on their WABA's page.
CREATE OR REPLACE FUNCTION live_change() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_topic TEXT;
BEGIN
    -- IF branches, not one CASE: NEW has only its own table's columns.
    IF TG_TABLE_NAME = 'wabas' THEN
        v_topic := 'waba:' || NEW.id;
    ELSIF TG_TABLE_NAME IN ('onboarding_steps', 'phone_numbers', 'timeline_events',
                            'message_templates') THEN
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
CREATE TRIGGER live_templates AFTER INSERT OR UPDATE ON message_templates
    FOR EACH ROW EXECUTE FUNCTION live_change();
