package lifeline

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// The listing operations of the admin portal, declared once.
var (
	specSearchUsers     = declare("user.search", access.ReadUser, false)
	specCountUsersByTab = declare("user.count-by-tab", access.ReadUser, false)
)

// Tab is one of the users tabs of an admin portal: a group of states.
type Tab = lifecycle.Tab

// The portal's tabs. Pending is Setup Required and Password Required
// together (seats kept for later and people who have not set a password).
const (
	TabActive    = lifecycle.TabActive
	TabPending   = lifecycle.TabPending
	TabSuspended = lifecycle.TabSuspended
	TabDeleted   = lifecycle.TabDeleted
)

// Bounds of a user search.
const (
	// DefaultSearchLimit is the page size of a search that gives none.
	DefaultSearchLimit = 50
	// MaxSearchLimit is the largest page a search returns.
	MaxSearchLimit = 500
	// MaxSearchText is the longest search text, in bytes.
	MaxSearchText = 200
	// MaxSearchOffices is the most offices one search may name.
	MaxSearchOffices = 1000
)

// UserSearch selects users of one company, as an admin portal's users tabs
// and search bar do. Zero fields do not filter. Anonymized users are never
// listed: they are no one any more (ListUsers still counts them).
type UserSearch struct {
	// CompanyID is required.
	CompanyID string
	// Tab keeps one tab's users; "" keeps every user that is not
	// anonymized.
	Tab Tab
	// OfficeIDs keeps users of these offices. An office admin or manager
	// who names none gets the offices it is given; naming one outside them
	// is forbidden. A member's search is of itself only, and naming
	// offices is forbidden to it.
	OfficeIDs []string
	// Role keeps users of that role; RoleMember keeps the users with no
	// admin role.
	Role Role
	// Analytics, when set, keeps the users whose analytics permission is
	// *Analytics.
	Analytics *bool
	// LicenseType keeps the users holding a license of that type.
	LicenseType LicenseType
	// Text keeps users whose name, email or username starts with it, in
	// any case and with or without accents: "zoë" finds "Zoe" and "ZOË".
	// Names match as "first last" and as "last first", so "lovelace"
	// and "ada lov" both find Ada Lovelace. Text made of digits also
	// finds the extensions starting with it. Surrounding spaces are
	// ignored; at most MaxSearchText bytes.
	Text string
	// Sort is the order of the list: SortByExtension (the default) or
	// SortByName.
	Sort UserSort
	// Cursor resumes after the previous page: pass its Next as it is, with
	// the same Sort.
	Cursor string
	// Limit is the page size: 0 means DefaultSearchLimit; at most
	// MaxSearchLimit.
	Limit int
}

// UserSort is the order of a user search.
type UserSort string

// The orders of a user search.
const (
	// SortByExtension lists users in extension order, numerically.
	SortByExtension UserSort = ""
	// SortByName lists users by last name, then first name, compared as
	// the search text is (in any case, with or without accents), then by
	// extension. Users without a name (empty extensions) come first.
	SortByName UserSort = "name"
)

// SearchHit is one user of a search's page.
type SearchHit struct {
	User
	// RestoreIn is, for a deleted user, how long it can still be restored
	// (0 once its restore window is over: the next sweep anonymizes it).
	RestoreIn time.Duration
}

// UserPage is one page of a search and the cursor of the next ("" on the
// last page).
type UserPage struct {
	Users []SearchHit
	Next  string
}

// SearchUsers lists a page of one company's users that the actor may see,
// filtered by tab, office, role, analytics, license type and text, in
// extension order (numerically, as a phone system's directory lists
// them) or, with SortByName, by last name, first name and extension. The actor's scope goes into the query: a company admin searches
// the company, an office admin or manager the offices it is given, a
// member itself.
//
// Pages are cut by an opaque keyset cursor, never by offset: a user that
// exists while a caller pages through is listed exactly once, whatever is
// created or deleted meanwhile (a user that changes tab between pages may
// be listed on none or both of two tabs' pages, as it moved). In name
// order the same holds of a user renamed between pages, and a page resumes
// after the previous page's last user as it is named now; a cursor names
// that user by extension and id, never by name, so a portal's URL carries
// no name. Each page is one snapshot; two pages are two.
type SearchUsers struct{ UserSearch }

// Spec implements Operation.
func (SearchUsers) Spec() OpSpec { return specSearchUsers }

