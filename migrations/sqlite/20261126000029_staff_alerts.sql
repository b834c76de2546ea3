-- Mail alerts to partner staff (docs/MAIL.md): on for everyone until they turn them off on
-- My account. Only admins and operators get them (viewers change nothing).
ALTER TABLE staff_users ADD COLUMN mail_alerts BOOLEAN NOT NULL DEFAULT TRUE;
