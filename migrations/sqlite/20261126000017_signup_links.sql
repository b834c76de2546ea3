-- Signup links the partner makes for one customer (sqlite dialect; kept in step with the other
-- dialect's file). token: the unguessable part of the link's address (/signup/link/<token>).
-- customer_id: the partner's own id for the customer, carried onto the signups it starts and
-- the WABA it connects. prefill: Meta's Embedded Signup `extras.setup` (business, phone) as
-- validated JSON. single_use: only one signup through the link may complete its code exchange
-- (used_at marks it). expires_at / revoked_at end the link for new visits.
CREATE TABLE signup_links (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    token       TEXT    NOT NULL UNIQUE,
    customer_id TEXT,
    campaign    TEXT,
    prefill     TEXT,
    single_use  BOOLEAN NOT NULL DEFAULT TRUE,
    expires_at  INTEGER,
    revoked_at  INTEGER,
    used_at     INTEGER,
    created_by  TEXT    NOT NULL,
    created_at  INTEGER NOT NULL
);
CREATE INDEX signup_links_by_customer ON signup_links (customer_id, id);
-- The funnel remembers the link and the customer of every signup started through one.
ALTER TABLE signups ADD COLUMN link_id INTEGER REFERENCES signup_links(id);
ALTER TABLE signups ADD COLUMN customer_id TEXT;
CREATE INDEX signups_by_link ON signups (link_id);
-- So does the WABA a link's signup connected (the latest link wins).
ALTER TABLE wabas ADD COLUMN customer_id TEXT;
ALTER TABLE wabas ADD COLUMN signup_link_id INTEGER REFERENCES signup_links(id);
CREATE INDEX wabas_by_customer ON wabas (customer_id);
