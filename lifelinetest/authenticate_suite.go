package lifelinetest

import (
	"context"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

// testAuthenticate signs people in by what they type. The right password
// with the email (in any case) or the username (in any case) returns the
// user; every refusal (a wrong password, an unknown login, a user who may
// not sign in, another company's user) is the same errs.Unauthenticated
// error, word for word, and does the same work: one argon2 check, counted
// by the service's hash statistics rather than timed.
func testAuthenticate(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 10)
	ctx := fx.ctx
	newUser := func(first, email, username string) lifeline.User {
		t.Helper()
		p, _ := fx.person()
		p.FirstName = first
		u, err := fx.svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: p, Email: email, Username: username})
		if err != nil {
			t.Fatal(err)
		}
		return u
	}
	ada := newUser("Ada", "Ada.Lovelace@Example.com", "ada.lovelace")
	fx.activate(ada)
	sus := newUser("Sue", "sue@example.com", "sue")
	fx.activate(sus)
	if _, err := fx.svc.Suspend(ctx, admin, sus.ID); err != nil {
		t.Fatal(err)
	}
	newUser("Pat", "pat@example.com", "pat") // Password Required: no password yet
	reset := newUser("Rex", "rex@example.com", "rex")
	fx.activate(reset)
	if _, err := fx.svc.ForcePasswordReset(ctx, admin, reset.ID); err != nil {
		t.Fatal(err)
	}
	// Two Active users share a username; each signs in by email only.
	twin1, twin2 := newUser("Tim", "tim1@example.com", "tim"), newUser("Tim", "tim2@example.com", "Tim")
	fx.activate(twin1)
	fx.activate(twin2)
	// Another company's user with the same password.
	other := newFixtureOn(t, fx.st, licensing.Premium)
	other.seats(other.us, 1)
	p, _ := other.person()
	stranger, err := other.svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: other.us.ID, Person: p, Email: "stranger@example.com", Username: "stranger"})
	if err != nil {
		t.Fatal(err)
	}
	other.activate(stranger)

	// signIn authenticates and checks it did exactly one hash check.
	signIn := func(what, companyID, login, pw string) (lifeline.User, error) {
		t.Helper()
		before := fx.svc.HashStats().Done
		u, err := fx.svc.Authenticate(ctx, companyID, login, pw)
		if n := fx.svc.HashStats().Done - before; n != 1 {
			t.Errorf("%s did %d password checks, want 1", what, n)
		}
		return u, err
	}
	for _, c := range []struct{ what, login string }{
		{"the email as stored", "ada.lovelace@example.com"},
		{"the email as typed at creation", "Ada.Lovelace@Example.com"},
		{"the email in capitals", "ADA.LOVELACE@EXAMPLE.COM"},
		{"the username", "ada.lovelace"},
		{"the username in another case", "Ada.LoveLace"},
		{"an Active user's email whose username is shared", "tim1@example.com"},
	} {
		u, err := signIn(c.what, fx.co.ID, c.login, password)
		want := ada.ID
		if strings.HasPrefix(c.login, "tim") {
			want = twin1.ID
		}
		if err != nil || u.ID != want {
			t.Errorf("Authenticate with %s: %s, %v; want user %s", c.what, u.ID, err, want)
		}
	}

	var first string
	for _, c := range []struct{ what, company, login, pw string }{
		{"a wrong password", fx.co.ID, "ada.lovelace@example.com", "not the password"},
		{"a wrong password with the username", fx.co.ID, "ada.lovelace", "not the password"},
		{"an unknown email", fx.co.ID, "nobody@example.com", password},
		{"an unknown username", fx.co.ID, "nobody", password},
		{"an empty login", fx.co.ID, "", password},
		{"an overlong login", fx.co.ID, strings.Repeat("a", 300) + "@example.com", password},
		{"an overlong password", fx.co.ID, "ada.lovelace", password + strings.Repeat("x", 300)},
		{"a suspended user's right password", fx.co.ID, "sue@example.com", password},
		{"a Password Required user", fx.co.ID, "pat@example.com", ""},
		{"a user sent back to Password Required, with its old password", fx.co.ID, "rex", password},
		{"a username two Active users share", fx.co.ID, "tim", password},
		{"another company's user", fx.co.ID, "stranger@example.com", password},
		{"a user of a company that is not named", other.co.ID, "ada.lovelace@example.com", password},
	} {
		u, err := signIn(c.what, c.company, c.login, c.pw)
		if !errs.Is(err, errs.Unauthenticated) || u.ID != "" {
			t.Errorf("Authenticate with %s: %q, %v (kind %v); want an unauthenticated error", c.what, u.ID, err, errs.KindOf(err))
			continue
		}
		if p := peopleProblem(err); p != "" {
			t.Errorf("Authenticate with %s: the message for people %s", c.what, p)
		}
		said := err.Error() + " | " + errs.Message(err)
		if first == "" {
			first = said
		} else if said != first {
			t.Errorf("Authenticate with %s says %q; every refusal must say %q", c.what, said, first)
		}
	}
	for _, leak := range []string{"wrong password", "unknown", "no such", "not found", "suspended", "does not exist", "required"} {
		if strings.Contains(strings.ToLower(first), leak) {
			t.Errorf("the refusal %q says which part was wrong (%q)", first, leak)
		}
	}
	// The other company's user signs in there.
	if u, err := other.svc.Authenticate(ctx, other.co.ID, "Stranger", password); err != nil || u.ID != stranger.ID {
		t.Errorf("Authenticate in the stranger's company: %s, %v; want %s", u.ID, err, stranger.ID)
	}
	// A malformed company id is the host's mistake, not the person's.
	if _, err := fx.svc.Authenticate(ctx, "", "ada.lovelace", password); !errs.Is(err, errs.Invalid) {
		t.Errorf("Authenticate in no company: %v, want an invalid-input error", err)
	}
	// A context that has ended stops the sign-in before any hashing.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := fx.svc.Authenticate(cctx, fx.co.ID, "ada.lovelace", password); err == nil || errs.Is(err, errs.Unauthenticated) {
		t.Errorf("Authenticate with a cancelled context: %v, want it refused as cancelled", err)
	}
}
