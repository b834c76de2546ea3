-- The Intent API candidates (ELIGIBLE WABAs' businesses) read from one index (sqlite dialect; kept
-- in step with the other dialect's file): see `intent_candidate_filter!` in src/db/mod.rs.
CREATE INDEX wabas_status_business_idx ON wabas (onboarding_status, business_id);
