-- Staff change their own passwords (sqlite dialect; kept in step with the other dialect's file).
-- must_change_password: the password was set by an admin (new account, reset), so its owner is
-- asked to choose their own after signing in; cleared when they do.
-- password_changed_at: Unix millis of the last change (NULL: never changed since the account
-- was made). Sessions remember the value they signed in under; a session whose value no longer
-- matches is signed out, so a change ends every other session even if one is saved again later.
ALTER TABLE staff_users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE staff_users ADD COLUMN password_changed_at INTEGER;
