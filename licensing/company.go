package licensing

import (
	"fmt"
	"strings"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
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
		return errs.E(errs.Invalid, op, "company %s: name %s", idOrNew(c.ID), p).
			Say("The company name %s.", peopleNameProblem(c.Name))
	}
	if !c.Tier.Valid() {
		return errs.E(errs.Invalid, op, "company %s: tier %s is not one of %q, %q, %q",
			companyRef(c), quote(string(c.Tier)), Standard, Advanced, Premium)
	}
	return nil
}

// nameProblem returns what is wrong with a company or office name, or "" when
// nothing is. Names are shown in admin portals, audit trails and exports, so
// they must print as one honest line: the shared text policy refuses invalid
// UTF-8 and invisible or layout-changing characters (control, line-separator,
// bidirectional, format and other default-ignorable characters, joiners out
// of a script's or emoji's context), and the message names the character,
// never the name.
func nameProblem(s string) errs.Phrase {
	switch {
	case s == "":
		return "is empty"
	case len(s) > MaxNameLen:
		return errs.Phrase(fmt.Sprintf("is %d bytes long; at most %d are allowed", len(s), MaxNameLen))
	}
	if p := text.Problem(s); p != "" {
		return errs.Phrase(p)
	}
	switch {
	case strings.TrimSpace(s) == "":
		return errs.Phrase(fmt.Sprintf("%s is blank", quote(s)))
	case strings.TrimSpace(s) != s:
		return errs.Phrase(fmt.Sprintf("%s has leading or trailing space", quote(s)))
	}
	return ""
}

// peopleNameProblem is nameProblem in an administrator's words, to follow
// "The office name " or "The company name ".
func peopleNameProblem(s string) string {
	switch {
	case s == "":
		return "is required"
	case len(s) > MaxNameLen:
		return fmt.Sprintf("is too long: it can be at most %d characters", MaxNameLen)
	}
	if p := text.PeopleProblem(s); p != "" {
		return p
	}
	if strings.TrimSpace(s) == "" {
		return "is blank"
	}
	return "starts or ends with spaces; remove them"
}

// idOrNew names an entity the store has not yet given an id, and clips a
// long id.
func idOrNew(id string) string {
	if id == "" {
		return "(new)"
	}
	return errs.Clip(id)
}
