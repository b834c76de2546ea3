-- Settings staff change at run time (sqlite dialect; kept in step with the other dialect's file).
-- value: JSON. The environment gives the defaults; a row here overrides them.
CREATE TABLE portal_settings (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    updated_by TEXT    NOT NULL,
    updated_at INTEGER NOT NULL
);
