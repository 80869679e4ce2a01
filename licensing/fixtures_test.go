package licensing_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

// The fixtures: Acme has offices in Berlin, Hamburg and Paris at price level
// eu-1, Munich at eu-2 (same country as Berlin, other level) and New York at
// us-1; Globex owns Elsewhere.
var (
	acme     = licensing.Company{ID: "c-1", Name: "Acme", Tier: licensing.Premium}
	berlin   = licensing.Office{ID: "off-ber", CompanyID: "c-1", Name: "Berlin", Country: "DE", PriceLevel: "eu-1"}
	hamburg  = licensing.Office{ID: "off-ham", CompanyID: "c-1", Name: "Hamburg", Country: "DE", PriceLevel: "eu-1"}
	paris    = licensing.Office{ID: "off-par", CompanyID: "c-1", Name: "Paris", Country: "FR", PriceLevel: "eu-1"}
	munich   = licensing.Office{ID: "off-muc", CompanyID: "c-1", Name: "Munich", Country: "DE", PriceLevel: "eu-2"}
	newYork  = licensing.Office{ID: "off-nyc", CompanyID: "c-1", Name: "New York", Country: "US", PriceLevel: "us-1"}
	globexHQ = licensing.Office{ID: "off-glx", CompanyID: "c-2", Name: "Elsewhere", Country: "DE", PriceLevel: "eu-1"}
)

func withTier(c licensing.Company, t licensing.Tier) licensing.Company {
	c.Tier = t
	return c
}

func seats(office string, total, assigned int) licensing.Pool {
	return licensing.Pool{OfficeID: office, Type: licensing.Seat, Total: total, Assigned: assigned}
}

// checkRefusal checks that err is of kind, matches sentinel (when not nil),
// unwraps to an *errs.Error, and that its message holds every fragment.
func checkRefusal(t *testing.T, err error, kind errs.Kind, sentinel error, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("got nil error, want kind %v", kind)
	}
	if got := errs.KindOf(err); got != kind {
		t.Errorf("errs.KindOf = %v, want %v (err: %v)", got, kind, err)
	}
	kindSentinel := map[errs.Kind]error{
		errs.Invalid: errs.ErrInvalid, errs.Conflict: errs.ErrConflict,
		errs.Forbidden: errs.ErrForbidden, errs.Other: errs.ErrOther,
	}[kind]
	if !errors.Is(err, kindSentinel) {
		t.Errorf("errors.Is(err, %v sentinel) = false (err: %v)", kind, err)
	}
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Errorf("errors.As(err, *errs.Error) = false (err: %v)", err)
	}
	if sentinel != nil && !errors.Is(err, sentinel) {
		t.Errorf("errors.Is(err, %q) = false (err: %v)", sentinel, err)
	}
	for _, s := range []error{licensing.ErrNoFreeLicense, licensing.ErrPriceLevelMismatch, licensing.ErrTierForbids, licensing.ErrBelowAssigned} {
		if s != sentinel && errors.Is(err, s) {
			t.Errorf("errors.Is(err, %q) = true, want false (err: %v)", s, err)
		}
	}
	t.Log(err)
	msg := err.Error()
	for _, f := range fragments {
		if !strings.Contains(msg, f) {
			t.Errorf("message %q does not contain %q", msg, f)
		}
	}
}
