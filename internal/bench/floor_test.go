package bench

import (
	"context"
	"errors"
	"iter"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// openPair opens a pair for a test on backend b, skipping (or failing,
// under CI) the PostgreSQL backend on a machine without PostgreSQL.
func openPair(t testing.TB, b Backend, users, inventory int) *Pair {
	t.Helper()
	ctx := context.Background()
	p, err := OpenPair(ctx, b, t.TempDir(), func(svc *lifeline.Service) (World, error) {
		return Seed(ctx, svc, users, inventory)
	})
	if errors.Is(err, ErrNoPostgres) && !pgtest.Required() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func openFloor(t testing.TB, p *Pair) *Floor {
	t.Helper()
	f, err := NewFloor(context.Background(), p)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// TestFloorWritesTheFacadeRows runs the same sequence of operations
// through the facade on one database and through the floor on an identical
// copy, and compares every table after each step: the floor is a floor of
// the same work only if it writes exactly the same rows.
func TestFloorWritesTheFacadeRows(t *testing.T) {
	for _, b := range []Backend{Backends[0], Backends[2]} {
		t.Run(b.Name, func(t *testing.T) {
			ctx := t.Context()
			p := openPair(t, b, 4, 6)
			f := openFloor(t, p)
			svc, w := p.Lifeline.Svc, p.World
			ids := map[string]string{}
			check := func(step string) {
				t.Helper()
				if err := EventIDs(ctx, p.Floor.DB, p.Lifeline.DB, ids); err != nil {
					t.Fatalf("%s: %v", step, err)
				}
				want, err := Dump(ctx, p.Lifeline.DB, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, err := Dump(ctx, p.Floor.DB, ids)
				if err != nil {
					t.Fatal(err)
				}
				if diff := cmp.Diff(want, got); diff != "" {
					t.Fatalf("after %s, the floor's rows differ from the facade's (-facade +floor):\n%s", step, diff)
				}
			}
			check("seeding")
			must := func(step string, err1, err2 error) {
				t.Helper()
				if err1 != nil || err2 != nil {
					t.Fatalf("%s: facade %v, floor %v", step, err1, err2)
				}
				check(step)
			}
			p.Tick(1)

			_, err := svc.Delete(ctx, Admin, w.Users[0])
			must("delete", err, f.Delete(ctx, w.Users[0]))
			p.Tick(1)
			_, err = svc.Restore(ctx, Admin, w.Users[0], lifeline.RestoreOptions{})
			must("restore", err, f.Restore(ctx, w.Users[0]))
			p.Tick(1)

			want, err := svc.GetUser(ctx, Admin, w.Users[1])
			got, ferr := f.GetUser(ctx, w.Users[1])
			must("get", err, ferr)
			if got.ID != want.ID || got.Extension != want.Extension || got.Person != want.Person || got.State() != want.State() {
				t.Errorf("GetUser: floor read %+v, facade %+v", got, want)
			}
			page, err := svc.ListUsers(ctx, Admin, lifeline.UserQuery{CompanyID: w.CompanyID, States: []lifecycle.State{lifecycle.PasswordRequired}, Limit: 2})
			fpage, ferr := f.ListPage(ctx, w.CompanyID, lifecycle.PasswordRequired, "", 2)
			must("list page", err, ferr)
			mapped := func(id string) string {
				if to, ok := ids[id]; ok {
					return to
				}
				return id
			}
			if len(page) != 2 || len(fpage) != 2 || page[0].ID != mapped(fpage[0].ID) || page[1].ID != mapped(fpage[1].ID) {
				t.Errorf("list page: floor read %v, facade %v", fpage, page)
			}

			nu, err := svc.CreateUser(ctx, Admin, lifeline.NewUser{OfficeID: w.OfficeID, Person: lifeline.Person{FirstName: "New", LastName: "Person  X"}})
			fid, ferr := f.CreateUser(ctx, w.OfficeID, "New", "Person  X")
			ids[fid] = nu.ID
			must("create", err, ferr)
			p.Tick(1)

			e164 := w.Numbers[len(w.Users)]
			_, err = svc.AssignNumber(ctx, Admin, e164, nu.ID, lifeline.AssignOptions{})
			must("assign", err, f.Assign(ctx, e164, fid))
			p.Tick(1)
			_, err = svc.UnassignNumber(ctx, Admin, e164)
			must("unassign", err, f.Unassign(ctx, e164))
			p.Tick(1)

			bulk := w.Users[1:]
			_, err = lifeline.RunBulk(ctx, svc, Admin, deletes(bulk), lifeline.BulkOptions{}, func(r lifeline.BulkResult[lifeline.User]) {
				if r.Err != nil {
					t.Errorf("bulk item %d: %v", r.Index, r.Err)
				}
			})
			must("bulk delete", err, f.BulkDelete(ctx, bulk))
			// The floor's new user has another random id than the facade's,
			// so it must not tie with others on the sweep's order.
			p.Tick(1)

			_, err = svc.Delete(ctx, Admin, nu.ID)
			must("delete the new user", err, f.Delete(ctx, fid))
			p.Tick(svc.Policy().For(lifecycle.Paid).RestoreWindow)
			rep, err := svc.Sweep(ctx)
			n, ferr := f.Sweep(ctx)
			must("sweep", err, ferr)
			if rep.Anonymized != len(bulk)+1 || n != rep.Anonymized {
				t.Errorf("sweep anonymized %d users, the floor %d; want %d", rep.Anonymized, n, len(bulk)+1)
			}
		})
	}
}

// deletes yields a Delete of every id.
func deletes(ids []string) iter.Seq[lifeline.Operation[lifeline.User]] {
	return func(yield func(lifeline.Operation[lifeline.User]) bool) {
		for _, id := range ids {
			if !yield(lifeline.Delete{UserID: id}) {
				return
			}
		}
	}
}
