package access_test

import (
	"errors"
	"testing"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"pgregory.net/rapid"
)

// TestOtherCompanyIsNotFound: whoever asks, for whatever action and target,
// a principal bound to one company finds nothing of another, and the refusal
// reads the same whatever the other company, its user's role or the role to
// grant, so it tells nothing about them.
func TestOtherCompanyIsNotFound(t *testing.T) {
	roles := append(access.Roles(), "", "root")
	office := rapid.SampledFrom([]string{"o-1", "o-2", "o-9", ""})
	tiers := []licensing.Tier{licensing.Standard, licensing.Advanced, licensing.Premium, ""}
	rapid.Check(t, func(t *rapid.T) {
		p := access.Principal{
			UserID:    rapid.SampledFrom([]string{"u-1", "u-2", ""}).Draw(t, "user"),
			CompanyID: rapid.SampledFrom([]string{"c-1", "c-2", ""}).Draw(t, "company"),
			OfficeID:  office.Draw(t, "office"),
			Role:      rapid.SampledFrom(roles).Draw(t, "role"),
			Offices:   rapid.SliceOfN(office, 0, 3).Draw(t, "offices"),
		}
		if p.CompanyID != "" {
			p.System = rapid.SampledFrom([]string{"", "sweeper"}).Draw(t, "system")
		}
		other := rapid.SampledFrom([]string{"c-1", "c-2", "c-3", ""}).
			Filter(func(c string) bool { return c != p.CompanyID }).Draw(t, "target company")
		tg := access.Target{
			CompanyID: other,
			OfficeIDs: rapid.SliceOfN(office, 0, 3).Draw(t, "target offices"),
			UserID:    rapid.SampledFrom([]string{"", "u-1", "u-2", "u-3"}).Draw(t, "target user"),
			UserRole:  rapid.SampledFrom(roles).Draw(t, "target role"),
			GrantRole: rapid.SampledFrom(roles).Draw(t, "grant role"),
		}
		tier := rapid.SampledFrom(tiers).Draw(t, "tier")

		elsewhere := tg
		elsewhere.CompanyID, elsewhere.UserRole, elsewhere.GrantRole = "c-elsewhere", "", access.CompanyAdmin
		for _, a := range append(access.Actions(), "no.such") {
			err := access.Authorize(p, a, tg, tier)
			if errs.KindOf(err) != errs.NotFound || !errors.Is(err, access.ErrOtherCompany) {
				t.Fatalf("Authorize(%+v, %s, %+v) = %v, want NotFound", p, a, tg, err)
			}
			if err2 := access.Authorize(p, a, elsewhere, tier); err2 == nil || err2.Error() != err.Error() {
				t.Fatalf("Authorize(%s) says %q for %+v but %v for %+v", a, err, tg, err2, elsewhere)
			}
		}
		into := access.Principal{UserID: tg.UserID, CompanyID: other, OfficeID: office.Draw(t, "target's office"), Role: tg.UserRole}
		got, err := access.Proxy(p, into, rapid.Bool().Draw(t, "grant"), tier)
		if errs.KindOf(err) != errs.NotFound || got.UserID != "" || got.CompanyID != "" {
			t.Fatalf("Proxy(%+v, %+v) = %+v, %v; want NotFound", p, into, got, err)
		}
	})
}
