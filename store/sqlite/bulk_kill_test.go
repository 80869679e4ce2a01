package sqlite_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/internal/crashtest"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// bulkChildEnv names the database a child process runs its bulk on.
const bulkChildEnv = "LIFELINE_BULK_KILL_DB"

// TestBulkKilledMidway runs a bulk reset-and-recycle of 1 000 extensions
// in a child process, kills it (SIGKILL) after a few hundred items, and
// reopens the file: every item is whole or absent — recycled, or
// untouched — every item the child reported done is recycled, and the
// seat pool and audit trail agree.
func TestBulkKilledMidway(t *testing.T) {
	if os.Getenv(bulkChildEnv) != "" {
		t.Skip("the child's side is TestBulkKilledChild")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "bulk.db")
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := lifeline.New(st, lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		t.Fatal(err)
	}
	sys := lifeline.System("test")
	b, err := svc.Bootstrap(ctx, sys, lifeline.Bootstrap{AdminPassword: "correct horse battery staple", CompanyName: "Killed", Tier: licensing.Premium,
		Office: lifeline.NewOffice{Name: "HQ", Country: "US"}, Admin: lifeline.NewUser{Person: lifeline.Person{FirstName: "A", LastName: "Dmin"}}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPoolTotal(ctx, sys, b.Office.ID, licensing.Seat, 1001); err != nil {
		t.Fatal(err)
	}
	items := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for i := range 1000 {
			p := lifeline.Person{FirstName: "Old", LastName: fmt.Sprintf("Person%04d", i)}
			if !yield(lifeline.CreateUser{NewUser: lifeline.NewUser{OfficeID: b.Office.ID, Person: p, Email: fmt.Sprintf("old%04d@example.com", i)}}) {
				return
			}
		}
	}
	if sum, err := lifeline.RunBulk(ctx, svc, sys, items, lifeline.BulkOptions{BatchSize: 500}, nil); err != nil || sum.OK != 1000 {
		t.Fatalf("creating the users: %+v, %v", sum, err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	reported := crashtest.KillAfter(t, "TestBulkKilledChild", bulkChildEnv+"="+path, "done ", 300)

	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	defer st.Close()
	var users []lifecycle.User
	var resets int
	var seats licensing.Pool
	err = st.View(ctx, func(tx store.Tx) (err error) {
		if users, err = tx.ListUsers(ctx, store.UserFilter{OfficeIDs: []string{b.Office.ID}, Limit: 5000}); err != nil {
			return err
		}
		recs, err := tx.ListAudit(ctx, store.AuditFilter{CompanyID: b.Company.ID, Action: "user.reset"})
		resets = len(recs)
		if err != nil {
			return err
		}
		seats, err = tx.GetPool(ctx, b.Office.ID, licensing.Seat)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	recycled := map[string]bool{}
	for _, u := range users {
		if u.ID == b.Admin.ID {
			continue
		}
		old := strings.HasPrefix(u.Person.LastName, "Person") && u.Person.FirstName == "Old" && u.Email != ""
		isNew := u.Person.FirstName == "New" && u.Email == "" && u.Username == "" && u.State() == lifecycle.PasswordRequired
		switch {
		case old && u.State() == lifecycle.PasswordRequired:
		case isNew:
			recycled[u.Person.LastName] = true
		default:
			t.Errorf("user %s is half done: %s %+v %q", u.ID, u.State(), u.Person, u.Email)
		}
	}
	for i := range reported {
		if !recycled[fmt.Sprintf("Person%04d", i)] {
			t.Errorf("item %d was reported done but is not recycled", i)
		}
	}
	if resets != len(recycled) || seats.Assigned != 1001 {
		t.Errorf("%d recycled, %d reset records, %d seats assigned; want as many records as recycled, 1001 seats", len(recycled), resets, seats.Assigned)
	}
	t.Logf("killed after %d reported items; %d recycled on disk", reported, len(recycled))
}

// TestBulkKilledChild is the child of TestBulkKilledMidway: it recycles
// every extension of the file in batches of 10 at synchronous=FULL,
// printing progress, until it is killed.
func TestBulkKilledChild(t *testing.T) {
	path := os.Getenv(bulkChildEnv)
	if path == "" {
		t.Skip("run by TestBulkKilledMidway")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	svc, err := lifeline.New(st)
	if err != nil {
		t.Fatal(err)
	}
	var users []lifecycle.User
	if err := st.View(ctx, func(tx store.Tx) (err error) {
		users, err = tx.ListUsers(ctx, store.UserFilter{States: []lifecycle.State{lifecycle.PasswordRequired}, Limit: 5000})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	// In last-name order, so that "done N" means Person0000 to Person{N-1}.
	slices.SortFunc(users, func(a, b lifecycle.User) int { return strings.Compare(a.Person.LastName, b.Person.LastName) })
	items := func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for _, u := range users {
			if u.Person.FirstName != "Old" {
				continue
			}
			if !yield(lifeline.ResetAndRecycle{UserID: u.ID, Person: lifeline.Person{FirstName: "New", LastName: u.Person.LastName}}) {
				return
			}
		}
	}
	_, err = lifeline.RunBulk(ctx, svc, lifeline.System("bulk"), items, lifeline.BulkOptions{BatchSize: 10,
		Progress: func(p lifeline.BulkProgress) { fmt.Printf("done %d\n", p.Done) }}, nil)
	if err != nil {
		t.Fatal(err)
	}
}
