package licensing

import (
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

// Office belongs to a company and holds the license pools, the numbers and
// the users of one site.
type Office struct {
	// ID identifies the office; the store assigns it, so Validate accepts an
	// empty ID, but the planning functions require one.
	ID string
	// CompanyID is the owning company; it is required.
	CompanyID string
	Name      string
	// Country is an assigned ISO 3166-1 alpha-2 code in upper case, such as
	// "US" or "GB"; see NormalizeCountry for turning input into one.
	Country string
	// PriceLevel names the price list the office is billed on. Licenses and
	// users move only between offices with the same PriceLevel, compared
	// exactly (case matters).
	PriceLevel string
}

// MaxPriceLevelLen is the longest price level, in bytes.
const MaxPriceLevelLen = 40

// Validate checks the office's company, name, country and price level and
// returns an errs.Invalid error naming the first problem. It expects the
// country in canonical form and does not normalise it: normalising is the
// caller's job, done once where input enters.
func (o Office) Validate() error {
	const op = "licensing.Office.Validate"
	if o.CompanyID == "" {
		return errs.E(errs.Invalid, op, "office %s (%s): company id is empty", quote(o.Name), idOrNew(o.ID))
	}
	if p := nameProblem(o.Name); p != "" {
		return errs.E(errs.Invalid, op, "office %s: name %s", idOrNew(o.ID), p).
			Say("The office name %s.", peopleNameProblem(o.Name))
	}
	if !ValidCountry(o.Country) {
		if code, err := NormalizeCountry(o.Country); err == nil {
			return errs.E(errs.Invalid, op, "%s: country %s is not in canonical form; use %q",
				officeRef(o), quote(o.Country), code)
		}
		return errs.E(errs.Invalid, op, "%s: country %s is not an assigned ISO 3166-1 alpha-2 code",
			officeRef(o), quote(o.Country))
	}
	if p := text.Problem(o.PriceLevel); p != "" {
		return errs.E(errs.Invalid, op, "%s: price level %s", officeRef(o), p)
	}
	if !validToken(o.PriceLevel, MaxPriceLevelLen) {
		return errs.E(errs.Invalid, op, "%s: price level %s must be 1 to %d ASCII letters, digits, '-' or '_'",
			officeRef(o), quote(o.PriceLevel), MaxPriceLevelLen)
	}
	return nil
}

func validToken(s string, maxLen int) bool {
	if s == "" || len(s) > maxLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		b := s[i]
		if !isLetter(b) && !isDigit(b) && b != '-' && b != '_' {
			return false
		}
	}
	return true
}
