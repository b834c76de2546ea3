-- Mail to business admins (docs/MAIL.md). The signup keeps the admin's optional email, the
-- page's language and whether they unsubscribed. Each mail is a row of the outbox, queued
-- with its `mail.send` job in one transaction and sent by the job workers; `dedupe_key`
-- (kind, signup, day) makes a second queueing of the same mail a no-op, so a kind reaches an
-- admin at most once a day. `mail_cursor` is how far the mail notifier has read the portal
-- events (a lease keeps one instance reading at a time).
ALTER TABLE signups ADD COLUMN admin_email TEXT;
ALTER TABLE signups ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE signups ADD COLUMN mail_unsubscribed_at BIGINT;

CREATE TABLE mail_outbox (
    id          BIGSERIAL PRIMARY KEY,
    kind        TEXT    NOT NULL,
    signup_id   BIGINT REFERENCES signups(id),
    recipient   TEXT    NOT NULL,
    lang        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    text_body   TEXT    NOT NULL,
    html_body   TEXT    NOT NULL,
    dedupe_key  TEXT    NOT NULL UNIQUE,
    state       TEXT    NOT NULL DEFAULT 'queued',
    attempts    BIGINT NOT NULL DEFAULT 0,
    error       TEXT,
    created_at  BIGINT NOT NULL,
    sent_at     BIGINT
);
CREATE INDEX mail_outbox_by_signup ON mail_outbox (signup_id);

CREATE TABLE mail_cursor (
    id            BIGINT PRIMARY KEY CHECK (id = 1),
    last_event_id BIGINT NOT NULL,
    leased_by     TEXT,
    leased_until  BIGINT NOT NULL DEFAULT 0
);
-- Mail starts with what happens from now on: no mail for events before the upgrade.
INSERT INTO mail_cursor (id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;
