package storetest

import (
	"sync"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// testVersions checks the compare-and-swap of versioned writes: a write
// made against the version a reader saw succeeds once and bumps it; one
// made against an older version is stale and changes nothing.
func testVersions(t *testing.T, h Harness) {
	s := seed(t, h)
	u := s.user("100", "v@example.com")
	s.insertUsers(u)
	got, err := s.getUser(u.ID)
	if err != nil || got.Version != 1 {
		t.Fatalf("a new user reads back at version %d (%v), want 1", got.Version, err)
	}
	next := got.Clone()
	next.Person.FirstName = "Second"
	s.update("UpdateUser at the read version", func(tx store.Tx) error { return tx.UpdateUser(s.ctx, next) })
	stale := got.Clone()
	stale.Person.FirstName = "Lost"
	err = s.try(func(tx store.Tx) error { return tx.UpdateUser(s.ctx, stale) })
	WantErr(t, "UpdateUser at an older version", err, errs.ErrStale)
	if now, _ := s.getUser(u.ID); now.Version != 2 || now.Person.FirstName != "Second" {
		t.Fatalf("after a stale update the user is %q at version %d, want Second at 2", now.Person.FirstName, now.Version)
	}
	missing := s.user("101", "")
	err = s.try(func(tx store.Tx) error { return tx.UpdateUser(s.ctx, missing) })
	WantErr(t, "UpdateUser of a missing user", err, errs.ErrNotFound)

	p, err := numbers.Parse(FreshLocal("US"), "")
	if err != nil {
		t.Fatal(err)
	}
	n, err := numbers.New(p, s.office.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	s.update("InsertNumber", func(tx store.Tx) error { return tx.InsertNumber(s.ctx, n) })
	held, _, err := n.Assign(u.ID, epoch, numbers.DefaultQuarantine(), false)
	if err != nil {
		t.Fatal(err)
	}
	s.update("UpdateNumber at the read version", func(tx store.Tx) error { return tx.UpdateNumber(s.ctx, held) })
	err = s.try(func(tx store.Tx) error { return tx.UpdateNumber(s.ctx, n) })
	WantErr(t, "UpdateNumber at an older version", err, errs.ErrStale)
	s.view("GetNumber", func(tx store.Tx) error {
		got, err := tx.GetNumber(s.ctx, n.E164)
		if err == nil && (got.Version != 2 || got.HolderID != u.ID) {
			t.Errorf("after a stale update the number is %+v, want held by %s at version 2", got, u.ID)
		}
		return err
	})

	// Two writers race with the same read: exactly one wins. A store that
	// retries its callback (PostgreSQL on a serialization failure) runs it
	// again with the same, now older, version, so the loser is stale.
	for round := range 10 {
		cur, err := s.getUser(u.ID)
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		start := make(chan struct{})
		results := make([]error, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				w := cur.Clone()
				w.Person.LastName = []string{"Left", "Right"}[i]
				results[i] = s.st.Update(s.ctx, func(tx store.Tx) error { return tx.UpdateUser(s.ctx, w) })
			}()
		}
		close(start)
		wg.Wait()
		won := 0
		for _, err := range results {
			switch {
			case err == nil:
				won++
			case !errs.Is(err, errs.Stale):
				t.Fatalf("round %d: a racing update failed with %v, want success or stale", round, err)
			}
		}
		after, _ := s.getUser(u.ID)
		if won != 1 || after.Version != cur.Version+1 {
			t.Fatalf("round %d: %d updates won, version %d -> %d; want one winner and one bump", round, won, cur.Version, after.Version)
		}
	}
}