func (x SearchUsers) prepare(context.Context, *Service) (step[UserPage], error) {
	q, after, err := checkUserSearch(specSearchUsers.Name, x.UserSearch, false)
	if err != nil {
		return nil, err
	}
	return func(o *op) (UserPage, error) {
		f, none, err := o.userSearchFilter(q)
		if err != nil || none {
			return UserPage{}, err
		}
		f.ByName, f.AfterExtension, f.Limit = q.Sort == SortByName, after.ext, q.Limit+1
		if after.userID != "" {
			// The name the page resumes after is the user's name now: a
			// user renamed between pages moves, as in any keyset.
			u, err := o.getUser(after.userID)
			if errs.Is(err, errs.NotFound) || (err == nil && (u.CompanyID != q.CompanyID || u.State() == lifecycle.Anonymized)) {
				return UserPage{}, errs.E(errs.Invalid, o.name, "the page this cursor continues from is gone: start again from the first page").
					Say("The page this link continues from is gone. Start again from the first page.")
			}
			if err != nil {
				return UserPage{}, err
			}
			f.AfterName = text.SearchKey(u.Person.LastName + " " + u.Person.FirstName)
		}
		list, err := searchUsers(o.ctx, o.tx, f)
		if err != nil {
			return UserPage{}, err
		}
		var page UserPage
		if len(list) > q.Limit {
			list = list[:q.Limit]
			page.Next = userCursor(q.Sort, list[len(list)-1])
		}
		page.Users = make([]SearchHit, len(list))
		for i, u := range list {
			h := SearchHit{User: viewOf(u)}
			if u.State() == lifecycle.Deleted {
				h.RestoreIn = max(u.RestoreUntil.Sub(o.now), 0)
			}
			page.Users[i] = h
		}
		return page, nil
	}, nil
}

// SearchUsers returns a page of users. See [SearchUsers].
func (s *Service) SearchUsers(ctx context.Context, actor Actor, q UserSearch) (UserPage, error) {
	return Do(ctx, s, actor, SearchUsers{q})
}

// TabCounts are the numbers of users per tab, for the tab headers.
type TabCounts struct {
	Active, Pending, Suspended, Deleted int
}

// All is the number of users in every tab.
func (c TabCounts) All() int { return c.Active + c.Pending + c.Suspended + c.Deleted }

// Of returns the count of tab t.
func (c TabCounts) Of(t Tab) int {
	switch t {
	case TabActive:
		return c.Active
	case TabPending:
		return c.Pending
	case TabSuspended:
		return c.Suspended
	case TabDeleted:
		return c.Deleted
	case "":
		return c.All()
	}
	return 0
}

// CountUsersByTab counts, per tab, the users a search would list (Tab,
// Cursor and Limit must be left empty), in one grouped query scoped to the
// actor as SearchUsers is.
type CountUsersByTab struct{ UserSearch }

// Spec implements Operation.
func (CountUsersByTab) Spec() OpSpec { return specCountUsersByTab }

func (x CountUsersByTab) prepare(context.Context, *Service) (step[TabCounts], error) {
	q, _, err := checkUserSearch(specCountUsersByTab.Name, x.UserSearch, true)
	if err != nil {
		return nil, err
	}
	return func(o *op) (TabCounts, error) {
		f, none, err := o.userSearchFilter(q)
		if err != nil || none {
			return TabCounts{}, err
		}
		m, err := countUsersByTab(o.ctx, o.tx, f)
		if err != nil {
			return TabCounts{}, err
		}
		return TabCounts{Active: m[TabActive], Pending: m[TabPending], Suspended: m[TabSuspended], Deleted: m[TabDeleted]}, nil
	}, nil
}

// CountUsersByTab counts users per tab. See [CountUsersByTab].
func (s *Service) CountUsersByTab(ctx context.Context, actor Actor, q UserSearch) (TabCounts, error) {
	return Do(ctx, s, actor, CountUsersByTab{q})
}

