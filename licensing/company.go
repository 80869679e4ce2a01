package licensing

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
)

// Tier is a company's plan tier. It gates features: license transfer, user
// transfer and proxy access need Advanced or Premium.
type Tier string

// The plan tiers.
const (
	Standard Tier = "standard"
	Advanced Tier = "advanced"
	Premium  Tier = "premium"
)

// Valid reports whether t is one of the known tiers. Tiers are matched
// exactly: "Premium" is not valid.
func (t Tier) Valid() bool {
	switch t {
	case Standard, Advanced, Premium:
		return true
	}
	return false
}

// AllowsTransfer reports whether a company on tier t may transfer licenses
// between its offices and transfer users to another office.
func (t Tier) AllowsTransfer() bool { return t == Advanced || t == Premium }

// AllowsProxy reports whether admins of a company on tier t may be granted
// proxy access to users' accounts.
func (t Tier) AllowsProxy() bool { return t == Advanced || t == Premium }

// Company is the account (tenant) that owns offices.
type Company struct {
	// ID identifies the company; the store assigns it, so Validate accepts
	// an empty ID, but the planning functions require one.
	ID   string
	Name string
	Tier Tier
}

// MaxNameLen is the longest company or office name, in bytes.
const MaxNameLen = 200

// Validate checks the company's name and tier and returns an errs.Invalid
// error naming the first problem.
func (c Company) Validate() error {
	const op = "licensing.Company.Validate"
	if p := nameProblem(c.Name); p != "" {
		return errs.E(errs.Invalid, op, "company %s: name %s", idOrNew(c.ID), p)
	}
	if !c.Tier.Valid() {
		return errs.E(errs.Invalid, op, "company %s: tier %s is not one of %q, %q, %q",
			companyRef(c), quote(string(c.Tier)), Standard, Advanced, Premium)
	}
	return nil
}

// nameProblem returns what is wrong with a company or office name, or "" when
// nothing is. Names are shown in admin portals, audit trails and exports, so
// they must print as one honest line.
func nameProblem(s string) string {
	switch {
	case s == "":
		return "is empty"
	case !utf8.ValidString(s):
		return fmt.Sprintf("%s is not valid UTF-8", quote(s))
	case len(s) > MaxNameLen:
		return fmt.Sprintf("is %d bytes long; at most %d are allowed", len(s), MaxNameLen)
	case strings.TrimSpace(s) == "":
		return fmt.Sprintf("%s is blank", quote(s))
	case strings.TrimSpace(s) != s:
		return fmt.Sprintf("%s has leading or trailing space", quote(s))
	}
	for _, r := range s {
		if forbiddenInName(r) {
			return fmt.Sprintf("%s contains the control character %U", quote(s), r)
		}
	}
	return ""
}

// forbiddenInName reports whether r may not appear in a name: C0 and C1
// controls, line and paragraph separators (they break a name over lines), and
// bidirectional embeddings, overrides and isolates (they can make a name
// display as a different one).
func forbiddenInName(r rune) bool {
	switch {
	case unicode.IsControl(r):
		return true
	case r == '\u2028', r == '\u2029':
		return true
	case '\u202A' <= r && r <= '\u202E', '\u2066' <= r && r <= '\u2069':
		return true
	}
	return false
}

// idOrNew names an entity the store has not yet given an id.
func idOrNew(id string) string {
	if id == "" {
		return "(new)"
	}
	return id
}
