package access

import (
	"errors"
	"fmt"

	"github.com/lifeline-go/lifeline/licensing"
)

// actionPhrases say what an action lets a person do, as the end of "You
// cannot …".
var actionPhrases = map[Action]string{
	ReadUser:         "see this user",
	CreateUser:       "create users",
	UpdateUser:       "change this user's details",
	SetCredentials:   "change this user's password, voicemail PIN or email",
	SuspendUser:      "suspend or reinstate this user",
	ResetUser:        "reset or recycle this user",
	DeleteUser:       "delete, restore or erase this user",
	TransferUser:     "move users between offices",
	GrantRole:        "grant or revoke admin roles",
	GrantAnalytics:   "grant analytics access",
	GrantProxy:       "grant proxy access",
	ReadNumbers:      "see these phone numbers",
	AssignNumbers:    "assign or unassign this phone number",
	ManageInventory:  "add or release phone numbers",
	ReadLicenses:     "see these licenses",
	ManageLicenses:   "change these licenses",
	TransferLicenses: "transfer licenses between offices",
	ReadCompany:      "see this company's offices",
	ManageCompany:    "change the company's plan or offices",
	ReadAudit:        "see the audit trail",
	ManageRecording:  "manage this user's recordings",
	ReadRecordings:   "see these recordings",
	PlaceHold:        "place or release legal holds",
	StageChanges:     "stage or confirm change sets",
	ResyncAccount:    "re-sync the carrier account",
}

// roleNames are the roles as the portal shows them.
var roleNames = map[Role]string{
	CompanyAdmin:  "company admin",
	OfficeAdmin:   "office admin",
	OfficeManager: "office manager",
	Member:        "member",
}

// phrase returns what a lets a person do; an empty action is proxying.
func (a Action) phrase() string {
	if a == "" {
		return "act as this user"
	}
	if p, ok := actionPhrases[a]; ok {
		return p
	}
	return "do that"
}

// name returns the role as the portal shows it.
func (r Role) name() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return "no known role"
}

// people returns the message for people of a refusal for reason of role r
// doing a, in the words the portal uses: it names the role and what was
// refused, never the action's code or an id.
func people(reason error, r Role, a Action) string {
	what := a.phrase()
	switch {
	case errors.Is(reason, ErrOtherCompany):
		return "That user, office or company does not exist, or you cannot see it."
	case errors.Is(reason, ErrPasswordRequired):
		return "Set your password first; until then you can do nothing else."
	case errors.Is(reason, ErrSelf):
		return fmt.Sprintf("You cannot %s: it is your own account.", what)
	case errors.Is(reason, ErrOutranked):
		if a == GrantRole {
			return fmt.Sprintf("You cannot grant a role above your own (%s).", r.name())
		}
		return fmt.Sprintf("You cannot %s: their role ranks above yours (%s).", what, r.name())
	case errors.Is(reason, ErrNoProxyGrant):
		return "You cannot act as another user: you have not been granted proxy access."
	case errors.Is(reason, ErrOutOfScope) && r == Member:
		return fmt.Sprintf("You cannot %s: your role (member) lets you manage only yourself.", what)
	case errors.Is(reason, ErrOutOfScope):
		return fmt.Sprintf("You cannot %s: your role (%s) covers only the offices you are given.", what, r.name())
	case errors.Is(reason, ErrNotAllowed) && r == Member:
		return fmt.Sprintf("You cannot %s: your role (member) lets you manage only yourself.", what)
	}
	return fmt.Sprintf("You cannot %s: your role (%s) does not allow it.", what, r.name())
}

// tierPeople returns the message for people of a refusal because of the
// plan tier.
func tierPeople(a Action, tier licensing.Tier) string {
	plan := "current"
	switch tier {
	case licensing.Standard, licensing.Advanced, licensing.Premium:
		plan = tierName(tier)
	}
	return fmt.Sprintf("You cannot %s on the %s plan: it needs the Advanced or Premium plan.", a.phrase(), plan)
}

func tierName(t licensing.Tier) string {
	switch t {
	case licensing.Standard:
		return "Standard"
	case licensing.Advanced:
		return "Advanced"
	}
	return "Premium"
}
