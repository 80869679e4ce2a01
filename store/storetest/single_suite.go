package storetest

import (
	"testing"

	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// testViewSingle checks store.SingleReader: one SELECT is answered without
// a transaction, in one run of fn; a second statement, or a write, makes
// the store run fn again in a View transaction, and the write is not made.
func testViewSingle(t *testing.T, h Harness) {
	s := seed(t, h)
	sr, ok := s.st.(store.SingleReader)
	if !ok {
		t.Skipf("%T does not implement store.SingleReader", s.st)
	}
	require[store.UserBatchReader](s)
	a, b := s.user("100", "a@example.com"), s.user("101", "b@example.com")
	s.insertUsers(a, b)

	run := func(what string, fn func(tx store.Tx, run int) error) (runs int, needed bool) {
		t.Helper()
		needed, err := sr.ViewSingle(s.ctx, func(tx store.Tx) error {
			runs++
			return fn(tx, runs)
		})
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return runs, needed
	}

	var got map[string]lifecycle.User
	runs, needed := run("one GetUsers", func(tx store.Tx, _ int) (err error) {
		got, err = tx.(store.UserBatchReader).GetUsers(s.ctx, a.ID, b.ID, "usr_missing")
		return err
	})
	if runs != 1 || needed {
		t.Errorf("one statement: fn ran %d times, needed a transaction: %v; want once, no", runs, needed)
	}
	if len(got) != 2 || got[a.ID].Email != a.Email || got[b.ID].Version != 1 {
		t.Errorf("GetUsers(a, b, missing) = %+v, want a and b only", got)
	}

	// Many ids at once, beyond the counts a store keeps prepared.
	s.view("GetUsers of many ids", func(tx store.Tx) error {
		many, err := tx.(store.UserBatchReader).GetUsers(s.ctx, "usr_m1", a.ID, "usr_m2", "usr_m3", b.ID, "usr_m4", "usr_m5", a.ID)
		if err == nil && (len(many) != 2 || many[a.ID].ID != a.ID || many[b.ID].ID != b.ID) {
			t.Errorf("GetUsers of eight ids, a and b among them = %+v, want a and b", many)
		}
		return err
	})

	var second lifecycle.User
	runs, needed = run("two GetUsers", func(tx store.Tx, _ int) error {
		if _, err := tx.GetUser(s.ctx, a.ID); err != nil {
			return err
		}
		var err error
		second, err = tx.GetUser(s.ctx, b.ID)
		return err
	})
	if runs != 2 || !needed || second.ID != b.ID {
		t.Errorf("two statements: fn ran %d times, needed a transaction: %v, second read %q; want twice, yes, %q", runs, needed, second.ID, b.ID)
	}

	// A write is refused outside a transaction even as the first
	// statement; the run in the transaction here only reads, so nothing
	// is written.
	runs, needed = run("a write", func(tx store.Tx, run int) error {
		if run == 1 {
			changed := a
			changed.Email = "written@example.com"
			_ = tx.UpdateUser(s.ctx, changed)
			return nil
		}
		_, err := tx.GetUser(s.ctx, a.ID)
		return err
	})
	if runs != 2 || !needed {
		t.Errorf("a write: fn ran %d times, needed a transaction: %v; want twice, yes", runs, needed)
	}
	if u, err := s.getUser(a.ID); err != nil || u.Email != a.Email || u.Version != 1 {
		t.Errorf("after a write outside a transaction: %+v, %v; want the user unchanged", u, err)
	}
}
