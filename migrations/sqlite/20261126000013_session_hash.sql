-- Session ids hashed at rest (sqlite dialect; kept in step with the other dialect's file).
-- The cookie's value is a bearer credential, and it used to be this table's primary key: anyone
-- who read the database (a backup, a copied file) could sign in as any open session. Rows are
-- now keyed by the SHA-256 of the id (64 hex characters, `crate::staff::sessions::stored_key`).
-- Existing rows hold clear ids that cannot be hashed in SQL on both engines, so they are
-- deleted: everyone signed in is signed out once, by this migration, and signs in again.
DELETE FROM staff_sessions;
ALTER TABLE staff_sessions RENAME COLUMN id TO id_hash;
