package lifeline_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// lateRefusal is a store whose transactions refuse the audit record of one
// user: an operation on that user fails after it has written its rows.
type lateRefusal struct {
	*sqlite.Store
	userID string
}

var errLate = errs.E(errs.Conflict, "test", "the audit record is refused")

func (s *lateRefusal) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(lateTx{tx, s.userID}) })
}

type lateTx struct {
	store.Tx
	userID string
}

func (t lateTx) AppendAudit(ctx context.Context, r store.AuditRecord) (int64, error) {
	if t.userID != "" && r.UserID == t.userID {
		return 0, errLate
	}
	return t.Tx.AppendAudit(ctx, r)
}

// TestBulkItemRefusedAfterWritingIsRolledBackAlone deletes five users in
// one batch, one of which is refused after its rows were written (first,
// middle and last in turn): that user is left exactly as it was, the four
// others are deleted, and each item reports its own outcome.
func TestBulkItemRefusedAfterWritingIsRolledBackAlone(t *testing.T) {
	for _, refused := range []int{0, 2, 4} {
		t.Run(fmt.Sprintf("item%d", refused), func(t *testing.T) {
			ctx := context.Background()
			late := &lateRefusal{Store: openSQLite(t)}
			svc := newService(t, late)
			sys := lifeline.System("test")
			b := bootstrap(t, svc, "Acme", "ada@acme.example")
			if _, err := svc.SetPoolTotal(ctx, sys, b.Office.ID, licensing.Seat, 10); err != nil {
				t.Fatal(err)
			}
			var users []lifeline.User
			for i := range 5 {
				u, err := svc.CreateUser(ctx, sys, lifeline.NewUser{OfficeID: b.Office.ID,
					Person: lifeline.Person{FirstName: "User", LastName: fmt.Sprint(i)}})
				if err != nil {
					t.Fatal(err)
				}
				users = append(users, u)
			}
			poolBefore := seatPool(t, svc, b.Office.ID)
			late.userID = users[refused].ID

			var ops []lifeline.Operation[lifeline.User]
			for _, u := range users {
				ops = append(ops, lifeline.Delete{UserID: u.ID})
			}
			var got []lifeline.BulkResult[lifeline.User]
			sum, err := lifeline.RunBulk(ctx, svc, sys, slices.Values(ops), lifeline.BulkOptions{},
				func(r lifeline.BulkResult[lifeline.User]) { got = append(got, r) })
			if err != nil || sum.OK != 4 || sum.Failed != 1 {
				t.Fatalf("RunBulk: %+v, %v; want 4 applied, 1 refused", sum, err)
			}
			for i, r := range got {
				switch {
				case i == refused && !errors.Is(r.Err, errLate):
					t.Errorf("item %d: %v, want the late refusal", i, r.Err)
				case i != refused && (r.Err != nil || r.Value.State() != lifecycle.Deleted || len(r.Effects.Audit) != 1):
					t.Errorf("item %d: %v, state %s, %d audit records; want deleted with one record", i, r.Err, r.Value.State(), len(r.Effects.Audit))
				}
			}
			late.userID = ""
			for i, u := range users {
				now, err := svc.GetUser(ctx, sys, u.ID)
				if err != nil {
					t.Fatal(err)
				}
				if i == refused && (now.Version != u.Version || now.State() != u.State()) {
					t.Errorf("refused user: version %d, %s; want untouched at version %d, %s", now.Version, now.State(), u.Version, u.State())
				}
				if i != refused && now.State() != lifecycle.Deleted {
					t.Errorf("user %d: %s, want deleted", i, now.State())
				}
			}
			pool := seatPool(t, svc, b.Office.ID)
			if pool.Assigned != poolBefore.Assigned-4 {
				t.Errorf("seats assigned: %d, want %d (the refused user keeps its seat)", pool.Assigned, poolBefore.Assigned-4)
			}
		})
	}
}

func seatPool(t *testing.T, svc *lifeline.Service, officeID string) lifeline.Pool {
	t.Helper()
	pools, err := svc.ListPools(context.Background(), lifeline.System("test"), officeID)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pools {
		if p.Type == licensing.Seat {
			return p
		}
	}
	t.Fatal("no seat pool")
	return lifeline.Pool{}
}

// TestBulkExportRunsOnce puts an export, which writes to the caller's
// writer, in a batch beside an item that is refused: the batch is not run
// a second time, so the export is written once and reported as done.
func TestBulkExportRunsOnce(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, openSQLite(t))
	b := bootstrap(t, svc, "Acme", "ada@acme.example")
	var doc, none bytes.Buffer
	ops := []lifeline.Operation[struct{}]{
		lifeline.ExportUser{UserID: b.Admin.ID, W: &doc},
		lifeline.ExportUser{UserID: "usr_missing", W: &none},
	}
	var got []lifeline.BulkResult[struct{}]
	sum, err := lifeline.RunBulk(ctx, svc, lifeline.System("test"), slices.Values(ops), lifeline.BulkOptions{},
		func(r lifeline.BulkResult[struct{}]) { got = append(got, r) })
	if err != nil || sum.OK != 1 || sum.Failed != 1 {
		t.Fatalf("RunBulk: %+v, %v; want the export done and the missing user refused", sum, err)
	}
	if got[0].Err != nil || !errs.Is(got[1].Err, errs.NotFound) {
		t.Errorf("outcomes %v, %v; want nil, not found", got[0].Err, got[1].Err)
	}
	dec := json.NewDecoder(&doc)
	var export lifeline.UserExport
	if err := dec.Decode(&export); err != nil || export.User.ID != b.Admin.ID || dec.More() {
		t.Errorf("the writer holds %d bytes: want one export of %s (%v)", doc.Len(), b.Admin.ID, err)
	}
	if none.Len() != 0 {
		t.Errorf("the refused export wrote %d bytes", none.Len())
	}
}
