-- Companies, offices, users and the audit trail. The same tables and columns
-- as the SQLite store's 0001_init.sql: instants are Unix nanoseconds in
-- BIGINT, booleans are 0/1 in INTEGER, so the shared row mapping serves both.
-- Ids and other sort keys use the "C" collation so that ORDER BY and paging
-- compare bytes, as SQLite does, whatever the database's default collation.
CREATE TABLE companies (
    id   TEXT COLLATE "C" PRIMARY KEY,
    name TEXT NOT NULL,
    tier TEXT NOT NULL
);

CREATE TABLE offices (
    id          TEXT COLLATE "C" PRIMARY KEY,
    company_id  TEXT COLLATE "C" NOT NULL REFERENCES companies (id),
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    price_level TEXT NOT NULL
);
CREATE INDEX offices_company ON offices (company_id, id);

CREATE TABLE users (
    id             TEXT COLLATE "C" PRIMARY KEY,
    company_id     TEXT COLLATE "C" NOT NULL REFERENCES companies (id),
    office_id      TEXT COLLATE "C" NOT NULL REFERENCES offices (id),
    parent_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    extension      TEXT COLLATE "C" NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    email          TEXT COLLATE "C" NOT NULL,
    username       TEXT NOT NULL,
    password_hash  TEXT NOT NULL,
    pin_hash       TEXT NOT NULL,
    devices        TEXT NOT NULL,
    settings       TEXT NOT NULL,
    admin          INTEGER NOT NULL,
    analytics      INTEGER NOT NULL,
    billing        TEXT NOT NULL,
    state          TEXT NOT NULL,
    suspended_from TEXT NOT NULL,
    deleted_from   TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    updated_at     BIGINT NOT NULL,
    deleted_at     BIGINT NOT NULL,
    restore_until  BIGINT NOT NULL,
    purge_by       BIGINT NOT NULL,
    held_at_deletion TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (company_id, email) WHERE email <> '';
CREATE UNIQUE INDEX users_extension ON users (company_id, extension) WHERE state <> 'anonymized';
CREATE INDEX users_office ON users (office_id, id);
CREATE INDEX users_company ON users (company_id, id);
CREATE INDEX users_deleted_due ON users (restore_until, id) WHERE state = 'deleted';

CREATE TABLE audit (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at           BIGINT NOT NULL,
    company_id   TEXT COLLATE "C" NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    on_behalf_of TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT COLLATE "C" NOT NULL,
    user_id      TEXT COLLATE "C" NOT NULL,
    from_state   TEXT NOT NULL,
    to_state     TEXT NOT NULL,
    detail       TEXT NOT NULL,
    personal     TEXT NOT NULL
);
CREATE INDEX audit_user ON audit (user_id, id);
CREATE INDEX audit_company ON audit (company_id, id);
CREATE INDEX audit_target ON audit (target_id, id);
