-- A failed delivery's last_error is free text from the host (a bounce may
-- name the address it bounced), so anonymization empties it on every event
-- about the user. This index finds those events without scanning the whole
-- outbox, which only grows; it holds only events that failed.
CREATE INDEX outbox_failed_subject ON outbox (subject_id) WHERE last_error <> '';
