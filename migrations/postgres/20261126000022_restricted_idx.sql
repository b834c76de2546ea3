-- The overview's "restricted accounts" count (account_health set and not 'active') read a
-- partial index instead of scanning every WABA: `bench pages` found the home page's slowest
-- statement was this scan (SCAN wabas at 100,000 WABAs).
CREATE INDEX wabas_restricted_idx ON wabas (id)
    WHERE account_health IS NOT NULL AND account_health <> 'active';
