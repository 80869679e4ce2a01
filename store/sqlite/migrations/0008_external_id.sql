-- SCIM provisioning: the id an identity provider gives a user (SCIM's
-- externalId). Empty for users no provider provisions. Not unique: a
-- provider may re-create a person while the deleted user still waits out
-- its restore window; lookups list every holder. Anonymization empties it
-- with the rest of the person.
ALTER TABLE users ADD COLUMN external_id TEXT NOT NULL DEFAULT '';
CREATE INDEX users_external_id ON users (company_id, external_id, id) WHERE external_id <> '';
