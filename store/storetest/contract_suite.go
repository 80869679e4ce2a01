package storetest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// contractTests cover the repositories and optional upgrades the other
// groups leave out: change sets, savepoints, the highest extension, the
// sweep's exclusive lock and the checkpoint.
var contractTests = []namedTest{
	{"ChangeSetsRoundTrip", testChangeSets},
	{"Savepoints", testSavepoints},
	{"HighestExtension", testHighestExtension},
	{"Exclusive", testExclusive},
	{"Checkpoint", testCheckpoint},
}

// closeTests run last: they close the store they are given.
var closeTests = []namedTest{
	{"CloseTwice", testCloseTwice},
}

func testChangeSets(t *testing.T, h Harness) {
	s := seed(t, h)
	a := store.ChangeSetRecord{
		ID: UID("cs_"), CompanyID: s.company.ID, Name: "Spring clean-up", StagedBy: "usr_admin", StagedAt: epoch,
		Status: "open", Items: `[{"op":"user.delete","id":"usr_1"}]`, Expect: `{"usr_1":3}`, Offices: `["off_1"]`,
	}
	b := a
	b.ID, b.Name, b.StagedAt = a.ID+"b", "Second", epoch.Add(time.Minute)
	s.update("InsertChangeSet", func(tx store.Tx) error {
		if err := tx.InsertChangeSet(s.ctx, b); err != nil {
			return err
		}
		return tx.InsertChangeSet(s.ctx, a)
	})
	err := s.try(func(tx store.Tx) error { return tx.InsertChangeSet(s.ctx, a) })
	WantErr(t, "InsertChangeSet with a taken id", err, errs.ErrConflict)
	get := func(id string) (store.ChangeSetRecord, error) {
		var r store.ChangeSetRecord
		err := s.st.View(s.ctx, func(tx store.Tx) (err error) {
			r, err = tx.GetChangeSet(s.ctx, id)
			return err
		})
		return r, err
	}
	got, err := get(a.ID)
	WantErr(t, "GetChangeSet", err)
	if diff := cmp.Diff(a, got); diff != "" {
		t.Errorf("GetChangeSet after InsertChangeSet (-want +got):\n%s", diff)
	}
	_, err = get("cs_missing")
	WantErr(t, "GetChangeSet of a missing set", err, errs.ErrNotFound)

	list := func(company, status string) []string {
		t.Helper()
		var ids []string
		s.view("ListChangeSets", func(tx store.Tx) error {
			l, err := tx.ListChangeSets(s.ctx, company, status)
			for _, r := range l {
				ids = append(ids, r.ID)
			}
			return err
		})
		return ids
	}
	if got := list(s.company.ID, ""); !cmp.Equal(got, []string{a.ID, b.ID}) {
		t.Errorf("ListChangeSets = %v, want %v (ordered by id)", got, []string{a.ID, b.ID})
	}

	// Closing writes the status, items and who, when and why; the rest
	// stays as staged.
	closed := a
	closed.Status, closed.Items, closed.ClosedBy, closed.ClosedAt, closed.Reason = "confirmed", `[]`, "usr_boss", epoch.Add(time.Hour), "done"
	written := closed
	written.Name, written.Expect, written.Offices, written.StagedBy = "ignored", "ignored", "ignored", "ignored"
	s.update("CloseChangeSet", func(tx store.Tx) error { return tx.CloseChangeSet(s.ctx, written) })
	got, err = get(a.ID)
	WantErr(t, "GetChangeSet after CloseChangeSet", err)
	if diff := cmp.Diff(closed, got); diff != "" {
		t.Errorf("GetChangeSet after CloseChangeSet (-want +got):\n%s", diff)
	}
	if got := list(s.company.ID, "open"); !cmp.Equal(got, []string{b.ID}) {
		t.Errorf("ListChangeSets of open sets = %v, want %v", got, []string{b.ID})
	}
	if got := list(s.company.ID, "confirmed"); !cmp.Equal(got, []string{a.ID}) {
		t.Errorf("ListChangeSets of confirmed sets = %v, want %v", got, []string{a.ID})
	}
	if got := list(UID("cmp_"), ""); len(got) != 0 {
		t.Errorf("ListChangeSets of another company = %v, want none", got)
	}

	// A set that is no longer open cannot be closed again, and the refusal
	// changes nothing.
	again := closed
	again.Status, again.Reason = "discarded", "too late"
	err = s.try(func(tx store.Tx) error { return tx.CloseChangeSet(s.ctx, again) })
	WantErr(t, "CloseChangeSet of a confirmed set", err, errs.ErrConflict)
	if got, _ := get(a.ID); got.Status != "confirmed" || got.Reason != "done" {
		t.Errorf("after a refused CloseChangeSet: status %q, reason %q; want confirmed, done", got.Status, got.Reason)
	}
	missing := again
	missing.ID = "cs_missing"
	err = s.try(func(tx store.Tx) error { return tx.CloseChangeSet(s.ctx, missing) })
	WantErr(t, "CloseChangeSet of a missing set", err, errs.ErrNotFound)
}

