-- Versions and staged change sets.
--
-- Every user, number and license pool carries a version that each update
-- bumps (the store compares the version the writer read with the stored
-- one, so a write made against an older read fails as stale). Rows that
-- exist when this migration runs start at version 1.
ALTER TABLE users ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE numbers ADD COLUMN version INTEGER NOT NULL DEFAULT 1;
ALTER TABLE license_pools ADD COLUMN version INTEGER NOT NULL DEFAULT 1;

-- A change set is a list of operations an admin staged to confirm later,
-- all at once, or discard. items holds the operations, expect the
-- versions of every object their dry run touched and offices the offices
-- those belong to, all as JSON. A closed set keeps only its items' names.
CREATE TABLE change_sets (
    id         TEXT PRIMARY KEY,
    company_id TEXT NOT NULL REFERENCES companies (id),
    name       TEXT NOT NULL,
    staged_by  TEXT NOT NULL,
    staged_at  INTEGER NOT NULL,
    status     TEXT NOT NULL,
    items      TEXT NOT NULL,
    expect     TEXT NOT NULL,
    offices    TEXT NOT NULL,
    closed_by  TEXT NOT NULL,
    closed_at  INTEGER NOT NULL,
    reason     TEXT NOT NULL
);
CREATE INDEX change_sets_company ON change_sets (company_id, status, id);
