-- Staff sign-in sessions (postgres dialect; kept in step with the other dialect's file).
-- data: the session's key/value map as JSON; expires_at: Unix millis (idle expiry, moved on
-- every save). Rows past expires_at are deleted by a background task.
CREATE TABLE staff_sessions (
    id         TEXT    PRIMARY KEY,
    data       TEXT    NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX staff_sessions_expiry_idx ON staff_sessions (expires_at);
