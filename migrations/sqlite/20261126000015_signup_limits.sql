-- Limits on the public signup server functions (issue 16, item 3), and the clean-up of what
-- browsers sent before them (sqlite dialect; kept in step with the other dialect's file).

-- One rate limit per (kind of call, client address): the GCRA form of a token bucket, where
-- one number says it all. tat ("theoretical arrival time", Unix millis) moves one interval on
-- per admitted call and never lags behind now; a call is refused while tat is more than the
-- burst ahead of now (src/signup/limits.rs). In the database so that every portal instance
-- counts against the same budget. A row whose tat has passed is a full bucket, the same as no
-- row, so such rows are deleted freely (purge).
CREATE TABLE signup_limits (
    key TEXT    NOT NULL PRIMARY KEY,
    tat INTEGER NOT NULL
);
CREATE INDEX signup_limits_tat_idx ON signup_limits (tat);

-- Browser text recorded before events were parsed into a closed set of fields
-- (src/signup/session_info.rs) is dropped: raw payloads, event names outside the set, cancel
-- steps outside Meta's known ones, error messages and ids that are not digits.
DELETE FROM signup_events
 WHERE event NOT IN ('started', 'launched', 'closed_without_code', 'code_received',
                     'exchanged', 'exchange_failed', 'FINISH', 'FINISH_ONLY_WABA',
                     'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING', 'CANCEL', 'ERROR');
UPDATE signup_events SET detail = NULL
 WHERE event IN ('FINISH', 'FINISH_ONLY_WABA', 'FINISH_WHATSAPP_BUSINESS_APP_ONBOARDING',
                 'CANCEL', 'ERROR');
UPDATE signups SET cancel_step = 'UNKNOWN'
 WHERE cancel_step IS NOT NULL
   AND cancel_step NOT IN ('BUSINESS_ACCOUNT_SELECTION', 'WABA_SELECTION', 'PHONE_NUMBER_SETUP',
                           'PHONE_NUMBER_VERIFICATION', 'PERMISSIONS', 'UNKNOWN');
UPDATE signups SET error = 'Meta reported a problem in the signup window.'
 WHERE error LIKE 'Meta reported a problem: %';
UPDATE signups SET meta_business_id = NULL
 WHERE exchange_started_at IS NULL AND meta_business_id GLOB '*[^0-9]*';
UPDATE signups SET meta_waba_id = NULL
 WHERE exchange_started_at IS NULL AND meta_waba_id GLOB '*[^0-9]*';
UPDATE signups SET meta_phone_id = NULL
 WHERE exchange_started_at IS NULL AND meta_phone_id GLOB '*[^0-9]*';
