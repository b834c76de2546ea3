-- Live updates (docs/LIVE.md): every change a page shows leaves a row here, written by
-- triggers in the change's own transaction; each portal instance reads new rows once for all
-- its open pages and pushes them over Server-Sent Events. Rows are pruned after 2 minutes.
CREATE TABLE live_changes (
    id    INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT    NOT NULL,
    at    INTEGER NOT NULL
);
CREATE INDEX live_changes_at ON live_changes (at);

CREATE TRIGGER live_wabas_insert AFTER INSERT ON wabas BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_wabas_update AFTER UPDATE ON wabas BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_steps_insert AFTER INSERT ON onboarding_steps BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_steps_update AFTER UPDATE ON onboarding_steps BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_phones_insert AFTER INSERT ON phone_numbers BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_phones_update AFTER UPDATE ON phone_numbers BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_timeline_insert AFTER INSERT ON timeline_events
WHEN new.waba_id IS NOT NULL BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('waba:' || new.waba_id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
-- Daily message metrics are keyed by Meta's WABA id (no row: no topic).
CREATE TRIGGER live_metrics_insert AFTER INSERT ON message_metrics_daily BEGIN
    INSERT INTO live_changes (topic, at)
    SELECT 'waba:' || w.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
      FROM wabas w WHERE w.meta_waba_id = new.meta_waba_id;
END;
CREATE TRIGGER live_metrics_update AFTER UPDATE ON message_metrics_daily BEGIN
    INSERT INTO live_changes (topic, at)
    SELECT 'waba:' || w.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)
      FROM wabas w WHERE w.meta_waba_id = new.meta_waba_id;
END;
CREATE TRIGGER live_signups_insert AFTER INSERT ON signups BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('signup:' || new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_signups_update AFTER UPDATE ON signups BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('signup:' || new.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_intents_insert AFTER INSERT ON intent_requests BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('intent:' || new.batch, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_intents_update AFTER UPDATE ON intent_requests BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('intent:' || new.batch, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
CREATE TRIGGER live_inbox_parked AFTER UPDATE OF state ON webhook_inbox
WHEN (old.state = 'parked') IS NOT (new.state = 'parked') BEGIN
    INSERT INTO live_changes (topic, at)
    VALUES ('inbox', CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
