-- Lets NextExtension read the company's highest extension from an index
-- instead of visiting every user: extensions are 2-8 digits without a
-- leading zero, so (length, text) order is numeric order.
CREATE INDEX users_extension_order ON users (company_id, length(extension), extension) WHERE state <> 'anonymized';
