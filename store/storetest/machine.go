package storetest

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"pgregory.net/rapid"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// The number of sequences. rapid reads how many test cases to run from its
// -rapid.checks flag (default 100, or $RAPID_CHECKS) when rapid.Check
// starts; it has no per-call setting. runStateMachine therefore sets the
// flag's value to Config.Sequences (divided among Config.Parallel stores)
// while its rapid.Check calls run and puts the old value back afterwards —
// unless the flag was given on the command line or through the
// environment, in which case that count wins, per store. A mutex keeps two
// suites in one process from changing the flag under each other. The value
// is set through flag.Value.Set, not flag.Set, so the flag never looks as
// if it came from the command line. Under -short rapid runs a fifth of the
// count, with sequences half as long.
var (
	checksMu              sync.Mutex
	checksFromCommandLine = sync.OnceValue(func() bool {
		if _, ok := os.LookupEnv("RAPID_CHECKS"); ok {
			return true
		}
		set := false
		flag.Visit(func(f *flag.Flag) { set = set || f.Name == "rapid.checks" })
		return set
	})
)

// withChecks runs fn with rapid's check count set to n (see above).
func withChecks(n int, fn func()) {
	checksMu.Lock()
	defer checksMu.Unlock()
	f := flag.Lookup("rapid.checks")
	if f == nil || checksFromCommandLine() {
		fn()
		return
	}
	old := f.Value.String()
	if err := f.Value.Set(strconv.Itoa(n)); err != nil {
		panic("storetest: setting -rapid.checks: " + err.Error())
	}
	defer func() { _ = f.Value.Set(old) }()
	fn()
}

func runStateMachine(t *testing.T, h Harness, cfg Config) {
	n := cfg.Sequences
	if n <= 0 {
		n = DefaultSequences
	}
	p := max(cfg.Parallel, 1)
	check := func(t *testing.T) {
		st := h.NewStore(t)
		rapid.Check(t, func(rt *rapid.T) {
			m := newMachine(rt, st)
			rt.Repeat(m.actions())
		})
	}
	withChecks((n+p-1)/p, func() {
		if p == 1 {
			check(t)
			return
		}
		// The group returns once its parallel subtests are done, so the
		// check count stays set while they run.
		t.Run("parallel", func(t *testing.T) {
			for i := range p {
				t.Run(strconv.Itoa(i), func(t *testing.T) {
					t.Parallel()
					check(t)
				})
			}
		})
	})
}

// The model. It is plain data and hand-written rules, deliberately not
// calling the domain packages' transition code it checks.

type mUser struct {
	id, office, ext  string
	kind             lifecycle.Kind
	state            lifecycle.State
	suspFrom, delFrm lifecycle.State
	person           lifecycle.Person
	email            string
	password         bool
	billing          lifecycle.BillingClass
	licenses         []licensing.LicenseType // sorted; a deleted user keeps the list a restore takes back
	restoreUntil     time.Time
	held             []string // numbers reserved by the deletion, sorted
	markers          []string // every name and email the user ever had
	// staff are the model's actors: never drawn as a target.
	staff bool
}

type mNumber struct {
	e164, office, country      string
	kind                       numbers.Kind
	status                     numbers.Status
	holder, lastHolder, lastOf string
	reservedAt                 time.Time
}

type mPool struct{ total, assigned int }

type poolKey struct {
	office string
	typ    licensing.LicenseType
}

type machine struct {
	ctx     context.Context
	st      store.Store
	svc     *lifeline.Service
	clk     *clock.Mock
	now     time.Time
	co      licensing.Company
	offices []licensing.Office
	users   []*mUser
	byID    map[string]*mUser
	nums    map[string]*mNumber
	pools   map[poolKey]*mPool
	// bought is the company's total of each license type: only SetPoolTotal
	// changes it.
	bought    map[licensing.LicenseType]int
	audit     int // audit records of the company
	overrides int // quarantine overrides
	seq       int
	seenNums  int
	// actor is who the user actions run as: the system, or now and then
	// one of the staff or another company's admin (see machine_access.go).
	actor    lifeline.Actor
	actorP   access.Principal
	foreign  bool
	staff    map[access.Role]*mUser
	stranger lifeline.Actor
}

const missingUser = "usr_storetest_missing"

var extraTypes = []licensing.LicenseType{licensing.AddOn, licensing.AIMeetings, licensing.Seat}

func newMachine(t *rapid.T, st store.Store) *machine {
	clk := clock.NewMock()
	clk.Set(epoch)
	svc, err := lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(cheapHash))
	if err != nil {
		t.Fatal(err)
	}
	m := &machine{ctx: context.Background(), st: st, svc: svc, clk: clk, now: epoch, actor: admin,
		byID: map[string]*mUser{}, nums: map[string]*mNumber{}, pools: map[poolKey]*mPool{}, bought: map[licensing.LicenseType]int{}}
	if m.co, err = svc.CreateCompany(m.ctx, admin, "Model", licensing.Premium); err != nil {
		t.Fatalf("CreateCompany: %v", err)
	}
	m.audit++
	for _, o := range []lifeline.NewOffice{
		{CompanyID: m.co.ID, Name: "US one", Country: "US", PriceLevel: "standard"},
		{CompanyID: m.co.ID, Name: "US two", Country: "US", PriceLevel: "standard"},
		{CompanyID: m.co.ID, Name: "GB", Country: "GB", PriceLevel: "standard"},
		{CompanyID: m.co.ID, Name: "US enterprise", Country: "US", PriceLevel: "enterprise"},
	} {
		off, err := svc.CreateOffice(m.ctx, admin, o)
		if err != nil {
			t.Fatalf("CreateOffice: %v", err)
		}
		m.offices = append(m.offices, off)
		m.audit++
	}
	// A head start, drawn like any step, so that short sequences reach
	// deep states: seats in every office, numbers in the standard ones,
	// and a few users, some holding a number.
	for i, off := range m.offices {
		m.setPoolTotal(t, off, licensing.Seat, 1+rapid.IntRange(0, 3).Draw(t, fmt.Sprintf("seats%d", i)))
		if off.PriceLevel == "standard" {
			m.addLocal(t, off, 1+rapid.IntRange(0, 2).Draw(t, fmt.Sprintf("numbers%d", i)))
		}
	}
	for range 2 + rapid.IntRange(0, 3).Draw(t, "users") {
		m.create(t, "create")
		if rapid.Bool().Draw(t, "withNumber") {
			m.assign(t, false)
		}
	}
	m.hireStaff(t)
	return m
}

