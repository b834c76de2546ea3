-- Coexistence onboarding (docs/meta/coexistence-sync.md): after a WhatsApp Business app
-- number is onboarded the partner has 24 hours to ask Meta, once each, for the app's contacts
-- (`smb_app_data` with `smb_app_state_sync`) and its chat history (`history`). One row per
-- WABA: when the window started (the pipeline's sync step first ran), each request's id, and
-- what came back as webhooks (`smb_app_state_sync`, `history` with its progress or the
-- 2593109 refusal, `smb_message_echoes`), counted for staff.
CREATE TABLE coexistence_syncs (
    waba_id               INTEGER PRIMARY KEY REFERENCES wabas(id),
    started_at            INTEGER,
    contacts_request_id   TEXT,
    contacts_requested_at INTEGER,
    history_request_id    TEXT,
    history_requested_at  INTEGER,
    contact_webhooks      INTEGER NOT NULL DEFAULT 0,
    contacts              INTEGER NOT NULL DEFAULT 0,
    history_webhooks      INTEGER NOT NULL DEFAULT 0,
    history_messages      INTEGER NOT NULL DEFAULT 0,
    history_progress      INTEGER,
    history_error         TEXT,
    echoes                INTEGER NOT NULL DEFAULT 0,
    updated_at            INTEGER NOT NULL
);

CREATE TRIGGER live_coexistence_insert AFTER INSERT ON coexistence_syncs BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_coexistence_update AFTER UPDATE ON coexistence_syncs BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
