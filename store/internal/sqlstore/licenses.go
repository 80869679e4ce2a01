package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/licensing"
)

func (q *Queries) buildLicenses() {
	poolCols := []string{"office_id", "type", "total", "assigned", "version"}
	q.add("getPool", q.sb.Select(poolCols...).From("license_pools").Where("office_id = ? AND type = ?", nil, nil))
	// A pool is written if it is still at the version its writer read: 0
	// (never written) inserts it at 1; any other version updates it.
	q.add("putPool", q.sb.Insert("license_pools").Columns(poolCols...).Values(nil, nil, nil, nil, sq.Expr("1")).
		Suffix("ON CONFLICT (office_id, type) DO UPDATE SET total = excluded.total, assigned = excluded.assigned, "+
			"version = license_pools.version + 1 WHERE license_pools.version = ?", nil))
	q.add("poolVersion", q.sb.Select("version").From("license_pools").Where("office_id = ? AND type = ?", nil, nil))
	q.add("listPools", q.sb.Select(poolCols...).From("license_pools").Where("office_id = ?", nil).OrderBy("type"))
	q.add("userLicenses", q.sb.Select("type").From("user_licenses").Where("user_id = ?", nil).OrderBy("type"))
	q.add("userLicensePools", q.sb.Select("l.type", "COALESCE(p.total, 0)", "COALESCE(p.assigned, 0)", "COALESCE(p.version, 0)").
		From("user_licenses l").LeftJoin("license_pools p ON p.office_id = ? AND p.type = l.type", nil).
		Where("l.user_id = ?", nil).OrderBy("l.type"))
	q.add("clearUserLicenses", q.sb.Delete("user_licenses").Where("user_id = ?", nil))
	q.add("addUserLicense", q.sb.Insert("user_licenses").Columns("user_id", "type").Values(nil, nil))
}

func scanPool(s interface{ Scan(...any) error }) (licensing.Pool, error) {
	var p licensing.Pool
	var typ string
	err := s.Scan(&p.OfficeID, &typ, &p.Total, &p.Assigned, &p.Version)
	p.Type = licensing.LicenseType(typ)
	return p, err
}

// GetPool implements store.Licenses.
func (t *Tx) GetPool(ctx context.Context, officeID string, typ licensing.LicenseType) (licensing.Pool, error) {
	key := poolKey{officeID, typ}
	if p, ok := t.pools[key]; ok {
		return p, nil
	}
	p, err := scanPool(t.queryRow(ctx, "store.GetPool", "getPool", officeID, string(typ)))
	if errors.Is(err, sql.ErrNoRows) {
		p, err = licensing.Pool{OfficeID: officeID, Type: typ}, nil
	}
	if err != nil {
		return p, t.q.fail("store.GetPool", err)
	}
	t.keepPool(key, p)
	return p, nil
}

// PutPool implements store.Licenses.
func (t *Tx) PutPool(ctx context.Context, p licensing.Pool) error {
	key := poolKey{p.OfficeID, p.Type}
	err := t.execVersioned(ctx, "store.PutPool", "putPool", "poolVersion", "license pool", p.OfficeID+"/"+string(p.Type), p.Version,
		[]any{p.OfficeID, string(p.Type)},
		p.OfficeID, string(p.Type), p.Total, p.Assigned, p.Version)
	if err != nil {
		delete(t.pools, key)
		return err
	}
	p.Version++
	t.keepPool(key, p)
	return nil
}

// poolKey names a license pool.
type poolKey struct {
	officeID string
	typ      licensing.LicenseType
}

// keepPool remembers a pool as the transaction last read or wrote it: every
// write of a pool goes through this Tx, and a transaction sees its own
// writes over one snapshot, so reading the pool again would give the same
// row. A batch of deletions in one office so reads its pools once, not once
// per user. RollbackToSavepoint forgets them all.
func (t *Tx) keepPool(key poolKey, p licensing.Pool) {
	if t.pools == nil {
		t.pools = map[poolKey]licensing.Pool{}
	}
	t.pools[key] = p
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

// UserLicensePools implements store.Licenses. The pools it reads are
// remembered as GetPool's are.
func (t *Tx) UserLicensePools(ctx context.Context, userID, officeID string) ([]licensing.Pool, error) {
	pools, err := queryList(ctx, t, "store.UserLicensePools", "userLicensePools", []any{officeID, userID},
		func(s interface{ Scan(...any) error }) (licensing.Pool, error) {
			p := licensing.Pool{OfficeID: officeID}
			var typ string
			err := s.Scan(&typ, &p.Total, &p.Assigned, &p.Version)
			p.Type = licensing.LicenseType(typ)
			return p, err
		})
	if err != nil {
		return nil, err
	}
	for i, p := range pools {
		key := poolKey{officeID, p.Type}
		if kept, ok := t.pools[key]; ok {
			// The transaction's own view of a pool it wrote is the same
			// row; prefer it all the same, as GetPool does.
			pools[i] = kept
			continue
		}
		t.keepPool(key, p)
	}
	return pools, nil
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
