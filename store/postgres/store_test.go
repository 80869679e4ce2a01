package postgres_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/postgres"
)

var (
	at0     = time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC)
	company = licensing.Company{ID: "c1", Name: "Acme", Tier: licensing.Premium}
	officeA = licensing.Office{ID: "o-a", CompanyID: "c1", Name: "SF", Country: "US", PriceLevel: "standard"}
	officeB = licensing.Office{ID: "o-b", CompanyID: "c1", Name: "NY", Country: "US", PriceLevel: "standard"}
)

func user(id, ext, email string) lifecycle.User {
	return lifecycle.User{
		ID: id, CompanyID: company.ID, OfficeID: officeA.ID, Kind: lifecycle.Internal, Extension: ext,
		Person: lifecycle.Person{FirstName: "Ada", LastName: "Lovelace"}, Email: email,
		Devices: []string{"desk"}, Settings: map[string]string{"lang": "en"}, Role: access.CompanyAdmin,
		Billing: lifecycle.Paid, Status: lifecycle.Status{State: lifecycle.PasswordRequired},
		CreatedAt: at0, UpdatedAt: at0, HeldAtDeletion: []string{}, Version: 1,
	}
}

// seed writes a company, two offices and a seat pool of 10 in each.
func seed(t *testing.T, st *postgres.Store) {
	t.Helper()
	err := st.Update(context.Background(), func(tx store.Tx) error {
		if err := tx.InsertCompany(context.Background(), company); err != nil {
			return err
		}
		for _, o := range []licensing.Office{officeA, officeB} {
			if err := tx.InsertOffice(context.Background(), o); err != nil {
				return err
			}
			if err := tx.PutPool(context.Background(), licensing.Pool{OfficeID: o.ID, Type: licensing.Seat, Total: 10}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestRoundTrip(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, pgtest.NewDatabase(t))
	seed(t, st)
	u := user("u1", "100", "ada@example.com")
	n := numbers.Number{E164: "+16502530000", Kind: numbers.KindLocal, Country: "US", OfficeID: officeA.ID,
		Status: numbers.Reserved, LastHolderID: "u0", LastOfficeID: officeA.ID, ReservedAt: at0, Version: 1}
	rec := store.AuditRecord{At: at0, CompanyID: company.ID, ActorID: "admin", ActorRole: "company_admin",
		Action: "create", TargetKind: "user", TargetID: "u1", UserID: "u1", ToState: "password_required",
		Detail: "d", Personal: "Ada Lovelace"}
	var ids []int64
	err := st.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.InsertNumber(ctx, n); err != nil {
			return err
		}
		if err := tx.SetUserLicenses(ctx, "u1", []licensing.LicenseType{licensing.Seat, licensing.AddOn}); err != nil {
			return err
		}
		for range 2 {
			id, err := tx.AppendAudit(ctx, rec)
			if err != nil {
				return err
			}
			ids = append(ids, id)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if ids[1] <= ids[0] {
		t.Errorf("audit ids %v do not grow", ids)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		gotC, err := tx.GetCompany(ctx, company.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(company, gotC); diff != "" {
			t.Errorf("company (-want +got):\n%s", diff)
		}
		offices, err := tx.ListOffices(ctx, company.ID)
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]licensing.Office{officeA, officeB}, offices); diff != "" {
			t.Errorf("offices (-want +got):\n%s", diff)
		}
		gotU, err := tx.GetUser(ctx, "u1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff(u, gotU); diff != "" {
			t.Errorf("user (-want +got):\n%s", diff)
		}
		byEmail, err := tx.FindUserByEmail(ctx, company.ID, "ada@example.com")
		if err != nil || byEmail.ID != "u1" {
			t.Errorf("FindUserByEmail = %q, %v; want u1", byEmail.ID, err)
		}
		highest, err := tx.(store.ExtensionReader).HighestExtension(ctx, company.ID)
		if err != nil || highest != "100" {
			t.Errorf("HighestExtension = %q, %v; want 100", highest, err)
		}
		taken, err := tx.ExtensionTaken(ctx, company.ID, "100")
		if err != nil || !taken {
			t.Errorf("ExtensionTaken(100) = %v, %v; want true", taken, err)
		}
		gotN, err := tx.GetNumber(ctx, n.E164)
		if err != nil {
			return err
		}
		if diff := cmp.Diff(n, gotN); diff != "" {
			t.Errorf("number (-want +got):\n%s", diff)
		}
		lic, err := tx.UserLicenses(ctx, "u1")
		if err != nil {
			return err
		}
		if diff := cmp.Diff([]licensing.LicenseType{licensing.AddOn, licensing.Seat}, lic); diff != "" {
			t.Errorf("licenses (-want +got):\n%s", diff)
		}
		pool, err := tx.GetPool(ctx, officeA.ID, licensing.AIMeetings)
		if err != nil || pool.Total != 0 || pool.Type != licensing.AIMeetings {
			t.Errorf("unwritten pool = %+v, %v; want empty", pool, err)
		}
		recs, err := tx.ListAudit(ctx, store.AuditFilter{UserID: "u1"})
		if err != nil {
			return err
		}
		want := []store.AuditRecord{rec, rec}
		want[0].ID, want[1].ID = ids[0], ids[1]
		if diff := cmp.Diff(want, recs); diff != "" {
			t.Errorf("audit (-want +got):\n%s", diff)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}

	// Deleted users come back from ListDeletedDue by restore deadline.
	err = st.Update(ctx, func(tx store.Tx) error {
		u.Status = lifecycle.Status{State: lifecycle.Deleted, DeletedFrom: lifecycle.PasswordRequired}
		u.DeletedAt, u.RestoreUntil, u.PurgeBy = at0, at0.Add(72*time.Hour), at0.Add(28*24*time.Hour)
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		u.Version++
		return tx.ScrubAudit(ctx, "u1")
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		due, err := tx.ListDeletedDue(ctx, at0.Add(71*time.Hour), 10)
		if err != nil || len(due) != 0 {
			t.Errorf("ListDeletedDue before the window ends = %v, %v; want none", due, err)
		}
		due, err = tx.ListDeletedDue(ctx, at0.Add(72*time.Hour), 10)
		if err != nil || len(due) != 1 || due[0] != "u1" {
			t.Errorf("ListDeletedDue at the window's end = %v, %v; want [u1]", due, err)
		}
		recs, err := tx.ListAudit(ctx, store.AuditFilter{UserID: "u1"})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Personal != "" {
				t.Errorf("audit %d keeps personal text %q after ScrubAudit", r.ID, r.Personal)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestNotFound(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, pgtest.NewDatabase(t))
	err := st.View(ctx, func(tx store.Tx) error {
		for name, err := range map[string]error{
			"GetCompany":      second(tx.GetCompany(ctx, "nope")),
			"GetOffice":       second(tx.GetOffice(ctx, "nope")),
			"GetUser":         second(tx.GetUser(ctx, "nope")),
			"FindUserByEmail": second(tx.FindUserByEmail(ctx, "c", "x@example.com")),
			"GetNumber":       second(tx.GetNumber(ctx, "+16502530000")),
		} {
			if !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("%s: got %v, want a not-found error", name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	err = st.Update(ctx, func(tx store.Tx) error {
		for name, err := range map[string]error{
			"UpdateCompany": tx.UpdateCompany(ctx, company),
			"UpdateUser":    tx.UpdateUser(ctx, user("u1", "100", "")),
			"UpdateNumber":  tx.UpdateNumber(ctx, numbers.Number{E164: "+16502530000", Status: numbers.Available}),
		} {
			if !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("%s: got %v, want a not-found error", name, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func second[T any](_ T, err error) error { return err }

// TestConflict checks that each constraint refuses a write with an
// errs.Conflict error carrying the SQLSTATE, and that the transaction that
// hit it is rolled back as a whole.
func TestConflict(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, pgtest.NewDatabase(t))
	seed(t, st)
	if err := st.Update(ctx, func(tx store.Tx) error { return tx.InsertUser(ctx, user("u1", "100", "ada@example.com")) }); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		fn   func(tx store.Tx) error
		code string
	}{
		{"duplicate email", func(tx store.Tx) error { return tx.InsertUser(ctx, user("u2", "101", "ada@example.com")) }, "23505"},
		{"duplicate extension", func(tx store.Tx) error { return tx.InsertUser(ctx, user("u2", "100", "")) }, "23505"},
		{"duplicate id", func(tx store.Tx) error { return tx.InsertCompany(ctx, company) }, "23505"},
		{"unknown company", func(tx store.Tx) error {
			return tx.InsertOffice(ctx, licensing.Office{ID: "o-x", CompanyID: "nope", Name: "X", Country: "US", PriceLevel: "standard"})
		}, "23503"},
		{"over-assigned pool", func(tx store.Tx) error {
			return tx.PutPool(ctx, licensing.Pool{OfficeID: officeA.ID, Type: licensing.Seat, Total: 1, Assigned: 2})
		}, "23514"},
		{"assigned number without holder", func(tx store.Tx) error {
			return tx.InsertNumber(ctx, numbers.Number{E164: "+16502530001", Kind: numbers.KindLocal, Country: "US", OfficeID: officeA.ID, Status: numbers.Assigned})
		}, "23514"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := st.Update(ctx, func(tx store.Tx) error {
				// A write before the refused one must be rolled back too.
				if err := tx.InsertCompany(ctx, licensing.Company{ID: "c-" + tc.name, Name: "X", Tier: licensing.Standard}); err != nil {
					return err
				}
				return tc.fn(tx)
			})
			if !errors.Is(err, errs.ErrConflict) {
				t.Fatalf("got %v, want a conflict", err)
			}
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != tc.code {
				t.Errorf("SQLSTATE of %v: want %s", err, tc.code)
			}
			if errors.Is(err, postgres.ErrSerialization) || postgres.Retryable(err) {
				t.Errorf("%v is reported as a serialization failure", err)
			}
			err = st.View(ctx, func(tx store.Tx) error {
				_, err := tx.GetCompany(ctx, "c-"+tc.name)
				return err
			})
			if !errors.Is(err, errs.ErrNotFound) {
				t.Errorf("the write before the conflict survived: GetCompany = %v", err)
			}
		})
	}
}

func TestRollbackOnError(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, pgtest.NewDatabase(t))
	seed(t, st)
	boom := errors.New("boom")
	runs := 0
	err := st.Update(ctx, func(tx store.Tx) error {
		runs++
		if err := tx.InsertUser(ctx, user("u1", "100", "")); err != nil {
			return err
		}
		if err := tx.PutPool(ctx, licensing.Pool{OfficeID: officeA.ID, Type: licensing.Seat, Total: 10, Assigned: 1, Version: 1}); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Update returned %v, want fn's error unchanged", err)
	}
	if runs != 1 {
		t.Errorf("fn ran %d times; an ordinary error must not be retried", runs)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		if _, err := tx.GetUser(ctx, "u1"); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("GetUser after rollback = %v, want not found", err)
		}
		p, err := tx.GetPool(ctx, officeA.ID, licensing.Seat)
		if err != nil || p.Assigned != 0 {
			t.Errorf("pool after rollback = %+v, %v; want nothing assigned", p, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestViewIsReadOnly(t *testing.T) {
	ctx := context.Background()
	st := openStore(t, pgtest.NewDatabase(t))
	err := st.View(ctx, func(tx store.Tx) error { return tx.InsertCompany(ctx, company) })
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "25006" { // read_only_sql_transaction
		t.Fatalf("write in View: got %v, want SQLSTATE 25006", err)
	}
	if errs.KindOf(err) != errs.Other {
		t.Errorf("kind %v, want other", errs.KindOf(err))
	}
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	// Stores opening together on an empty database apply each migration
	// once (the advisory lock), and opening again applies nothing.
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			st, err := postgres.Open(ctx, dsn, postgres.WithMaxConns(1))
			if err == nil {
				err = st.Close()
			}
			errc <- err
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	st := openStore(t, dsn)
	if _, err := postgres.New(ctx, st.DB()); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := st.DB().QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != len(files) {
		t.Errorf("schema_migrations has %d rows, want %d (one per file)", n, len(files))
	}
}

func TestOpenRefuses(t *testing.T) {
	ctx := context.Background()
	_, err := postgres.Open(ctx, "postgres://u:secret@[bad")
	if !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("bad connection string: got %v, want invalid", err)
	}
	if err != nil && strings.Contains(err.Error(), "secret") {
		t.Errorf("error %q shows the password", err)
	}
	if _, err := postgres.New(ctx, nil); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("New(nil): got %v, want invalid", err)
	}
	for _, o := range []postgres.Option{
		postgres.WithRetry(0, time.Millisecond, time.Millisecond),
		postgres.WithRetry(3, time.Second, time.Millisecond),
		postgres.WithMaxConns(0),
	} {
		if _, err := postgres.Open(ctx, "host=/nonexistent", o); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("bad option: got %v, want invalid", err)
		}
	}
}

func TestCancelled(t *testing.T) {
	st := openStore(t, pgtest.NewDatabase(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	runs := 0
	err := st.Update(ctx, func(tx store.Tx) error { runs++; return nil })
	if err == nil || runs != 0 {
		t.Errorf("Update on a cancelled context: err %v after %d runs; want an error and no run", err, runs)
	}
}

// TestNewOnCallersPool runs the store on a *sql.DB made from the caller's
// pgxpool, and checks that Close leaves the caller's pool open.
func TestNewOnCallersPool(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, pgtest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	db := stdlib.OpenDBFromPool(pool)
	defer db.Close()
	st, err := postgres.New(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	seed(t, st)
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.PingContext(ctx); err != nil {
		t.Errorf("the caller's database was closed by Store.Close: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT COUNT(*) FROM offices`).Scan(&n); err != nil || n != 2 {
		t.Errorf("offices through the caller's pool: %d, %v; want 2", n, err)
	}
}
