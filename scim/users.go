package scim

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// Paging bounds of a list.
const (
	// DefaultCount is the page size of a list that asks for none.
	DefaultCount = 100
	// MaxCount is the largest page a list returns.
	MaxCount = 500
)

// visibleStates are the states of SCIM Users (see visible).
var visibleStates = []lifeline.State{lifecycle.Active, lifecycle.PasswordRequired, lifecycle.Suspended}

// listJSON is a ListResponse.
type listJSON struct {
	Schemas      []string `json:"schemas"`
	TotalResults int      `json:"totalResults"`
	StartIndex   int      `json:"startIndex"`
	ItemsPerPage int      `json:"itemsPerPage"`
	Resources    []any    `json:"Resources"`
}

// intParam reads a paging parameter: absent is def, and anything but an
// integer is refused.
func intParam(r *http.Request, name string, def int) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return def, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(s))
	if err != nil {
		return 0, invalidValue("%s must be an integer, not %s", name, clipQuote(s))
	}
	return n, nil
}

// list answers GET /Users: every User of the company, or those a filter
// selects, in id order, a page at a time (startIndex is 1-based; a
// startIndex below 1 reads as 1 and a negative count as 0, as RFC 7644
// section 3.4.2.4 says).
func (h *handler) list(w http.ResponseWriter, r *request) error {
	start, err := intParam(r.Request, "startIndex", 1)
	if err != nil {
		return err
	}
	count, err := intParam(r.Request, "count", DefaultCount)
	if err != nil {
		return err
	}
	start, count = max(start, 1), min(max(count, 0), MaxCount)
	var users []lifeline.User
	total := 0
	if f := r.URL.Query().Get("filter"); strings.TrimSpace(f) != "" {
		terms, err := parseFilter(f)
		if err != nil {
			return err
		}
		matched, err := h.lookup(r, terms)
		if err != nil {
			return err
		}
		total = len(matched)
		if start-1 < len(matched) {
			users = matched[start-1 : min(len(matched), start-1+count)]
		}
	} else if users, total, err = h.page(r, start, count); err != nil {
		return err
	}
	resp := listJSON{Schemas: []string{urnList}, TotalResults: total, StartIndex: start, ItemsPerPage: len(users), Resources: []any{}}
	b := base(r.Request)
	for _, u := range users {
		resp.Resources = append(resp.Resources, toJSON(u, b))
	}
	writeJSON(w, http.StatusOK, resp)
	return nil
}

// page walks the company's Users in id order, keeping count from the
// start-th and counting them all. It reads the company in pages of a
// thousand, each its own snapshot.
func (h *handler) page(r *request, start, count int) ([]lifeline.User, int, error) {
	var (
		out   []lifeline.User
		total int
		after string
	)
	for {
		list, err := h.svc.ListUsers(r.ctx(), r.actor, lifeline.UserQuery{CompanyID: r.company, States: visibleStates, AfterID: after, Limit: 1000})
		if err != nil {
			return nil, 0, err
		}
		for _, u := range list {
			total++
			if total >= start && len(out) < count {
				out = append(out, u)
			}
		}
		if len(list) < 1000 {
			return out, total, nil
		}
		after = list[len(list)-1].ID
	}
}

