-- Phone numbers, license pools and the licenses users hold; the same tables
-- and constraints as the SQLite store's 0002_numbers_licenses.sql.
CREATE TABLE numbers (
    e164           TEXT COLLATE "C" PRIMARY KEY,
    kind           TEXT NOT NULL,
    country        TEXT NOT NULL,
    office_id      TEXT COLLATE "C" NOT NULL REFERENCES offices (id),
    status         TEXT NOT NULL,
    holder_id      TEXT COLLATE "C" NOT NULL,
    last_holder_id TEXT COLLATE "C" NOT NULL,
    last_office_id TEXT COLLATE "C" NOT NULL,
    reserved_at    BIGINT NOT NULL,
    CHECK ((status = 'assigned') = (holder_id <> ''))
);
CREATE INDEX numbers_office ON numbers (office_id, status, e164);
CREATE INDEX numbers_holder ON numbers (holder_id) WHERE holder_id <> '';
CREATE INDEX numbers_last_holder ON numbers (last_holder_id) WHERE last_holder_id <> '';

CREATE TABLE license_pools (
    office_id TEXT COLLATE "C" NOT NULL REFERENCES offices (id),
    type      TEXT COLLATE "C" NOT NULL,
    total     INTEGER NOT NULL,
    assigned  INTEGER NOT NULL,
    PRIMARY KEY (office_id, type),
    CHECK (assigned >= 0 AND assigned <= total)
);

CREATE TABLE user_licenses (
    user_id TEXT COLLATE "C" NOT NULL REFERENCES users (id),
    type    TEXT COLLATE "C" NOT NULL,
    PRIMARY KEY (user_id, type)
);
