-- Each WABA's message templates (docs/meta/templates.md), as `GET /{WABA}/message_templates`
-- lists them and the `message_template_status_update` / `template_category_update` webhooks
-- change them; keyed by Meta's template id (names repeat across languages). `ready_at`: when
-- a marketing template is usable through the MM API (Meta: up to 10 minutes of ad sync after
-- it is created or approved). `correct_category` / `category_changes_at`: an impending
-- recategorisation Meta announced. wabas.templates_synced_at: the last complete listing.
CREATE TABLE message_templates (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    waba_id             INTEGER NOT NULL REFERENCES wabas(id),
    meta_template_id    TEXT    NOT NULL,
    name                TEXT    NOT NULL,
    language            TEXT    NOT NULL,
    category            TEXT    NOT NULL,
    status              TEXT    NOT NULL,
    correct_category    TEXT,
    category_changes_at INTEGER,
    first_seen_at       INTEGER NOT NULL,
    ready_at            INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    UNIQUE (waba_id, meta_template_id)
);
ALTER TABLE wabas ADD COLUMN templates_synced_at INTEGER;

CREATE TRIGGER live_templates_insert AFTER INSERT ON message_templates BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_templates_update AFTER UPDATE ON message_templates BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
