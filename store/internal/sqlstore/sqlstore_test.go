package sqlstore_test

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/internal/sqlstore"
)

// refusingQuerier fails the test if a statement reaches it.
type refusingQuerier struct{ t *testing.T }

func (q refusingQuerier) ExecContext(_ context.Context, query string, _ ...any) (sql.Result, error) {
	q.t.Fatalf("statement ran: %s", query)
	return nil, nil
}

func (q refusingQuerier) QueryContext(_ context.Context, query string, _ ...any) (*sql.Rows, error) {
	q.t.Fatalf("query ran: %s", query)
	return nil, nil
}

func (q refusingQuerier) QueryRowContext(_ context.Context, query string, _ ...any) *sql.Row {
	q.t.Fatalf("query ran: %s", query)
	return nil
}

// errReached is what reachedQuerier answers, to show a statement ran.
var errReached = errors.New("reached the database")

type reachedQuerier struct{}

func (reachedQuerier) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return nil, errReached
}

func (reachedQuerier) QueryContext(context.Context, string, ...any) (*sql.Rows, error) {
	return nil, errReached
}

func (reachedQuerier) QueryRowContext(context.Context, string, ...any) *sql.Row { return nil }

func newQueries() *sqlstore.Queries {
	return sqlstore.New(sqlstore.Dialect{Placeholder: sq.Dollar, Classify: func(error) errs.Kind { return errs.Other }})
}

// TestArgumentsPostgreSQLRefuses checks the backstop: a NUL byte or invalid
// UTF-8 in any string argument is an errs.Invalid error and the statement
// never runs, whichever helper runs it.
func TestArgumentsPostgreSQLRefuses(t *testing.T) {
	ctx := context.Background()
	for _, bad := range []string{"a\x00b", "\xff", "ok\xc3"} {
		tx := newQueries().Bind(refusingQuerier{t})
		calls := map[string]func() error{
			"exec": func() error {
				return tx.InsertCompany(ctx, licensing.Company{ID: "c1", Name: bad, Tier: licensing.Standard})
			},
			"execOne":  func() error { return tx.UpdateNumber(ctx, numbers.Number{E164: "+16502530000", HolderID: bad}) },
			"queryRow": func() error { _, err := tx.GetCompany(ctx, bad); return err },
			"getUser":  func() error { _, err := tx.GetUser(ctx, bad); return err },
			"email":    func() error { _, err := tx.FindUserByEmail(ctx, "c1", bad); return err },
			"count":    func() error { _, err := tx.ExtensionTaken(ctx, "c1", bad); return err },
			"query":    func() error { _, err := tx.ListOffices(ctx, bad); return err },
			"filter":   func() error { _, err := tx.ListUsers(ctx, store.UserFilter{AfterID: bad}); return err },
			"state": func() error {
				_, err := tx.ListUsers(ctx, store.UserFilter{States: []lifecycle.State{lifecycle.State(bad)}})
				return err
			},
			"number list": func() error { _, err := tx.ListNumbers(ctx, store.NumberFilter{HolderID: bad}); return err },
			"audit list":  func() error { _, err := tx.ListAudit(ctx, store.AuditFilter{UserID: bad}); return err },
			"pool":        func() error { _, err := tx.GetPool(ctx, bad, "seat"); return err },
		}
		for name, call := range calls {
			err := call()
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "NUL byte or invalid UTF-8") {
				t.Errorf("%s with %q: got %v, want an invalid-input error naming the argument", name, bad, err)
			}
			if strings.Contains(err.Error(), bad) {
				t.Errorf("%s with %q: %q repeats the argument", name, bad, err)
			}
		}
	}
}

// TestGoodArgumentsReachTheDatabase checks that the backstop lets ordinary
// text through, multi-byte and all.
func TestGoodArgumentsReachTheDatabase(t *testing.T) {
	tx := newQueries().Bind(reachedQuerier{})
	ctx := context.Background()
	err := tx.InsertCompany(ctx, licensing.Company{ID: "c1", Name: "Zürich 🏔 東京", Tier: licensing.Standard})
	if !errors.Is(err, errReached) {
		t.Errorf("InsertCompany = %v, want the statement to run", err)
	}
	if _, err := tx.ListUsers(ctx, store.UserFilter{CompanyID: "c1", States: lifecycle.LiveStates}); !errors.Is(err, errReached) {
		t.Errorf("ListUsers = %v, want the query to run", err)
	}
}

// noRows is a Querier whose statements change and find nothing.
type noRows struct{ reachedQuerier }

func (noRows) ExecContext(context.Context, string, ...any) (sql.Result, error) {
	return driverResult(0), nil
}

type driverResult int64

func (r driverResult) LastInsertId() (int64, error) { return 0, nil }
func (r driverResult) RowsAffected() (int64, error) { return int64(r), nil }

// TestNotFoundDoesNotEchoALongID checks that an unknown 16 MB id comes back
// clipped.
func TestNotFoundDoesNotEchoALongID(t *testing.T) {
	huge := strings.Repeat("c", 16<<20)
	err := newQueries().Bind(noRows{}).UpdateCompany(context.Background(), licensing.Company{ID: huge})
	if !errors.Is(err, errs.ErrNotFound) || len(err.Error()) > 300 {
		t.Errorf("UpdateCompany of an unknown 16 MB id: %.100q (%d bytes), want a short not-found error", err, len(err.Error()))
	}
}
