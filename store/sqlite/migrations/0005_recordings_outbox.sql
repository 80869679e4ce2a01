-- Call recording (plans, retention settings, recordings' metadata, legal
-- holds) and the transactional outbox. No column here holds personal data:
-- ids, numbers, instants, durations, and a hold's reasons, which an admin
-- types to say why the hold exists, not who anyone is. Instants are Unix
-- nanoseconds, 0 when unset; durations are nanoseconds; an empty id is
-- unset.

-- A user's plan. The users row outlives anonymization, so the foreign key
-- never blocks an erasure.
CREATE TABLE recording_plans (
    user_id      TEXT PRIMARY KEY REFERENCES users (id),
    company_id   TEXT NOT NULL REFERENCES companies (id),
    recording    INTEGER NOT NULL,
    billed       INTEGER NOT NULL,
    retention_ns INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Retention periods of companies (their default) and offices; scope_id is
-- either kind of id.
CREATE TABLE recording_retention (
    scope_id   TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id),
    period_ns  INTEGER NOT NULL
);

-- Recordings belong to the company; owner_id stays when its user is
-- anonymized (the users row is kept), and names no one then.
CREATE TABLE recordings (
    id            TEXT PRIMARY KEY,
    company_id    TEXT NOT NULL REFERENCES companies (id),
    owner_id      TEXT NOT NULL REFERENCES users (id),
    office_id     TEXT NOT NULL REFERENCES offices (id),
    number        TEXT NOT NULL,
    started_at    INTEGER NOT NULL,
    duration_ns   INTEGER NOT NULL,
    registered_at INTEGER NOT NULL,
    retain_until  INTEGER NOT NULL
);
CREATE INDEX recordings_company ON recordings (company_id, started_at, id);
CREATE INDEX recordings_owner ON recordings (owner_id, started_at, id);
CREATE INDEX recordings_due ON recordings (retain_until, id);

-- Legal holds, active while released_at = 0. recording_id and user_id have
-- no foreign key: either is empty when unset, and a released hold remains a
-- record after its recording is deleted.
CREATE TABLE legal_holds (
    id             TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies (id),
    recording_id   TEXT NOT NULL,
    user_id        TEXT NOT NULL,
    reason         TEXT NOT NULL,
    placed_by      TEXT NOT NULL,
    placed_at      INTEGER NOT NULL,
    released_at    INTEGER NOT NULL,
    released_by    TEXT NOT NULL,
    release_reason TEXT NOT NULL
);
CREATE INDEX legal_holds_recording ON legal_holds (recording_id) WHERE released_at = 0;
CREATE INDEX legal_holds_user ON legal_holds (user_id) WHERE released_at = 0;
CREATE INDEX legal_holds_company ON legal_holds (company_id, id);

-- The outbox. id is the event's key (consumers deduplicate on it); seq is
-- the append order claims follow (AUTOINCREMENT: never reused). No foreign
-- key: an event is a queue entry, not part of the company's data.
CREATE TABLE outbox (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    company_id  TEXT NOT NULL,
    kind        TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    attempts    INTEGER NOT NULL,
    lease_until INTEGER NOT NULL,
    lease_token TEXT NOT NULL,
    acked_at    INTEGER NOT NULL,
    dead_at     INTEGER NOT NULL,
    last_error  TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE acked_at = 0 AND dead_at = 0;
CREATE INDEX outbox_dead ON outbox (company_id, id) WHERE dead_at <> 0;