func (m *machine) actions() map[string]func(*rapid.T) {
	return map[string]func(*rapid.T){
		"CreateUser":           func(t *rapid.T) { m.create(t, "create") },
		"InviteUser":           func(t *rapid.T) { m.create(t, "invite") },
		"CreateEmptyExtension": func(t *rapid.T) { m.create(t, "empty") },
		"SetPassword":          m.SetPassword,
		"ForcePasswordReset":   m.ForcePasswordReset,
		"Reset":                m.Reset,
		"Recycle":              m.Recycle,
		"Suspend":              m.Suspend,
		"Reinstate":            m.Reinstate,
		"Delete":               m.Delete,
		"Restore":              func(t *rapid.T) { m.restore(t, false) },
		"RestoreSkipTaken":     func(t *rapid.T) { m.restore(t, true) },
		"Erase":                m.Erase,
		"AdvanceClock":         m.AdvanceClock,
		"Sweep":                m.Sweep,
		"AddNumbers":           m.AddNumbers,
		"AssignNumber":         func(t *rapid.T) { m.assign(t, false) },
		"AssignNumberToUser":   func(t *rapid.T) { m.assign(t, true) },
		"UnassignNumber":       m.UnassignNumber,
		"ReleaseNumber":        m.ReleaseNumber,
		"SetPoolTotal":         m.SetPoolTotal,
		"AssignLicense":        m.AssignLicense,
		"RemoveLicense":        m.RemoveLicense,
		"TransferLicenses":     m.TransferLicenses,
		"TransferUser":         m.TransferUser,
		"SetTier":              m.SetTier,
		"AsStaff":              m.AsStaff,
		"":                     m.Check,
	}
}

// Drawing.

func (m *machine) pickOffice(t *rapid.T) licensing.Office {
	return m.offices[rapid.IntRange(0, len(m.offices)-1).Draw(t, "office")]
}

// pickUser draws a user, preferring (4 times in 5) one that pref accepts;
// now and then it draws an id that does not exist.
func (m *machine) pickUser(t *rapid.T, pref func(*mUser) bool) (string, *mUser) {
	var cands []*mUser
	for _, u := range m.users {
		if !u.staff {
			cands = append(cands, u)
		}
	}
	if len(cands) == 0 || oneIn(t, 30, "missingUser") {
		return missingUser, nil
	}
	if pref != nil && !oneIn(t, 5, "anyUser") {
		var c []*mUser
		for _, u := range cands {
			if pref(u) {
				c = append(c, u)
			}
		}
		if len(c) > 0 {
			cands = c
		}
	}
	u := cands[rapid.IntRange(0, len(cands)-1).Draw(t, "user")]
	return u.id, u
}

func (m *machine) sortedNumbers() []string {
	var list []string
	for e := range m.nums {
		list = append(list, e)
	}
	slices.Sort(list)
	return list
}

// pickNumber draws a number of the company, preferring one pref accepts,
// and now and then one that is in no inventory.
func (m *machine) pickNumber(t *rapid.T, pref func(*mNumber) bool) (string, *mNumber) {
	all := m.sortedNumbers()
	if len(all) == 0 || oneIn(t, 30, "missingNumber") {
		return unusedNumber, nil
	}
	cands := all
	if pref != nil && !oneIn(t, 5, "anyNumber") {
		var c []string
		for _, e := range all {
			if pref(m.nums[e]) {
				c = append(c, e)
			}
		}
		if len(c) > 0 {
			cands = c
		}
	}
	e := cands[rapid.IntRange(0, len(cands)-1).Draw(t, "number")]
	return e, m.nums[e]
}

