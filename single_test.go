package lifeline_test

import (
	"context"
	"errors"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// readCounter counts how the facade's reads reach a store.
type readCounter struct {
	*sqlite.Store
	views, singles, needed int
}

func (c *readCounter) View(ctx context.Context, fn func(store.Tx) error) error {
	c.views++
	return c.Store.View(ctx, fn)
}

func (c *readCounter) ViewSingle(ctx context.Context, fn func(store.Tx) error) (bool, error) {
	c.singles++
	needed, err := c.Store.ViewSingle(ctx, fn)
	if needed {
		c.needed++
	}
	return needed, err
}

func (c *readCounter) reset() { c.views, c.singles, c.needed = 0, 0, 0 }

// TestSingleStatementReads checks that GetUser, by a system principal or
// by a user, and a page of users by a system principal, are answered by one
// statement outside a transaction, across companies and for missing users
// alike, and that a read seen to need more mostly goes straight to a
// transaction afterwards.
func TestSingleStatementReads(t *testing.T) {
	ctx := context.Background()
	c := &readCounter{Store: openSQLite(t)}
	svc := newService(t, c)
	acme, other := bootstrap(t, svc, "Acme", "ada@acme.example"), bootstrap(t, svc, "Other", "ada@other.example")
	admin := lifeline.Actor{ID: acme.Admin.ID}
	if _, err := svc.SetPoolTotal(ctx, admin, acme.Office.ID, licensing.Seat, 5); err != nil {
		t.Fatal(err)
	}
	member, err := svc.InviteUser(ctx, admin, lifeline.NewUser{OfficeID: acme.Office.ID, Email: "mia@acme.example"})
	if err != nil {
		t.Fatal(err)
	}
	// Mia accepts the invitation: until she has set her password she may
	// not even read herself.
	if _, err := svc.SetPassword(ctx, lifeline.Actor{ID: member.ID}, member.ID, "mia's own passphrase"); err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name  string
		actor lifeline.Actor
		id    string
		want  error // nil: found
	}{
		{"system", lifeline.System("ops"), member.ID, nil},
		{"admin", admin, member.ID, nil},
		{"self", lifeline.Actor{ID: member.ID}, member.ID, nil},
		{"member reads its admin", lifeline.Actor{ID: member.ID}, acme.Admin.ID, errs.ErrForbidden},
		{"missing", admin, "usr_missing", errs.ErrNotFound},
		{"another company", lifeline.Actor{ID: other.Admin.ID}, member.ID, errs.ErrNotFound},
		{"not a user", lifeline.Actor{ID: "usr_nobody"}, member.ID, errs.ErrForbidden},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c.reset()
			u, err := svc.GetUser(ctx, tc.actor, tc.id)
			switch {
			case tc.want == nil && (err != nil || u.ID != tc.id || u.Version == 0):
				t.Fatalf("GetUser: %+v, %v; want user %s", u, err, tc.id)
			case tc.want != nil && !errors.Is(err, tc.want):
				t.Fatalf("GetUser: %v, want %v", err, tc.want)
			}
			if c.singles != 1 || c.needed != 0 || c.views != 0 {
				t.Errorf("GetUser made %d single reads (%d needed a transaction) and %d transactions; want one single read",
					c.singles, c.needed, c.views)
			}
		})
	}

	// A page of users by a system principal is one statement; by a user,
	// two (the actor, then the page), which the service learns: of eight
	// such calls, the first and the eighth are tried without a
	// transaction.
	c.reset()
	if _, err := svc.ListUsers(ctx, lifeline.System("ops"), lifeline.UserQuery{CompanyID: acme.Company.ID}); err != nil {
		t.Fatal(err)
	}
	if c.singles != 1 || c.needed != 0 || c.views != 0 {
		t.Errorf("ListUsers by a system principal made %d single reads (%d needed a transaction) and %d transactions; want one single read",
			c.singles, c.needed, c.views)
	}
	c.reset()
	for range 8 {
		if _, err := svc.ListUsers(ctx, admin, lifeline.UserQuery{CompanyID: acme.Company.ID}); err != nil {
			t.Fatal(err)
		}
	}
	if c.singles != 2 || c.needed != 2 || c.views != 6 {
		t.Errorf("eight ListUsers by a user made %d single reads (%d needed a transaction) and %d transactions; want 2, 2, 6",
			c.singles, c.needed, c.views)
	}
	// An empty page reads the company to tell an empty company from a
	// missing one.
	if _, err := svc.ListUsers(ctx, lifeline.System("ops"), lifeline.UserQuery{CompanyID: "cmp_missing"}); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("ListUsers of a missing company: %v, want not found", err)
	}
	if _, err := svc.ListUsers(ctx, lifeline.Actor{ID: other.Admin.ID}, lifeline.UserQuery{CompanyID: acme.Company.ID}); !errors.Is(err, errs.ErrNotFound) {
		t.Errorf("ListUsers of another company: %v, want not found", err)
	}
}
