package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/lifeline-go/lifeline/licensing"
)

func (q *Queries) buildLicenses() {
	q.add("getPool", q.sb.Select("office_id", "type", "total", "assigned").From("license_pools").Where("office_id = ? AND type = ?", nil, nil))
	q.add("putPool", q.sb.Insert("license_pools").Columns("office_id", "type", "total", "assigned").Values(nil, nil, nil, nil).
		Suffix("ON CONFLICT (office_id, type) DO UPDATE SET total = excluded.total, assigned = excluded.assigned"))
	q.add("listPools", q.sb.Select("office_id", "type", "total", "assigned").From("license_pools").Where("office_id = ?", nil).OrderBy("type"))
	q.add("userLicenses", q.sb.Select("type").From("user_licenses").Where("user_id = ?", nil).OrderBy("type"))
	q.add("clearUserLicenses", q.sb.Delete("user_licenses").Where("user_id = ?", nil))
	q.add("addUserLicense", q.sb.Insert("user_licenses").Columns("user_id", "type").Values(nil, nil))
}

func scanPool(s interface{ Scan(...any) error }) (licensing.Pool, error) {
	var p licensing.Pool
	var typ string
	err := s.Scan(&p.OfficeID, &typ, &p.Total, &p.Assigned)
	p.Type = licensing.LicenseType(typ)
	return p, err
}

// GetPool implements store.Licenses.
func (t *Tx) GetPool(ctx context.Context, officeID string, typ licensing.LicenseType) (licensing.Pool, error) {
	p, err := scanPool(t.queryRow(ctx, "store.GetPool", "getPool", officeID, string(typ)))
	if errors.Is(err, sql.ErrNoRows) {
		return licensing.Pool{OfficeID: officeID, Type: typ}, nil
	}
	if err != nil {
		return p, t.q.fail("store.GetPool", err)
	}
	return p, nil
}

// PutPool implements store.Licenses.
func (t *Tx) PutPool(ctx context.Context, p licensing.Pool) error {
	_, err := t.exec(ctx, "store.PutPool", "putPool", p.OfficeID, string(p.Type), p.Total, p.Assigned)
	return err
}

// ListPools implements store.Licenses.
func (t *Tx) ListPools(ctx context.Context, officeID string) ([]licensing.Pool, error) {
	return queryList(ctx, t, "store.ListPools", "listPools", []any{officeID}, scanPool)
}

// UserLicenses implements store.Licenses.
func (t *Tx) UserLicenses(ctx context.Context, userID string) ([]licensing.LicenseType, error) {
	return queryList(ctx, t, "store.UserLicenses", "userLicenses", []any{userID},
		func(s interface{ Scan(...any) error }) (licensing.LicenseType, error) {
			var typ string
			err := s.Scan(&typ)
			return licensing.LicenseType(typ), err
		})
}

// SetUserLicenses implements store.Licenses.
func (t *Tx) SetUserLicenses(ctx context.Context, userID string, types []licensing.LicenseType) error {
	if _, err := t.exec(ctx, "store.SetUserLicenses", "clearUserLicenses", userID); err != nil {
		return err
	}
	for _, typ := range types {
		if _, err := t.exec(ctx, "store.SetUserLicenses", "addUserLicense", userID, string(typ)); err != nil {
			return err
		}
	}
	return nil
}