func (m *machine) freshPerson() (lifecycle.Person, string) {
	m.seq++
	base := []lifecycle.Person{
		{FirstName: "Ada", LastName: "Lovelace"},
		{FirstName: `Robert'); DROP TABLE users;--`, LastName: `O'Brien`},
		{FirstName: "Zoë", LastName: "李"},
		{FirstName: `%_\`, LastName: `"quoted"`},
	}[m.seq%4]
	tag := fmt.Sprintf("·%d·", m.seq)
	return lifecycle.Person{FirstName: base.FirstName + tag, LastName: base.LastName + tag}, fmt.Sprintf("m-%d-x@example.com", m.seq)
}

// emailFor draws "" (when allowed), a fresh email, or one a user of the
// company holds now (to provoke a conflict).
func (m *machine) emailFor(t *rapid.T, allowEmpty bool, fresh string) string {
	var taken []string
	for _, u := range m.users {
		if u.email != "" {
			taken = append(taken, u.email)
		}
	}
	switch {
	case allowEmpty && oneIn(t, 3, "noEmail"):
		return ""
	case len(taken) > 0 && oneIn(t, 10, "takenEmail"):
		return taken[rapid.IntRange(0, len(taken)-1).Draw(t, "whichEmail")]
	}
	return fresh
}

// Model helpers.

func (m *machine) pool(office string, typ licensing.LicenseType) *mPool {
	k := poolKey{office, typ}
	p := m.pools[k]
	if p == nil {
		p = &mPool{}
		m.pools[k] = p
	}
	return p
}

func (m *machine) office(id string) licensing.Office {
	for _, o := range m.offices {
		if o.ID == id {
			return o
		}
	}
	panic("storetest: unknown office " + id)
}

func (m *machine) emailTaken(email, self string) bool {
	if email == "" {
		return false
	}
	for _, u := range m.users {
		if u.id != self && u.email == email {
			return true
		}
	}
	return false
}

func (m *machine) nextExtension() string {
	highest := 99
	for _, u := range m.users {
		if u.state == lifecycle.Anonymized {
			continue
		}
		if n, err := strconv.Atoi(u.ext); err == nil && n > highest {
			highest = n
		}
	}
	return strconv.Itoa(highest + 1)
}

func (m *machine) heldBy(id string) []string {
	var out []string
	for _, e := range m.sortedNumbers() {
		if n := m.nums[e]; n.status == numbers.Assigned && n.holder == id {
			out = append(out, e)
		}
	}
	return out
}

// reserve moves every number u holds to the reserved pool and returns them.
func (m *machine) reserve(u *mUser) []string {
	held := m.heldBy(u.id)
	for _, e := range held {
		n := m.nums[e]
		n.status, n.holder, n.lastHolder, n.lastOf, n.reservedAt = numbers.Reserved, "", u.id, n.office, m.now
	}
	return held
}

func (m *machine) returnLicenses(u *mUser) {
	for _, l := range u.licenses {
		m.pool(u.office, l).assigned--
	}
}

func (m *machine) anonymize(u *mUser) {
	u.state, u.suspFrom, u.delFrm = lifecycle.Anonymized, "", ""
	u.person, u.email, u.password = lifecycle.Person{}, "", false
	u.licenses, u.held, u.restoreUntil = nil, nil, time.Time{}
}

func (m *machine) quarantineOver(n *mNumber) bool { return !m.now.Before(n.reservedAt.Add(quarantine)) }

// oneIn draws true with a probability of about 1/n. rapid favours small
// values, so the rare outcome is the largest value of the range (and
// shrinking leads away from it).
func oneIn(t *rapid.T, n int, label string) bool { return rapid.IntRange(0, n-1).Draw(t, label) == n-1 }

// expect checks the outcome of one call: want nil means success.
func expect(t *rapid.T, what string, err error, want ...error) bool {
	t.Helper()
	wantErr(t, what, err, want...)
	return err == nil
}

func illegal(u *mUser) []error {
	if u.state == lifecycle.Anonymized {
		return []error{lifeline.ErrIllegalTransition, errs.ErrConflict, errs.ErrGone}
	}
	return []error{lifeline.ErrIllegalTransition, errs.ErrConflict}
}

// Actions.

// create creates a user ("create"), an invitee ("invite") or an empty
// extension ("empty"), now and then with bad input, a taken email or no
// free seat.
func (m *machine) create(t *rapid.T, how string) {
	off := m.pickOffice(t)
	if !oneIn(t, 5, "anyOffice") {
		// Mostly an office with a free seat, if there is one.
		var free []licensing.Office
		for _, o := range m.offices {
			if p := m.pool(o.ID, licensing.Seat); p.total > p.assigned {
				free = append(free, o)
			}
		}
		if len(free) > 0 {
			off = free[rapid.IntRange(0, len(free)-1).Draw(t, "freeOffice")]
		}
	}
	bad := oneIn(t, 12, "bad")
	billing := lifecycle.Paid
	if oneIn(t, 6, "free") {
		billing = lifecycle.Free
	}
	p, fresh := m.freshPerson()
	n := lifeline.NewUser{OfficeID: off.ID, Billing: billing}
	kind := lifecycle.Internal
	state := lifecycle.PasswordRequired
	var call func() (lifeline.User, error)
	switch how {
	case "create":
		n.Person, n.Email = p, m.emailFor(t, true, fresh)
		if bad {
			n.Person.LastName = ""
		}
		call = func() (lifeline.User, error) { return m.svc.CreateUser(m.ctx, admin, n) }
	case "invite":
		kind = lifecycle.External
		if rapid.Bool().Draw(t, "named") {
			n.Person = p
		}
		n.Email = m.emailFor(t, false, fresh)
		if bad {
			n.Email = "not an email"
		}
		call = func() (lifeline.User, error) { return m.svc.InviteUser(m.ctx, admin, n) }
	default:
		state = lifecycle.SetupRequired
		if bad {
			n.Email = fresh
		}
		call = func() (lifeline.User, error) { return m.svc.CreateEmptyExtension(m.ctx, admin, n) }
	}
	var want []error
	seat := m.pool(off.ID, licensing.Seat)
	switch {
	case bad:
		want = []error{errs.ErrInvalid}
	case m.emailTaken(n.Email, ""):
		want = []error{errs.ErrConflict}
	case seat.total-seat.assigned < 1:
		want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
	}
	ext := m.nextExtension()
	got, err := call()
	if !expect(t, how, err, want...) {
		return
	}
	u := &mUser{id: got.ID, office: off.ID, ext: ext, kind: kind, state: state, person: n.Person, email: n.Email,
		billing: billing, licenses: []licensing.LicenseType{licensing.Seat}}
	if !n.Person.IsZero() {
		u.markers = append(u.markers, n.Person.FirstName, n.Person.LastName)
	}
	if n.Email != "" {
		u.markers = append(u.markers, n.Email)
	}
	if got.State() != state || got.Extension != ext || got.OfficeID != off.ID {
		t.Fatalf("%s returned %+v: want %s, extension %s, office %s", how, got, state, ext, off.ID)
	}
	seat.assigned++
	m.users = append(m.users, u)
	m.byID[u.id] = u
	m.audit++
}

// SetPassword sets (or, now and then, tries a too short) password.
func (m *machine) SetPassword(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.PasswordRequired || u.state == lifecycle.Active })
	pw := password
	if oneIn(t, 10, "short") {
		pw = "short"
	}
	var want []error
	switch {
	case pw == "short":
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.PasswordRequired && u.state != lifecycle.Active:
		want = illegal(u)
	}
	want = m.gate(want, access.SetCredentials, u)
	_, err := m.svc.SetPassword(m.ctx, m.actor, id, pw)
	if expect(t, "SetPassword", err, want...) {
		u.state, u.password = lifecycle.Active, true
		m.audit++
	}
}

// ForcePasswordReset sends an Active user back to Password Required.
func (m *machine) ForcePasswordReset(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Active })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Active:
		want = illegal(u)
	}
	want = m.gate(want, access.SetCredentials, u)
	_, err := m.svc.ForcePasswordReset(m.ctx, m.actor, id)
	if expect(t, "ForcePasswordReset", err, want...) {
		u.state, u.password = lifecycle.PasswordRequired, false
		m.audit++
	}
}

// resetTo is DESIGN.md's reset row: Setup Required if the name is cleared,
// Password Required if the password is cleared from Active, else as was.
func resetTo(from lifecycle.State, f lifecycle.Fields) lifecycle.State {
	switch {
	case f&lifecycle.FieldName != 0:
		return lifecycle.SetupRequired
	case f&lifecycle.FieldPassword != 0 && from == lifecycle.Active:
		return lifecycle.PasswordRequired
	}
	return from
}

// resetsToSetup reports whether a reset of fields leaves u Setup Required
// (or suspended from it).
func resetsToSetup(u *mUser, f lifecycle.Fields) bool {
	from := u.state
	if from == lifecycle.Suspended {
		from = u.suspFrom
	}
	return resetTo(from, f) == lifecycle.SetupRequired
}

// Reset clears a random subset of fields (zero: all), now and then with an
// unknown field bit.
func (m *machine) Reset(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	f := lifecycle.Fields(rapid.IntRange(0, 31).Draw(t, "fields"))
	if oneIn(t, 20, "badFields") {
		f |= 1 << 6
	}
	eff := f
	if eff == 0 {
		eff = lifecycle.FieldsAll
	}
	var want []error
	switch {
	case f > lifecycle.FieldsAll:
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case u.kind == lifecycle.External && eff&lifecycle.FieldEmail != 0 && eff&lifecycle.FieldName == 0 && !resetsToSetup(u, eff):
		// An invited user logs in with its email: clearing it alone would
		// leave a live user with no login.
		want = []error{errs.ErrConflict}
	}
	want = m.gate(want, access.ResetUser, u)
	_, err := m.svc.Reset(m.ctx, m.actor, id, f)
	if !expect(t, fmt.Sprintf("Reset(%05b)", f), err, want...) {
		return
	}
	if u.state == lifecycle.Suspended {
		u.suspFrom = resetTo(u.suspFrom, eff)
	} else {
		u.state = resetTo(u.state, eff)
	}
	if eff&lifecycle.FieldName != 0 {
		u.person = lifecycle.Person{}
	}
	if eff&lifecycle.FieldEmail != 0 {
		u.email = ""
	}
	if eff&lifecycle.FieldPassword != 0 {
		u.password = false
	}
	m.audit++
}

// Recycle gives an extension to a new person, now and then without a last
// name or with a taken email.
func (m *machine) Recycle(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.SetupRequired })
	p, fresh := m.freshPerson()
	email := m.emailFor(t, true, fresh)
	if oneIn(t, 10, "bad") {
		p.LastName = ""
	}
	var want []error
	switch {
	case p.LastName == "":
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.SetupRequired:
		want = illegal(u)
	case m.emailTaken(email, id):
		want = []error{errs.ErrConflict}
	}
	want = m.gate(want, access.ResetUser, u)
	_, err := m.svc.Recycle(m.ctx, m.actor, id, p, email)
	if expect(t, "Recycle", err, want...) {
		u.state, u.person, u.email, u.password = lifecycle.PasswordRequired, p, email, false
		if email == "" {
			u.kind = lifecycle.Internal
		}
		u.markers = append(u.markers, p.FirstName, p.LastName)
		if email != "" {
			u.markers = append(u.markers, email)
		}
		m.audit++
	}
}

// Suspend suspends an Active or Password Required user.
func (m *machine) Suspend(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Active || u.state == lifecycle.PasswordRequired })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Active && u.state != lifecycle.PasswordRequired:
		want = illegal(u)
	}
	want = m.gate(want, access.SuspendUser, u)
	_, err := m.svc.Suspend(m.ctx, m.actor, id)
	if expect(t, "Suspend", err, want...) {
		u.suspFrom, u.state = u.state, lifecycle.Suspended
		m.audit++
	}
}

// Reinstate returns a suspended user to where it was.
func (m *machine) Reinstate(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Suspended })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Suspended:
		want = illegal(u)
	}
	want = m.gate(want, access.SuspendUser, u)
	_, err := m.svc.Reinstate(m.ctx, m.actor, id)
	if expect(t, "Reinstate", err, want...) {
		u.state, u.suspFrom = u.suspFrom, ""
		m.audit++
	}
}

// Delete deletes a live user (a free one is anonymized at once).
func (m *machine) Delete(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	}
	want = m.gate(want, access.DeleteUser, u)
	got, err := m.svc.Delete(m.ctx, m.actor, id)
	if !expect(t, "Delete", err, want...) {
		return
	}
	u.held = m.reserve(u)
	m.returnLicenses(u)
	if u.state != lifecycle.Suspended {
		u.suspFrom = ""
	}
	u.delFrm, u.state = u.state, lifecycle.Deleted
	u.restoreUntil = m.now.Add(window)
	m.audit++
	if u.billing == lifecycle.Free {
		m.anonymize(u)
		m.audit++
	}
	if got.State() != u.state {
		t.Fatalf("Delete returned a %s user, want %s", got.State(), u.state)
	}
}

// restore brings a deleted user back, with or without SkipTakenNumbers.
func (m *machine) restore(t *rapid.T, skip bool) {
	id, u := m.pickUser(t, func(u *mUser) bool { return u.state == lifecycle.Deleted })
	var want []error
	var taken []string
	if u != nil && u.state == lifecycle.Deleted {
		for _, e := range u.held {
			if n := m.nums[e]; n.status != numbers.Reserved || n.lastHolder != u.id {
				taken = append(taken, e)
			}
		}
	}
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case u.state != lifecycle.Deleted:
		want = illegal(u)
	case !m.now.Before(u.restoreUntil):
		want = []error{lifeline.ErrRestoreWindowClosed, errs.ErrGone}
	case len(taken) > 0 && !skip:
		want = []error{errs.ErrConflict}
	default:
		for _, l := range u.licenses {
			if p := m.pool(u.office, l); p.total-p.assigned < 1 {
				want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
			}
		}
	}
	want = m.gate(want, access.DeleteUser, u)
	_, err := m.svc.Restore(m.ctx, m.actor, id, lifeline.RestoreOptions{SkipTakenNumbers: skip})
	if !expect(t, fmt.Sprintf("Restore(skip %t)", skip), err, want...) {
		if len(taken) > 0 && !skip && errors.Is(err, errs.ErrConflict) && !strings.Contains(err.Error(), taken[0]) {
			t.Fatalf("Restore refused with %q, which does not name the taken number %s", err, taken[0])
		}
		return
	}
	for _, e := range u.held {
		if !slices.Contains(taken, e) {
			n := m.nums[e]
			n.status, n.holder, n.lastHolder, n.lastOf, n.reservedAt = numbers.Assigned, u.id, "", "", time.Time{}
		}
	}
	for _, l := range u.licenses {
		m.pool(u.office, l).assigned++
	}
	u.state, u.delFrm, u.held, u.restoreUntil = u.delFrm, "", nil, time.Time{}
	m.audit++
}

// Erase anonymizes a live user at once; now and then the confirmation is
// wrong.
func (m *machine) Erase(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	confirm := id
	if oneIn(t, 6, "wrongConfirm") {
		confirm = id + "x"
	}
	var want []error
	switch {
	case confirm != id:
		want = []error{errs.ErrInvalid}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	}
	want = m.gate(want, access.DeleteUser, u)
	_, err := m.svc.Erase(m.ctx, m.actor, id, confirm)
	if expect(t, "Erase", err, want...) {
		m.reserve(u)
		m.returnLicenses(u)
		m.anonymize(u)
		m.audit++
	}
}

// AdvanceClock moves time on, often by exactly a restore window or a
// quarantine (or a second less).
func (m *machine) AdvanceClock(t *rapid.T) {
	d := rapid.SampledFrom([]time.Duration{
		time.Second, time.Hour, 24 * time.Hour, window - time.Second, window, quarantine - time.Second, quarantine, 29 * 24 * time.Hour, 0,
	}).Draw(t, "advance")
	if d == 0 {
		d = time.Duration(rapid.Int64Range(1, 10*24*3600).Draw(t, "seconds")) * time.Second
	}
	m.clk.Add(d)
	m.now = m.now.Add(d)
}

// Sweep anonymizes every deleted user whose window is over.
func (m *machine) Sweep(t *rapid.T) {
	due := 0
	for _, u := range m.users {
		if u.state == lifecycle.Deleted && !m.now.Before(u.restoreUntil) {
			m.anonymize(u)
			m.audit++
			due++
		}
	}
	rep, err := m.svc.Sweep(m.ctx)
	expect(t, "Sweep", err)
	// The store may be shared with sequences before this one, whose due
	// users this sweep anonymizes too: the report counts at least ours.
	if rep.Anonymized < due {
		t.Fatalf("Sweep reported %+v, want at least %d anonymized", rep, due)
	}
}

// addLocal adds count fresh local numbers of the office's country.
func (m *machine) addLocal(t *rapid.T, off licensing.Office, count int) {
	raw := make([]string, count)
	for i := range raw {
		raw[i] = freshLocal(off.Country)
	}
	_, err := m.svc.AddNumbers(m.ctx, admin, off.ID, "", raw...)
	if expect(t, "AddNumbers", err) {
		for _, e := range raw {
			m.nums[e] = &mNumber{e164: e, office: off.ID, country: off.Country, kind: numbers.KindLocal, status: numbers.Available}
		}
		m.audit++
	}
}

// AddNumbers adds local, fax or toll-free numbers, now and then a batch
// with an invalid, foreign or duplicate number, which must add nothing.
func (m *machine) AddNumbers(t *rapid.T) {
	off := m.pickOffice(t)
	variant := rapid.SampledFrom([]string{"local", "local", "fax", "toll-free", "invalid", "foreign", "duplicate"}).Draw(t, "variant")
	if variant == "local" {
		m.addLocal(t, off, rapid.IntRange(1, 3).Draw(t, "count"))
		return
	}
	var kind numbers.Kind
	first := freshLocal(off.Country)
	raw := []string{first}
	var want []error
	add := []*mNumber{{e164: first, office: off.ID, country: off.Country, kind: numbers.KindLocal, status: numbers.Available}}
	switch variant {
	case "fax":
		kind = numbers.KindFax
		add[0].kind = numbers.KindFax
	case "toll-free":
		e := freshTollFree()
		raw = append(raw, e)
		add = append(add, &mNumber{e164: e, office: off.ID, country: "US", kind: numbers.KindTollFree, status: numbers.Available})
	case "invalid":
		raw = append(raw, "+1 650 000 0000")
		want = []error{errs.ErrInvalid, numbers.ErrInvalidNumber}
	case "foreign":
		other := "GB"
		if off.Country == "GB" {
			other = "US"
		}
		raw = append(raw, freshLocal(other))
		want = []error{errs.ErrInvalid}
	case "duplicate":
		all := m.sortedNumbers()
		if len(all) == 0 {
			raw = append(raw, first)
			want = []error{errs.ErrInvalid} // listed twice
		} else {
			dup := m.nums[all[rapid.IntRange(0, len(all)-1).Draw(t, "dup")]]
			raw = append(raw, dup.e164)
			// The batch is checked number by number: a local (or fax, which
			// parses as local) number of another country is refused as
			// invalid before the inventory is asked.
			want = []error{errs.ErrConflict}
			if dup.kind != numbers.KindTollFree && dup.country != off.Country {
				want = []error{errs.ErrInvalid}
			}
		}
	}
	_, err := m.svc.AddNumbers(m.ctx, admin, off.ID, kind, raw...)
	if expect(t, "AddNumbers("+variant+")", err, want...) {
		for _, n := range add {
			m.nums[n.e164] = n
		}
		m.audit++
	}
}

// assign gives a number to a user from the number's or (fromUser) the
// user's side, sometimes with a quarantine override. It prefers reserved
// numbers half of the time, to exercise the quarantine and the restore of
// numbers taken meanwhile.
func (m *machine) assign(t *rapid.T, fromUser bool) {
	want := numbers.Available
	if rapid.Bool().Draw(t, "preferReserved") {
		want = numbers.Reserved
	}
	e, n := m.pickNumber(t, func(n *mNumber) bool { return n.status == want })
	var id string
	var u *mUser
	if n != nil {
		id, u = m.pickUser(t, func(u *mUser) bool { return live(u.state) && u.office == n.office })
	} else {
		id, u = m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	}
	override := oneIn(t, 3, "override")
	var wantErrs []error
	overrode := false
	switch {
	case n == nil || u == nil:
		wantErrs = []error{errs.ErrNotFound}
	case !live(u.state), u.office != n.office:
		wantErrs = []error{errs.ErrConflict}
	case n.status == numbers.Assigned, n.status == numbers.Released:
		wantErrs = []error{numbers.ErrIllegalTransition, errs.ErrConflict}
	case n.status == numbers.Reserved && n.lastHolder != u.id && !m.quarantineOver(n):
		if override {
			overrode = true
		} else {
			wantErrs = []error{numbers.ErrQuarantined, errs.ErrConflict}
		}
	}
	opts := lifeline.AssignOptions{OverrideQuarantine: override}
	var err error
	if fromUser {
		_, err = m.svc.AssignNumberToUser(m.ctx, admin, id, e, opts)
	} else {
		_, err = m.svc.AssignNumber(m.ctx, admin, e, id, opts)
	}
	if expect(t, fmt.Sprintf("AssignNumber(override %t)", override), err, wantErrs...) {
		n.status, n.holder, n.lastHolder, n.lastOf, n.reservedAt = numbers.Assigned, u.id, "", "", time.Time{}
		m.audit++
		if overrode {
			m.overrides++
		}
	}
}

// UnassignNumber moves a number to the reserved pool.
func (m *machine) UnassignNumber(t *rapid.T) {
	e, n := m.pickNumber(t, func(n *mNumber) bool { return n.status == numbers.Assigned })
	var want []error
	switch {
	case n == nil:
		want = []error{errs.ErrNotFound}
	case n.status != numbers.Assigned:
		want = []error{numbers.ErrIllegalTransition, errs.ErrConflict}
	}
	_, err := m.svc.UnassignNumber(m.ctx, admin, e)
	if expect(t, "UnassignNumber", err, want...) {
		n.status, n.lastHolder, n.lastOf, n.holder, n.reservedAt = numbers.Reserved, n.holder, n.office, "", m.now
		m.audit++
	}
}

// ReleaseNumber gives a number back to the carrier.
func (m *machine) ReleaseNumber(t *rapid.T) {
	e, n := m.pickNumber(t, func(n *mNumber) bool { return n.status == numbers.Reserved })
	var want []error
	switch {
	case n == nil:
		want = []error{errs.ErrNotFound}
	case n.status != numbers.Available && n.status != numbers.Reserved:
		want = []error{numbers.ErrIllegalTransition, errs.ErrConflict}
	}
	_, err := m.svc.ReleaseNumber(m.ctx, admin, e)
	if expect(t, "ReleaseNumber", err, want...) {
		n.status, n.lastHolder, n.lastOf, n.reservedAt = numbers.Released, "", "", time.Time{}
		m.audit++
	}
}

func (m *machine) setPoolTotal(t *rapid.T, off licensing.Office, typ licensing.LicenseType, total int) {
	p := m.pool(off.ID, typ)
	var want []error
	switch {
	case total < 0:
		want = []error{errs.ErrInvalid}
	case total < p.assigned:
		want = []error{licensing.ErrBelowAssigned, errs.ErrConflict}
	}
	_, err := m.svc.SetPoolTotal(m.ctx, admin, off.ID, typ, total)
	if expect(t, fmt.Sprintf("SetPoolTotal(%s, %d)", typ, total), err, want...) {
		m.bought[typ] += total - p.total
		p.total = total
		m.audit++
	}
}

// SetPoolTotal buys or drops licenses, now and then below what is assigned.
func (m *machine) SetPoolTotal(t *rapid.T) {
	off := m.pickOffice(t)
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	m.setPoolTotal(t, off, typ, m.pool(off.ID, typ).assigned+rapid.IntRange(-2, 3).Draw(t, "delta"))
}

// AssignLicense gives a user an extra license (or, refused, a second seat).
func (m *machine) AssignLicense(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	var want []error
	switch {
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case slices.Contains(u.licenses, typ):
		want = []error{errs.ErrConflict}
	default:
		if p := m.pool(u.office, typ); p.total-p.assigned < 1 {
			want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
		}
	}
	err := m.svc.AssignLicense(m.ctx, admin, id, typ)
	if expect(t, "AssignLicense("+string(typ)+")", err, want...) {
		u.licenses = append(u.licenses, typ)
		slices.Sort(u.licenses)
		m.pool(u.office, typ).assigned++
		m.audit++
	}
}

// RemoveLicense takes an extra license back (the seat is refused).
func (m *machine) RemoveLicense(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) && len(u.licenses) > 1 })
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	var want []error
	switch {
	case typ == licensing.Seat:
		want = []error{errs.ErrConflict}
	case u == nil:
		want = []error{errs.ErrNotFound}
	case !live(u.state):
		want = illegal(u)
	case !slices.Contains(u.licenses, typ):
		want = []error{errs.ErrConflict}
	}
	err := m.svc.RemoveLicense(m.ctx, admin, id, typ)
	if expect(t, "RemoveLicense("+string(typ)+")", err, want...) {
		u.licenses = slices.DeleteFunc(u.licenses, func(l licensing.LicenseType) bool { return l == typ })
		m.pool(u.office, typ).assigned--
		m.audit++
	}
}

// TransferLicenses moves free licenses between two offices.
func (m *machine) TransferLicenses(t *rapid.T) {
	from, to := m.pickOffice(t), m.pickOffice(t)
	typ := rapid.SampledFrom(extraTypes).Draw(t, "type")
	count := rapid.IntRange(0, 3).Draw(t, "count")
	fp, tp := m.pool(from.ID, typ), m.pool(to.ID, typ)
	var want []error
	switch {
	case from.ID == to.ID, count < 1:
		want = []error{errs.ErrInvalid}
	case m.co.Tier == licensing.Standard:
		want = []error{licensing.ErrTierForbids, errs.ErrForbidden}
	case from.PriceLevel != to.PriceLevel:
		want = []error{licensing.ErrPriceLevelMismatch, errs.ErrConflict}
	case count > fp.total-fp.assigned:
		want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
	}
	_, err := m.svc.TransferLicenses(m.ctx, admin, lifeline.LicenseTransfer{FromOfficeID: from.ID, ToOfficeID: to.ID, Type: typ, Count: count})
	if expect(t, fmt.Sprintf("TransferLicenses(%d %s, %s -> %s)", count, typ, from.Name, to.Name), err, want...) {
		fp.total -= count
		tp.total += count
		m.audit++
	}
}

// TransferUser moves a user to another office.
func (m *machine) TransferUser(t *rapid.T) {
	id, u := m.pickUser(t, func(u *mUser) bool { return live(u.state) })
	to := m.pickOffice(t)
	var want []error
	var reserved, kept []string
	newNumber := ""
	func() {
		switch {
		case u == nil:
			want = []error{errs.ErrNotFound}
			return
		case !live(u.state):
			want = illegal(u)
			return
		}
		from := m.office(u.office)
		switch {
		case from.ID == to.ID:
			want = []error{errs.ErrInvalid}
			return
		case m.co.Tier == licensing.Standard:
			want = []error{licensing.ErrTierForbids, errs.ErrForbidden}
			return
		case from.PriceLevel != to.PriceLevel:
			want = []error{licensing.ErrPriceLevelMismatch, errs.ErrConflict}
			return
		}
		for _, l := range u.licenses {
			if p := m.pool(to.ID, l); p.total-p.assigned < 1 {
				want = []error{licensing.ErrNoFreeLicense, errs.ErrConflict}
				return
			}
		}
		for _, e := range m.heldBy(u.id) {
			if k := m.nums[e].kind; from.Country != to.Country && (k == numbers.KindLocal || k == numbers.KindFax) {
				reserved = append(reserved, e)
			} else {
				kept = append(kept, e)
			}
		}
		if from.Country == to.Country {
			return
		}
		for _, pass := range []numbers.Status{numbers.Available, numbers.Reserved} {
			for _, e := range m.sortedNumbers() {
				n := m.nums[e]
				if newNumber == "" && n.office == to.ID && n.status == pass && n.kind == numbers.KindLocal && n.country == to.Country &&
					(pass == numbers.Available || n.lastHolder == u.id || m.quarantineOver(n)) {
					newNumber = e
				}
			}
		}
		if newNumber == "" {
			want = []error{errs.ErrConflict}
		}
	}()
	plan, err := m.svc.TransferUser(m.ctx, admin, id, to.ID)
	if !expect(t, "TransferUser to "+to.Name, err, want...) {
		return
	}
	if plan.NewNumber != newNumber || !slices.Equal(plan.ReservedNumbers, reserved) || !slices.Equal(plan.KeptNumbers, kept) {
		t.Fatalf("TransferUser plan %s: want reserved %v, kept %v, new number %q", plan, reserved, kept, newNumber)
	}
	for _, l := range u.licenses {
		m.pool(u.office, l).assigned--
		m.pool(to.ID, l).assigned++
	}
	for _, e := range reserved {
		n := m.nums[e]
		n.status, n.lastHolder, n.lastOf, n.holder, n.reservedAt = numbers.Reserved, u.id, n.office, "", m.now
	}
	for _, e := range kept {
		m.nums[e].office = to.ID
	}
	if newNumber != "" {
		n := m.nums[newNumber]
		n.status, n.holder, n.lastHolder, n.lastOf, n.reservedAt = numbers.Assigned, u.id, "", "", time.Time{}
	}
	u.office = to.ID
	m.audit++
}

// SetTier changes the company's plan, mostly keeping transfers allowed.
func (m *machine) SetTier(t *rapid.T) {
	tier := rapid.SampledFrom([]licensing.Tier{licensing.Premium, licensing.Advanced, licensing.Standard}).Draw(t, "tier")
	_, err := m.svc.SetCompanyTier(m.ctx, admin, m.co.ID, tier)
	if expect(t, "SetCompanyTier", err) {
		m.co.Tier = tier
		m.audit++
	}
}

// Check reads the company back through the facade and checks DESIGN.md's
// invariants and the model.
func (m *machine) Check(t *rapid.T) {
	s, err := takeSnapshot(m.ctx, m.svc, m.st, m.co.ID)
	if err != nil {
		t.Fatalf("reading the company: %v", err)
	}
	checkInvariants(t, s)
	if s.Company.Tier != m.co.Tier {
		t.Fatalf("company tier %s, model %s", s.Company.Tier, m.co.Tier)
	}

	// Users.
	if len(s.Users) != len(m.users) {
		t.Fatalf("the store has %d users, the model %d", len(s.Users), len(m.users))
	}
	var markers []string
	for _, su := range s.Users {
		u := m.byID[su.ID]
		if u == nil {
			t.Fatalf("the store has user %s the model does not know", su.ID)
		}
		got := fmt.Sprintf("%s/%s/%s office %s ext %s %s %q %q password %t %s %s", su.State(), su.Status.SuspendedFrom, su.Status.DeletedFrom,
			su.OfficeID, su.Extension, su.Kind, su.Person.Full(), su.Email, su.PasswordHash != "", su.Billing, su.HeldAtDeletion)
		want := fmt.Sprintf("%s/%s/%s office %s ext %s %s %q %q password %t %s %s", u.state, u.suspFrom, u.delFrm,
			u.office, u.ext, u.kind, u.person.Full(), u.email, u.password, u.billing, u.held)
		if got != want {
			t.Fatalf("user %s:\n got %s\nwant %s", u.id, got, want)
		}
		if u.state == lifecycle.Deleted && !su.RestoreUntil.Equal(u.restoreUntil) {
			t.Fatalf("user %s is restorable until %v, model %v", u.id, su.RestoreUntil, u.restoreUntil)
		}
		if !slices.Equal(s.Licenses[su.ID], u.licenses) {
			t.Fatalf("user %s (%s) holds licenses %v, model %v", u.id, u.state, s.Licenses[su.ID], u.licenses)
		}
		if u.state == lifecycle.Anonymized {
			markers = append(markers, u.markers...)
		}
	}
	if where := leaks(s, markers); where != "" {
		t.Fatalf("personal data of an anonymized user survives: %s", where)
	}

	// Numbers: none lost, none added, each as the model says.
	if len(s.Numbers) != len(m.nums) {
		t.Fatalf("the company lists %d numbers, the model %d", len(s.Numbers), len(m.nums))
	}
	if len(s.Numbers) < m.seenNums {
		t.Fatalf("the company's numbers shrank from %d to %d", m.seenNums, len(s.Numbers))
	}
	m.seenNums = len(s.Numbers)
	for _, v := range s.Numbers {
		n := m.nums[v.E164]
		if n == nil {
			t.Fatalf("the store lists number %s the model does not know", v.E164)
		}
		want := numbers.Number{E164: n.e164, Kind: n.kind, Country: n.country, OfficeID: n.office, Status: n.status,
			HolderID: n.holder, LastHolderID: n.lastHolder, LastOfficeID: n.lastOf, ReservedAt: n.reservedAt}
		if got := v.Number; got.E164 != want.E164 || got.Kind != want.Kind || got.Country != want.Country || got.OfficeID != want.OfficeID ||
			got.Status != want.Status || got.HolderID != want.HolderID || got.LastHolderID != want.LastHolderID ||
			got.LastOfficeID != want.LastOfficeID || !got.ReservedAt.Equal(want.ReservedAt) {
			t.Fatalf("number %s:\n got %+v\nwant %+v", v.E164, got, want)
		}
	}

	// Pools: as the model says, and conserved but for SetPoolTotal.
	got := map[poolKey]mPool{}
	totals := map[licensing.LicenseType]int{}
	for _, p := range s.Pools {
		totals[p.Type] += p.Total
		if p.Total != 0 || p.Assigned != 0 {
			got[poolKey{p.OfficeID, p.Type}] = mPool{p.Total, p.Assigned}
		}
	}
	want := map[poolKey]mPool{}
	for k, p := range m.pools {
		if p.total != 0 || p.assigned != 0 {
			want[k] = *p
		}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("pools:\n got %v\nwant %v", got, want)
	}
	for _, typ := range extraTypes {
		if totals[typ] != m.bought[typ] {
			t.Fatalf("the company has %d %s licenses in all, but bought %d: licenses were made or lost", totals[typ], typ, m.bought[typ])
		}
	}

	// Audit: one record per change, and every quarantine override among them.
	if len(s.Audit) != m.audit {
		t.Fatalf("the audit trail has %d records, the model %d", len(s.Audit), m.audit)
	}
	overrides := 0
	for _, r := range s.Audit {
		if strings.HasPrefix(r.Action, "number.assign") && strings.Contains(strings.ToLower(r.Detail), "quarantine") {
			overrides++
		}
	}
	if overrides != m.overrides {
		t.Fatalf("the audit trail records %d quarantine overrides, the model %d", overrides, m.overrides)
	}
}
