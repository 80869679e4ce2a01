-- Companies, offices, users and the audit trail.
CREATE TABLE companies (
    id   TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    tier TEXT NOT NULL
);

CREATE TABLE offices (
    id          TEXT PRIMARY KEY,
    company_id  TEXT NOT NULL REFERENCES companies (id),
    name        TEXT NOT NULL,
    country     TEXT NOT NULL,
    price_level TEXT NOT NULL
);
CREATE INDEX offices_company ON offices (company_id, id);

CREATE TABLE users (
    id             TEXT PRIMARY KEY,
    company_id     TEXT NOT NULL REFERENCES companies (id),
    office_id      TEXT NOT NULL REFERENCES offices (id),
    parent_id      TEXT NOT NULL,
    kind           TEXT NOT NULL,
    extension      TEXT NOT NULL,
    first_name     TEXT NOT NULL,
    last_name      TEXT NOT NULL,
    email          TEXT NOT NULL,
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
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL,
    deleted_at     INTEGER NOT NULL,
    restore_until  INTEGER NOT NULL,
    purge_by       INTEGER NOT NULL,
    held_at_deletion TEXT NOT NULL
);
CREATE UNIQUE INDEX users_email ON users (company_id, email) WHERE email <> '';
CREATE UNIQUE INDEX users_extension ON users (company_id, extension) WHERE state <> 'anonymized';
CREATE INDEX users_office ON users (office_id, id);
CREATE INDEX users_company ON users (company_id, id);
CREATE INDEX users_deleted_due ON users (restore_until, id) WHERE state = 'deleted';

CREATE TABLE audit (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    at           INTEGER NOT NULL,
    company_id   TEXT NOT NULL,
    actor_id     TEXT NOT NULL,
    actor_role   TEXT NOT NULL,
    on_behalf_of TEXT NOT NULL,
    action       TEXT NOT NULL,
    target_kind  TEXT NOT NULL,
    target_id    TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    from_state   TEXT NOT NULL,
    to_state     TEXT NOT NULL,
    detail       TEXT NOT NULL,
    personal     TEXT NOT NULL
);
CREATE INDEX audit_user ON audit (user_id, id);
CREATE INDEX audit_company ON audit (company_id, id);
CREATE INDEX audit_target ON audit (target_id, id);
