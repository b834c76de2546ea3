-- Nothing to do on SQLite: the postgres dialect's migration 000011 gives PostgreSQL one
-- indexed search column per WABA; SQLite already answers name searches from the FTS5 trigram
-- table `waba_names` (migration 000010), kept by triggers.
SELECT 1;
