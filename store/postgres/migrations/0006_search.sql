-- Listing and search (the admin portal's users tabs): the same columns and
-- indexes as the SQLite store's 0006_search.sql.
--
-- tab and ext_order are derived from the row by the database itself
-- (stored generated columns), so every writer keeps them right: tab groups
-- states as the portal's tabs do (Setup Required and Password Required are
-- "pending"); ext_order is the extension padded to 8 digits, so text order
-- is numeric order (extensions are 2-8 digits without a leading zero) and
-- one column is the keyset of a page.
ALTER TABLE users ADD COLUMN tab TEXT COLLATE "C" GENERATED ALWAYS AS (
    CASE state WHEN 'setup_required' THEN 'pending' WHEN 'password_required' THEN 'pending' ELSE state END
) STORED;
ALTER TABLE users ADD COLUMN ext_order TEXT COLLATE "C" GENERATED ALWAYS AS (right('00000000' || extension, 8)) STORED;

-- The search keys: the person's names, email and username folded for
-- prefix search without regard to case or accents (NFD, combining marks
-- dropped, lower-cased, spaces collapsed). The fold is Go code, so the
-- store writes the keys with every insert and update of a user; they are
-- empty when the person is (an anonymized user has none). NULL marks a
-- row written before this migration: the store computes its keys when it
-- opens (see sqlstore.BackfillSearchKeys), and the partial index finds
-- those rows without a scan. "C" collation: ranges compare bytes, as
-- SQLite does.
ALTER TABLE users ADD COLUMN name_key TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN rname_key TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN email_key TEXT COLLATE "C";
ALTER TABLE users ADD COLUMN username_key TEXT COLLATE "C";
CREATE INDEX users_search_backfill ON users (id) WHERE name_key IS NULL;

-- A tab a page at a time, and every tab at once, in extension order.
CREATE INDEX users_tab_order ON users (company_id, tab, ext_order) WHERE state <> 'anonymized';
CREATE INDEX users_ext_order ON users (company_id, ext_order) WHERE state <> 'anonymized';
-- Prefix search: each key is searched with a range (key >= prefix AND key
-- < the prefix's successor), which these indexes serve; extension prefixes
-- use users_extension.
CREATE INDEX users_name_key ON users (company_id, name_key) WHERE state <> 'anonymized';
CREATE INDEX users_rname_key ON users (company_id, rname_key) WHERE state <> 'anonymized';
CREATE INDEX users_email_key ON users (company_id, email_key) WHERE state <> 'anonymized';
CREATE INDEX users_username_key ON users (company_id, username_key) WHERE state <> 'anonymized';