// lookup returns the Users matching every term, in id order. One term
// drives the read — an external id through ListUsers, a userName or an
// email through SearchUsers' prefix search — and every term is then
// checked on each candidate: userName and email without regard to case
// (they are case-insensitive in SCIM and in lifeline), externalId exactly.
func (h *handler) lookup(r *request, terms []term) ([]lifeline.User, error) {
	driver := terms[0]
	for _, t := range terms {
		if t.Value == "" {
			return nil, nil // no User has an empty userName, email or external id
		}
		if t.Attr == attrExternalID {
			driver = t
		}
	}
	var candidates []lifeline.User
	if driver.Attr == attrExternalID {
		list, err := h.svc.ListUsers(r.ctx(), r.actor, lifeline.UserQuery{CompanyID: r.company, States: visibleStates, ExternalID: driver.Value})
		if errors.Is(err, lifeline.ErrInvalid) {
			return nil, nil // not an id lifeline could have stored
		}
		if err != nil {
			return nil, err
		}
		candidates = list
	} else {
		list, err := h.search(r, driver.Value)
		if err != nil {
			return nil, err
		}
		candidates = list
	}
	var out []lifeline.User
	for _, u := range candidates {
		if visible(u) && matches(u, terms) {
			out = append(out, u)
		}
	}
	slices.SortFunc(out, func(a, b lifeline.User) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func matches(u lifeline.User, terms []term) bool {
	for _, t := range terms {
		var ok bool
		switch t.Attr {
		case attrUserName:
			ok = strings.EqualFold(userName(u), t.Value)
		case attrExternalID:
			ok = u.ExternalID == t.Value
		case attrWorkEmail:
			ok = u.Email != "" && strings.EqualFold(u.Email, t.Value)
		}
		if !ok {
			return false
		}
	}
	return true
}

// search returns the users whose name, email, username or extension
// starts with text (lifeline's search, which folds case and accents): a
// superset of those whose userName or email is text.
func (h *handler) search(r *request, text string) ([]lifeline.User, error) {
	if len(text) > lifeline.MaxSearchText {
		cut := lifeline.MaxSearchText
		for cut > 0 && !utf8RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	var out []lifeline.User
	cursor := ""
	for {
		page, err := h.svc.SearchUsers(r.ctx(), r.actor, lifeline.UserSearch{CompanyID: r.company, Text: text, Cursor: cursor, Limit: lifeline.MaxSearchLimit})
		if errors.Is(err, lifeline.ErrInvalid) && cursor == "" {
			return nil, nil // text no user's name or login could start with
		}
		if err != nil {
			return nil, err
		}
		for _, hit := range page.Users {
			out = append(out, hit.User)
		}
		if page.Next == "" {
			return out, nil
		}
		cursor = page.Next
	}
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// load reads a User of the principal's company; anything else is 404.
func (h *handler) load(r *request, id string) (lifeline.User, error) {
	u, err := h.svc.GetUser(r.ctx(), r.actor, id)
	if errors.Is(err, lifeline.ErrInvalid) {
		return u, notFound(id)
	}
	if err != nil {
		return u, err
	}
	if !visible(u) || u.CompanyID != r.company {
		return u, notFound(id)
	}
	return u, nil
}

func notFound(id string) error {
	return &scimError{status: http.StatusNotFound, detail: "user " + clipQuote(id) + " does not exist"}
}

// get answers GET /Users/{id}.
func (h *handler) get(w http.ResponseWriter, r *request) error {
	u, err := h.load(r, r.id)
	if err != nil {
		return err
	}
	if none := r.Header.Get("If-None-Match"); none != "" && matchesETag(none, u) {
		w.Header().Set("ETag", etag(u))
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	writeUser(w, r, http.StatusOK, u)
	return nil
}

// create answers POST /Users.
func (h *handler) create(w http.ResponseWriter, r *request) error {
	o, err := h.body(w, r)
	if err != nil {
		return err
	}
	var d desired
	if err := d.fromResource(o); err != nil {
		return err
	}
	username, email, err := d.login()
	if err != nil {
		return err
	}
	h.claims.Lock()
	defer h.claims.Unlock()
	if err := h.userNameFree(r, d.UserName, ""); err != nil {
		return err
	}
	office, err := h.office(r)
	if err != nil {
		return err
	}
	u, err := lifeline.Do(r.ctx(), h.svc, r.actor, lifeline.CreateUser{NewUser: lifeline.NewUser{
		OfficeID: office, Person: lifeline.Person{FirstName: d.GivenName, LastName: d.FamilyName},
		Email: email, Username: username, ExternalID: d.ExternalID,
	}})
	if err != nil {
		return err
	}
	if !d.Active {
		// The new user's id is known only once it exists, so a user
		// created inactive is suspended in a second transaction.
		if _, err = lifeline.Do(r.ctx(), h.svc, r.actor, lifeline.Suspend{UserID: u.ID}); err != nil {
			return err
		}
		if u, err = h.svc.GetUser(r.ctx(), r.actor, u.ID); err != nil {
			return err
		}
	}
	writeUser(w, r, http.StatusCreated, u)
	return nil
}

// userNameFree refuses a userName another User of the company holds
// (selfID is the user being changed). An address is also checked by
// lifeline itself, which keeps emails unique per company.
func (h *handler) userNameFree(r *request, name, selfID string) error {
	taken, err := h.lookup(r, []term{{Attr: attrUserName, Value: name}})
	if err != nil {
		return err
	}
	for _, u := range taken {
		if u.ID != selfID {
			return &scimError{status: http.StatusConflict, scimType: "uniqueness", detail: "userName " + clipQuote(name) + " is already taken in this company"}
		}
	}
	return nil
}

// office is the office of a user the endpoint creates.
func (h *handler) office(r *request) (string, error) {
	if h.cfg.Office != nil {
		return h.cfg.Office(r.Request, r.company)
	}
	offices, err := h.svc.ListOffices(r.ctx(), r.actor, r.company)
	if err != nil {
		return "", err
	}
	if len(offices) == 0 {
		return "", &scimError{status: http.StatusConflict, detail: "the company has no office to create users in"}
	}
	return offices[0].ID, nil
}

// replace answers PUT /Users/{id}. Attributes the resource leaves out are
// cleared (externalId, emails), except the name: lifeline keeps a first
// and last name for every person, so a resource without one keeps the
// current name.
func (h *handler) replace(w http.ResponseWriter, r *request) error {
	return h.change(w, r, func(cur lifeline.User, o object) (desired, error) {
		d := desired{GivenName: cur.Person.FirstName, FamilyName: cur.Person.LastName}
		return d, d.fromResource(o)
	})
}

// patch answers PATCH /Users/{id}.
func (h *handler) patch(w http.ResponseWriter, r *request) error {
	return h.change(w, r, func(cur lifeline.User, o object) (desired, error) {
		ops, err := parsePatch(o)
		if err != nil {
			return desired{}, err
		}
		d := desiredOf(cur)
		for _, op := range ops {
			if err := d.apply(op); err != nil {
				return desired{}, err
			}
		}
		return d, nil
	})
}

// change runs a PUT or a PATCH: it reads the body and the user, computes
// what the user should be, and runs the lifeline operations that make it
// so in one transaction, at the version it read. When the user changed
// between the read and the write, a request with If-Match is refused
// (412); one without is computed afresh, a few times at most.
func (h *handler) change(w http.ResponseWriter, r *request, want func(cur lifeline.User, o object) (desired, error)) error {
	o, err := h.body(w, r)
	if err != nil {
		return err
	}
	for attempt := 1; ; attempt++ {
		cur, err := h.load(r, r.id)
		if err != nil {
			return err
		}
		if err := checkIfMatch(r, cur); err != nil {
			return err
		}
		d, err := want(cur, o)
		if err != nil {
			return err
		}
		u, err := h.apply(r, cur, d)
		if errors.Is(err, lifeline.ErrStale) && r.Header.Get("If-Match") == "" && attempt < maxAttempts {
			continue
		}
		if err != nil {
			return err
		}
		writeUser(w, r, http.StatusOK, u)
		return nil
	}
}

// apply plans and commits the change from cur to d; a change of userName
// holds the handler's claim lock from its uniqueness check to its commit.
func (h *handler) apply(r *request, cur lifeline.User, d desired) (lifeline.User, error) {
	if !strings.EqualFold(d.UserName, userName(cur)) {
		h.claims.Lock()
		defer h.claims.Unlock()
	}
	ops, err := h.plan(r, cur, d)
	if err != nil {
		return cur, err
	}
	return h.commit(r, cur, ops)
}

// maxAttempts bounds how often a change without If-Match is recomputed
// after losing a race with another writer. A change loses only to one that
// committed, so it gets through whenever fewer than maxAttempts requests
// change the same user at once.
const maxAttempts = 5

// plan returns the lifeline operations that take cur to d: an UpdateUser
// of what changed, and Suspend or Reinstate when active changed
// (reinstating first and suspending last, so the update always runs on a
// user that is live either way).
func (h *handler) plan(r *request, cur lifeline.User, d desired) ([]lifeline.Operation[lifeline.User], error) {
	username, email, err := d.login()
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(d.UserName, userName(cur)) {
		if err := h.userNameFree(r, d.UserName, cur.ID); err != nil {
			return nil, err
		}
	}
	var (
		up      lifeline.UserUpdate
		changed bool
	)
	if p := (lifeline.Person{FirstName: d.GivenName, LastName: d.FamilyName}); p != cur.Person {
		up.Person, changed = &p, true
	}
	if !strings.EqualFold(email, cur.Email) {
		up.Email, changed = &email, true
	}
	if username != cur.Username {
		up.Username, changed = &username, true
	}
	if d.ExternalID != cur.ExternalID {
		ext := d.ExternalID
		up.ExternalID, changed = &ext, true
	}
	var ops []lifeline.Operation[lifeline.User]
	suspended := cur.State() == lifecycle.Suspended
	if d.Active && suspended {
		ops = append(ops, lifeline.Reinstate{UserID: cur.ID})
	}
	if changed {
		ops = append(ops, lifeline.UpdateUser{UserID: cur.ID, UserUpdate: up})
	}
	if !d.Active && !suspended {
		ops = append(ops, lifeline.Suspend{UserID: cur.ID})
	}
	return ops, nil
}

// delete answers DELETE /Users/{id}: lifeline's delete, with its restore
// window; the user is then not found.
func (h *handler) delete(w http.ResponseWriter, r *request) error {
	cur, err := h.load(r, r.id)
	if err != nil {
		return err
	}
	if err := checkIfMatch(r, cur); err != nil {
		return err
	}
	if _, err := h.commit(r, cur, []lifeline.Operation[lifeline.User]{lifeline.Delete{UserID: cur.ID}}); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