// checkUserSearch validates q before any store is asked and returns it
// with its defaults, and the extension its cursor resumes after.
func checkUserSearch(opName string, q UserSearch, count bool) (UserSearch, cursor, error) {
	if err := checkID(opName, "company id", q.CompanyID); err != nil {
		return q, cursor{}, err
	}
	if count && (q.Tab != "" || q.Cursor != "" || q.Limit != 0 || q.Sort != SortByExtension) {
		return q, cursor{}, errs.E(errs.Invalid, opName, "counts cover every tab at once: leave Tab, Sort, Cursor and Limit empty").
			Say("Counts cover every tab at once: leave the tab, the order, the cursor and the limit empty.")
	}
	if q.Sort != SortByExtension && q.Sort != SortByName {
		return q, cursor{}, errs.E(errs.Invalid, opName, "%q is not an order; want name or empty for extension order", q.Sort).
			Say("%s is not an order; choose by name or by extension.", errs.Quote(string(q.Sort)))
	}
	if q.Tab != "" && !q.Tab.Valid() {
		return q, cursor{}, errs.E(errs.Invalid, opName, "%q is not a tab; want active, pending, suspended, deleted or empty for all", q.Tab).
			Say("%s is not a tab; choose Active, Pending, Suspended or Deleted.", errs.Quote(string(q.Tab)))
	}
	if len(q.OfficeIDs) > MaxSearchOffices {
		return q, cursor{}, errs.E(errs.Invalid, opName, "%d offices named; at most %d", len(q.OfficeIDs), MaxSearchOffices)
	}
	offices := slices.Clone(q.OfficeIDs)
	for _, id := range offices {
		if err := checkID(opName, "office id", id); err != nil {
			return q, cursor{}, err
		}
	}
	slices.Sort(offices)
	q.OfficeIDs = slices.Compact(offices)
	if q.Role != "" && !q.Role.Valid() {
		return q, cursor{}, errs.E(errs.Invalid, opName, "%q is not a role", q.Role).
			Say("%s is not a role; choose company admin, office admin, office manager or member.", errs.Quote(string(q.Role)))
	}
	if q.Analytics != nil {
		v := *q.Analytics
		q.Analytics = &v
	}
	if q.LicenseType != "" {
		if err := q.LicenseType.Validate(); err != nil {
			return q, cursor{}, err
		}
	}
	q.Text = strings.TrimSpace(q.Text)
	if err := text.Check(opName, "search text", q.Text, MaxSearchText, false); err != nil {
		return q, cursor{}, err
	}
	after, err := parseUserCursor(opName, q.Sort, q.Cursor)
	if err != nil {
		return q, cursor{}, err
	}
	switch {
	case q.Limit <= 0:
		q.Limit = DefaultSearchLimit
	case q.Limit > MaxSearchLimit:
		q.Limit = MaxSearchLimit
	}
	return q, after, nil
}

// cursor is where a page resumes: after the user holding ext, and in name
// order after that user's name (read from userID when the page runs).
type cursor struct{ ext, userID string }

// userCursor is the cursor of a page whose last user is u. In extension
// order an extension is held by one user of a company that is not
// anonymized, so it is the whole keyset: "x" and the extension. In name
// order the cursor is "n", the extension, "." and the user's id: never
// its name, which would put a name in a portal's URL.
func userCursor(sort UserSort, u lifecycle.User) string {
	if sort == SortByName {
		return "n" + u.Extension + "." + u.ID
	}
	return "x" + u.Extension
}

func parseUserCursor(opName string, sort UserSort, c string) (cursor, error) {
	if c == "" {
		return cursor{}, nil
	}
	bad := errs.E(errs.Invalid, opName, "cursor %q is not one SearchUsers gave for this order", c).
		Say("The page link is not valid any more. Start again from the first page.")
	if sort == SortByName {
		rest, ok := strings.CutPrefix(c, "n")
		ext, id, ok2 := strings.Cut(rest, ".")
		if !ok || !ok2 || lifecycle.ValidateExtension(ext) != nil || checkID(opName, "user id", id) != nil {
			return cursor{}, bad
		}
		return cursor{ext: ext, userID: id}, nil
	}
	ext, ok := strings.CutPrefix(c, "x")
	if !ok || lifecycle.ValidateExtension(ext) != nil {
		return cursor{}, bad
	}
	return cursor{ext: ext}, nil
}

