package lifeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// openSQLite opens a SQLite store on a file of the test's own, closed when
// the test ends.
func openSQLite(t *testing.T) *sqlite.Store {
	t.Helper()
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "lifeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// newService returns a service on st that hashes passwords cheaply.
func newService(t *testing.T, st store.Store) *lifeline.Service {
	t.Helper()
	svc, err := lifeline.New(st, lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// bootstrap signs up a Premium company with one office in the US and an
// admin who logs in with email.
func bootstrap(t *testing.T, svc *lifeline.Service, company, email string) lifeline.Bootstrapped {
	t.Helper()
	b, err := svc.Bootstrap(context.Background(), lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: company, Tier: licensing.Premium, Office: lifeline.NewOffice{Name: "HQ", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Ada", LastName: "Admin"}, Email: email},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		t.Fatal(err)
	}
	return b
}
