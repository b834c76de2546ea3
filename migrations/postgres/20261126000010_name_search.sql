-- Substring search over WABA and business names without scanning every row (postgres
-- dialect; the sqlite file reaches the same end with an FTS5 trigram table). pg_trgm's GIN
-- indexes answer LOWER(name) LIKE '%text%'. pg_trgm is a trusted extension (PostgreSQL 13+):
-- a database owner may create it. Where it cannot be created, the migration still succeeds
-- and name search scans, as before; a NOTICE says why.
DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm unavailable (%): name search will scan; run CREATE EXTENSION pg_trgm as the database owner to index it', SQLERRM;
END $$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        CREATE INDEX wabas_name_trgm_idx ON wabas USING gin (LOWER(name) gin_trgm_ops);
        CREATE INDEX businesses_name_trgm_idx ON businesses USING gin (LOWER(name) gin_trgm_ops);
    END IF;
END $$;