// userSearchFilter turns a checked search into the store's filter, with
// the actor's scope in it; none reports a scope that is empty (an office
// admin given no office), so there is nothing to ask the store.
func (o *op) userSearchFilter(q UserSearch) (f store.UserSearch, none bool, err error) {
	c, err := o.loadCompany(q.CompanyID)
	if err != nil {
		return f, false, err
	}
	for _, id := range q.OfficeIDs {
		off, err := o.loadOffice(id)
		if err != nil {
			return f, false, err
		}
		if off.CompanyID != c.ID {
			return f, false, errs.E(errs.NotFound, o.name, "office %q does not exist in company %q", id, c.ID)
		}
	}
	f = store.UserSearch{CompanyID: c.ID, Tab: q.Tab, OfficeIDs: q.OfficeIDs, Role: q.Role,
		Analytics: q.Analytics, LicenseType: q.LicenseType, Text: q.Text}
	t := access.Target{CompanyID: c.ID, OfficeIDs: q.OfficeIDs}
	p := o.principal
	switch scope := access.ScopeOf(p.Role, access.ReadUser); {
	case p.System != "" || scope == access.ScopeCompany:
		o.authorized = true
	case scope == access.ScopeOffices && len(q.OfficeIDs) == 0:
		o.authorized = true
		f.OfficeIDs = slices.Clone(p.Offices)
		return f, len(f.OfficeIDs) == 0, nil
	case scope == access.ScopeSelf && len(q.OfficeIDs) == 0:
		o.authorized = true
		f.UserID = p.UserID
	default:
		// Offices named by an office-scoped actor must all be its own; a
		// member names none.
		if err := o.authorize(t); err != nil {
			return f, false, err
		}
		if scope == access.ScopeSelf {
			f.UserID = p.UserID
		}
	}
	return f, false, nil
}

// EmailInUseError is the conflict of an email address that another user
// of the company holds; errors.Is(err, ErrConflict) matches it. Addresses
// are compared without regard to case. When the holder is deleted, the
// address frees up only when it is anonymized: the sweeper does that at
// its first run at or after the end of the restore window (RestoreUntil),
// and no later than the purge deadline (PurgeBy) as long as the sweeper
// runs; until then the deleted user can be restored with its address.
type EmailInUseError struct {
	// Op is the operation refused.
	Op string
	// Email is the address asked for; UserID the user holding it, in
	// State.
	Email  string
	UserID string
	State  State
	// RestoreUntil and PurgeBy are the holder's deadlines when it is
	// deleted.
	RestoreUntil, PurgeBy time.Time

	msg string
}

func emailInUse(o *op, email string, holder lifecycle.User) *EmailInUseError {
	e := &EmailInUseError{Op: o.name, Email: email, UserID: holder.ID, State: holder.State()}
	addr := errs.Clip(email)
	if holder.State() != lifecycle.Deleted {
		e.msg = fmt.Sprintf("email %s is already used by user %s in this company", addr, holder.ID)
		return e
	}
	e.RestoreUntil, e.PurgeBy = holder.RestoreUntil, holder.PurgeBy
	when := "the first sweep at or after " + holder.RestoreUntil.Format(time.RFC3339)
	if !o.now.Before(holder.RestoreUntil) {
		when = "the next sweep (its restore window ended at " + holder.RestoreUntil.Format(time.RFC3339) + ")"
	}
	e.msg = fmt.Sprintf("email %s belongs to user %s, which is deleted and can be restored until %s; the address frees up when that user is anonymized: at %s, by %s at the latest",
		addr, holder.ID, holder.RestoreUntil.Format(time.RFC3339), when, holder.PurgeBy.Format(time.RFC3339))
	return e
}

// people says who holds the address as an administrator sees it: in use,
// or held by a deleted user until it can no longer be restored.
func (e *EmailInUseError) people() string {
	if e.State != lifecycle.Deleted {
		return fmt.Sprintf("The email address %s is already used by another user of this company.", errs.Quote(e.Email))
	}
	return fmt.Sprintf("The email address %s belongs to a deleted user who can be restored until %s UTC; it frees up once that user's data is erased, by %s UTC at the latest.",
		errs.Quote(e.Email), e.RestoreUntil.UTC().Format("2 January 2006 15:04"), e.PurgeBy.UTC().Format("2 January 2006 15:04"))
}

func (e *EmailInUseError) Error() string { return e.Op + ": " + e.msg }

// Is reports whether target is ErrConflict.
func (e *EmailInUseError) Is(target error) bool { return target == errs.ErrConflict }

// Unwrap returns the error as an *errs.Error of kind errs.Conflict, so that
// errs.KindOf sees its kind too.
func (e *EmailInUseError) Unwrap() error {
	return &errs.Error{Kind: errs.Conflict, Op: e.Op, Msg: e.msg, People: e.people()}
}
