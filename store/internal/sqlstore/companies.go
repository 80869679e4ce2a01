package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

const officeCols = "id, company_id, name, country, price_level"

func (q *Queries) buildCompanies() {
	q.add("insertCompany", q.sb.Insert("companies").Columns("id", "name", "tier").Values(nil, nil, nil))
	q.add("getCompany", q.sb.Select("id", "name", "tier").From("companies").Where("id = ?", nil))
	q.add("updateCompany", q.sb.Update("companies").Set("name", nil).Set("tier", nil).Where("id = ?", nil))
	q.add("insertOffice", q.sb.Insert("offices").Columns("id", "company_id", "name", "country", "price_level").Values(nil, nil, nil, nil, nil))
	q.add("getOffice", q.sb.Select(officeCols).From("offices").Where("id = ?", nil))
	q.add("listOffices", q.sb.Select(officeCols).From("offices").Where("company_id = ?", nil).OrderBy("id"))
}

// InsertCompany implements store.Companies.
func (t *Tx) InsertCompany(ctx context.Context, c licensing.Company) error {
	_, err := t.exec(ctx, "store.InsertCompany", "insertCompany", c.ID, c.Name, string(c.Tier))
	return err
}

// GetCompany implements store.Companies.
func (t *Tx) GetCompany(ctx context.Context, id string) (licensing.Company, error) {
	var c licensing.Company
	var tier string
	err := t.queryRow(ctx, "store.GetCompany", "getCompany", id).Scan(&c.ID, &c.Name, &tier)
	if errors.Is(err, sql.ErrNoRows) {
		return c, errs.E(errs.NotFound, "store.GetCompany", "company %q does not exist", id)
	}
	if err != nil {
		return c, t.q.fail("store.GetCompany", err)
	}
	c.Tier = licensing.Tier(tier)
	return c, nil
}

// UpdateCompany implements store.Companies.
func (t *Tx) UpdateCompany(ctx context.Context, c licensing.Company) error {
	return t.execOne(ctx, "store.UpdateCompany", "updateCompany", ref("company", c.ID), c.Name, string(c.Tier), c.ID)
}

// InsertOffice implements store.Companies.
func (t *Tx) InsertOffice(ctx context.Context, o licensing.Office) error {
	_, err := t.exec(ctx, "store.InsertOffice", "insertOffice", o.ID, o.CompanyID, o.Name, o.Country, o.PriceLevel)
	return err
}

func scanOffice(s interface{ Scan(...any) error }) (licensing.Office, error) {
	var o licensing.Office
	err := s.Scan(&o.ID, &o.CompanyID, &o.Name, &o.Country, &o.PriceLevel)
	return o, err
}

// GetOffice implements store.Companies.
func (t *Tx) GetOffice(ctx context.Context, id string) (licensing.Office, error) {
	o, err := scanOffice(t.queryRow(ctx, "store.GetOffice", "getOffice", id))
	if errors.Is(err, sql.ErrNoRows) {
		return o, errs.E(errs.NotFound, "store.GetOffice", "office %q does not exist", id)
	}
	if err != nil {
		return o, t.q.fail("store.GetOffice", err)
	}
	return o, nil
}

// ListOffices implements store.Companies.
func (t *Tx) ListOffices(ctx context.Context, companyID string) ([]licensing.Office, error) {
	return queryList(ctx, t, "store.ListOffices", "listOffices", []any{companyID}, scanOffice)
}

// queryList runs the named statement and maps every row with scan.
func queryList[T any](ctx context.Context, t *Tx, op, name string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	rows, err := t.query(ctx, op, name, args...)
	return scanList(t, op, rows, err, scan)
}

// queryBuilt runs a query built for this call (its shape depends on a
// filter) and maps every row with scan.
func queryBuilt[T any](ctx context.Context, t *Tx, op, query string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	rows, err := t.queryText(ctx, op, query, args...)
	return scanList(t, op, rows, err, scan)
}

func scanList[T any](t *Tx, op string, rows *sql.Rows, err error, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	if err != nil {
		return nil, t.q.fail(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, t.q.fail(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, t.q.fail(op, err)
	}
	return out, nil
}