func testSavepoints(t *testing.T, h Harness) {
	s := seed(t, h)
	a, b, c, d := s.user("100", ""), s.user("101", ""), s.user("102", ""), s.user("103", "")
	pool := licensing.Pool{OfficeID: s.office.ID, Type: licensing.Seat, Total: 5}
	s.update("seeding a pool", func(tx store.Tx) error { return tx.PutPool(s.ctx, pool) })
	pool.Version = 1
	exists := func(tx store.Tx, u lifecycle.User) bool {
		_, err := tx.GetUser(s.ctx, u.ID)
		if err != nil && !errors.Is(err, errs.ErrNotFound) {
			t.Fatalf("GetUser: %v", err)
		}
		return err == nil
	}
	s.update("savepoints", func(tx store.Tx) error {
		if err := tx.InsertUser(s.ctx, a); err != nil {
			return err
		}
		if err := tx.Savepoint(s.ctx, "item"); err != nil {
			return err
		}
		if err := tx.InsertUser(s.ctx, b); err != nil {
			return err
		}
		more := pool
		more.Total = 9
		if err := tx.PutPool(s.ctx, more); err != nil {
			return err
		}
		if err := tx.RollbackToSavepoint(s.ctx, "item"); err != nil {
			return err
		}
		if !exists(tx, a) || exists(tx, b) {
			t.Errorf("after RollbackToSavepoint: a kept %t, b kept %t; want a only", exists(tx, a), exists(tx, b))
		}
		if p, err := tx.GetPool(s.ctx, s.office.ID, licensing.Seat); err != nil || p != pool {
			t.Errorf("GetPool after RollbackToSavepoint = %+v, %v; want the pool as before the savepoint, %+v", p, err, pool)
		}
		// The savepoint stays set: roll back to it a second time.
		if err := tx.InsertUser(s.ctx, c); err != nil {
			return err
		}
		if err := tx.RollbackToSavepoint(s.ctx, "item"); err != nil {
			return err
		}
		if exists(tx, c) {
			t.Error("after a second RollbackToSavepoint to the same savepoint, c is kept")
		}
		if err := tx.ReleaseSavepoint(s.ctx, "item"); err != nil {
			return err
		}
		if err := tx.Savepoint(s.ctx, "kept"); err != nil {
			return err
		}
		if err := tx.InsertUser(s.ctx, d); err != nil {
			return err
		}
		return tx.ReleaseSavepoint(s.ctx, "kept")
	})
	for u, want := range map[string]bool{a.ID: true, b.ID: false, c.ID: false, d.ID: true} {
		_, err := s.getUser(u)
		if got := err == nil; got != want {
			t.Errorf("after commit, user %s exists: %t (%v), want %t", u, got, err, want)
		}
	}
}

func testHighestExtension(t *testing.T, h Harness) {
	s := seed(t, h)
	require[store.ExtensionReader](s)
	highest := func(company string) string {
		t.Helper()
		var got string
		s.view("HighestExtension", func(tx store.Tx) (err error) {
			got, err = tx.(store.ExtensionReader).HighestExtension(s.ctx, company)
			return err
		})
		return got
	}
	if got := highest(s.company.ID); got != "" {
		t.Errorf("HighestExtension of a company without users = %q, want \"\"", got)
	}
	top := s.user("1000", "")
	s.insertUsers(s.user("99", ""), s.user("200", ""), top)
	if got := highest(s.company.ID); got != "1000" {
		t.Errorf("HighestExtension of 99, 200 and 1000 = %q, want 1000 (numeric order)", got)
	}
	if got := highest(UID("cmp_")); got != "" {
		t.Errorf("HighestExtension of another company = %q, want \"\"", got)
	}
	top.Status = lifecycle.Status{State: lifecycle.Anonymized}
	top.Person, top.Email = lifecycle.Person{}, ""
	s.update("anonymizing", func(tx store.Tx) error { return tx.UpdateUser(s.ctx, top) })
	if got := highest(s.company.ID); got != "200" {
		t.Errorf("HighestExtension with 1000 anonymized = %q, want 200", got)
	}
}

func testExclusive(t *testing.T, h Harness) {
	st := h.NewStore(t)
	ex, ok := st.(store.Exclusive)
	if !ok {
		t.Skipf("%T does not implement store.Exclusive", st)
	}
	ctx := t.Context()
	name := UID("storetest.lock.")
	release, ok, err := ex.TryExclusive(ctx, name)
	if err != nil || !ok {
		t.Fatalf("TryExclusive of a free lock = %t, %v; want it taken", ok, err)
	}
	if r2, ok, err := ex.TryExclusive(ctx, name); err != nil || ok {
		if ok {
			r2()
		}
		t.Errorf("TryExclusive of a held lock = %t, %v; want refused", ok, err)
	}
	other, ok, err := ex.TryExclusive(ctx, name+".other")
	if err != nil || !ok {
		t.Fatalf("TryExclusive of another name while the first is held = %t, %v; want it taken", ok, err)
	}
	other()
	release()
	again, ok, err := ex.TryExclusive(ctx, name)
	if err != nil || !ok {
		t.Fatalf("TryExclusive after release = %t, %v; want it taken", ok, err)
	}
	again()
}

func testCheckpoint(t *testing.T, h Harness) {
	s := seed(t, h)
	c, ok := s.st.(store.Checkpointer)
	if !ok {
		t.Skipf("%T does not implement store.Checkpointer", s.st)
	}
	u := s.user("100", "kept@example.com")
	s.insertUsers(u)
	if err := c.Checkpoint(s.ctx); err != nil {
		t.Fatalf("Checkpoint: %v", err)
	}
	if got, err := s.getUser(u.ID); err != nil || got.Email != u.Email {
		t.Errorf("GetUser after Checkpoint = %+v, %v; want the user as written", got, err)
	}
}

// testCloseTwice closes a store and closes it again, as the harness's
// cleanup will: both calls succeed.
func testCloseTwice(t *testing.T, h Harness) {
	st := h.NewStore(t)
	if err := st.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := st.Close(); err != nil {
		t.Errorf("Close of a closed store: %v, want nil", err)
	}
}
