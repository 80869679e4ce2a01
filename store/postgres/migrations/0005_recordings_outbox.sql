-- Call recording (plans, retention settings, recordings' metadata, legal
-- holds) and the transactional outbox; the same tables, keys and indexes as
-- the SQLite store's 0005_recordings_outbox.sql. No column here holds
-- personal data: ids, numbers, instants, durations, and a hold's reasons,
-- which an admin types to say why the hold exists, not who anyone is.
-- Instants are Unix nanoseconds in BIGINT, 0 when unset; durations are
-- nanoseconds; an empty id is unset.

-- A user's plan. The users row outlives anonymization, so the foreign key
-- never blocks an erasure.
CREATE TABLE recording_plans (
    user_id      TEXT COLLATE "C" PRIMARY KEY REFERENCES users (id),
    company_id   TEXT COLLATE "C" NOT NULL REFERENCES companies (id),
    recording    INTEGER NOT NULL,
    billed       INTEGER NOT NULL,
    retention_ns BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);

-- Retention periods of companies (their default) and offices; scope_id is
-- either kind of id.
CREATE TABLE recording_retention (
    scope_id   TEXT COLLATE "C" PRIMARY KEY,
    company_id TEXT COLLATE "C" NOT NULL REFERENCES companies (id),
    period_ns  BIGINT NOT NULL
);

-- Recordings belong to the company; owner_id stays when its user is
-- anonymized (the users row is kept), and names no one then.
CREATE TABLE recordings (
    id            TEXT COLLATE "C" PRIMARY KEY,
    company_id    TEXT COLLATE "C" NOT NULL REFERENCES companies (id),
    owner_id      TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    office_id     TEXT COLLATE "C" NOT NULL REFERENCES offices (id),
    number        TEXT COLLATE "C" NOT NULL,
    started_at    BIGINT NOT NULL,
    duration_ns   BIGINT NOT NULL,
    registered_at BIGINT NOT NULL,
    retain_until  BIGINT NOT NULL
);
CREATE INDEX recordings_company ON recordings (company_id, started_at, id);
CREATE INDEX recordings_owner ON recordings (owner_id, started_at, id);
CREATE INDEX recordings_due ON recordings (retain_until, id);

-- Legal holds, active while released_at = 0. recording_id and user_id have
-- no foreign key: either is empty when unset, and a released hold remains a
-- record after its recording is deleted.
CREATE TABLE legal_holds (
    id             TEXT COLLATE "C" PRIMARY KEY,
    company_id     TEXT COLLATE "C" NOT NULL REFERENCES companies (id),
    recording_id   TEXT COLLATE "C" NOT NULL,
    user_id        TEXT COLLATE "C" NOT NULL,
    reason         TEXT NOT NULL,
    placed_by      TEXT NOT NULL,
    placed_at      BIGINT NOT NULL,
    released_at    BIGINT NOT NULL,
    released_by    TEXT NOT NULL,
    release_reason TEXT NOT NULL
);
CREATE INDEX legal_holds_recording ON legal_holds (recording_id) WHERE released_at = 0;
CREATE INDEX legal_holds_user ON legal_holds (user_id) WHERE released_at = 0;
CREATE INDEX legal_holds_company ON legal_holds (company_id, id);

-- The outbox. id is the event's key (consumers deduplicate on it); seq is
-- the append order claims follow. An identity may be taken by a transaction
-- that commits after one holding a higher seq, which is why claims never
-- resume from a last-seen seq. No foreign key: an event is a queue entry,
-- not part of the company's data.
CREATE TABLE outbox (
    id          TEXT COLLATE "C" PRIMARY KEY,
    seq         BIGINT GENERATED ALWAYS AS IDENTITY NOT NULL,
    company_id  TEXT COLLATE "C" NOT NULL,
    kind        TEXT NOT NULL,
    subject_id  TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    attempts    INTEGER NOT NULL,
    lease_until BIGINT NOT NULL,
    lease_token TEXT NOT NULL,
    acked_at    BIGINT NOT NULL,
    dead_at     BIGINT NOT NULL,
    last_error  TEXT NOT NULL
);
CREATE INDEX outbox_pending ON outbox (seq) WHERE acked_at = 0 AND dead_at = 0;
CREATE INDEX outbox_dead ON outbox (company_id, id) WHERE dead_at <> 0;
