-- A page of a company's or an office's users in one state, in id order,
-- reads only that page: ListUsers with States and AfterID walks these from
-- the cursor instead of every user of the company (or office).
CREATE INDEX users_company_state ON users (company_id, state, id);
CREATE INDEX users_office_state ON users (office_id, state, id);
