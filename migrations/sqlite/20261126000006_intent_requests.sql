-- Intent API requests (onboard_partners_to_mm_lite), one per end business (sqlite dialect; kept in
-- step with the other dialect's file). state: queued | sent | failed | cancelled.
-- batch names the staff action that queued it (for progress and cancelling).
CREATE TABLE intent_requests (
    business_id INTEGER PRIMARY KEY REFERENCES businesses(id),
    batch       TEXT    NOT NULL,
    state       TEXT    NOT NULL,
    request_id  TEXT,
    error       TEXT,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX intent_requests_batch_idx ON intent_requests (batch, state);
