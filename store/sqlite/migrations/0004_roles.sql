-- Roles are lifeline's own data (access control reads them on every
-- operation). The old admin flag was recorded but never enforced; an admin
-- becomes a company admin, which is what the flag meant to its callers.
ALTER TABLE users ADD COLUMN role TEXT NOT NULL DEFAULT 'member';
ALTER TABLE users ADD COLUMN role_offices TEXT NOT NULL DEFAULT '[]';
ALTER TABLE users ADD COLUMN proxy INTEGER NOT NULL DEFAULT 0;
UPDATE users SET role = 'company_admin' WHERE admin <> 0;
ALTER TABLE users DROP COLUMN admin;
