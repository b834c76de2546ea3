-- Mail to business admins (docs/MAIL.md). The signup keeps the admin's optional email, the
-- page's language and whether they unsubscribed. Each mail is a row of the outbox, queued
-- with its `mail.send` job in one transaction and sent by the job workers; `dedupe_key`
-- (kind, signup, day) makes a second queueing of the same mail a no-op, so a kind reaches an
-- admin at most once a day. `mail_cursor` is how far the mail notifier has read the portal
-- events (a lease keeps one instance reading at a time).
ALTER TABLE signups ADD COLUMN admin_email TEXT;
ALTER TABLE signups ADD COLUMN lang TEXT NOT NULL DEFAULT 'en';
ALTER TABLE signups ADD COLUMN mail_unsubscribed_at INTEGER;

CREATE TABLE mail_outbox (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    kind        TEXT    NOT NULL,
    signup_id   INTEGER REFERENCES signups(id),
    recipient   TEXT    NOT NULL,
    lang        TEXT    NOT NULL,
    subject     TEXT    NOT NULL,
    text_body   TEXT    NOT NULL,
    html_body   TEXT    NOT NULL,
    dedupe_key  TEXT    NOT NULL UNIQUE,
    state       TEXT    NOT NULL DEFAULT 'queued',
    attempts    INTEGER NOT NULL DEFAULT 0,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    sent_at     INTEGER
);
CREATE INDEX mail_outbox_by_signup ON mail_outbox (signup_id);

CREATE TABLE mail_cursor (
    id            INTEGER PRIMARY KEY CHECK (id = 1),
    last_event_id INTEGER NOT NULL,
    leased_by     TEXT,
    leased_until  INTEGER NOT NULL DEFAULT 0
);
-- Mail starts with what happens from now on: no mail for events before the upgrade.
INSERT INTO mail_cursor (id, last_event_id) SELECT 1, COALESCE(MAX(id), 0) FROM events;
