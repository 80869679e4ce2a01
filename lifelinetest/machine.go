package lifelinetest

import (
	"context"
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
		panic("lifelinetest: setting -rapid.checks: " + err.Error())
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
	// rec and billed are the user's recording plan; retention its own
	// retention period.
	rec, billed bool
	retention   time.Duration
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
	// recs and holds are the recordings and legal holds of the company
	// (machine_recording.go).
	recs  map[string]*mRec
	holds map[string]*mHold
}

const missingUser = "usr_lifelinetest_missing"

var extraTypes = []licensing.LicenseType{licensing.AddOn, licensing.AIMeetings, licensing.Seat}

func newMachine(t *rapid.T, st store.Store) *machine {
	clk := clock.NewMock()
	clk.Set(epoch)
	svc, err := lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(cheapHash))
	if err != nil {
		t.Fatal(err)
	}
	m := &machine{ctx: context.Background(), st: st, svc: svc, clk: clk, now: epoch, actor: admin, recs: map[string]*mRec{}, holds: map[string]*mHold{},
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
		"SetRecordingPlan":     m.SetRecordingPlan,
		"RegisterRecording":    m.RegisterRecording,
		"PlaceHold":            m.PlaceHold,
		"ReleaseHold":          m.ReleaseHold,
		"Offboard":             m.Offboard,
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
	panic("lifelinetest: unknown office " + id)
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
	u.rec, u.billed = false, false
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
		return []error{lifeline.ErrIllegalTransition, errs.ErrGone}
	}
	return []error{lifeline.ErrIllegalTransition, errs.ErrConflict}
}

// Check reads the company back through the facade and checks DESIGN.md's
// invariants and the model.
func (m *machine) Check(t *rapid.T) {
	s, err := takeSnapshot(m.ctx, m.svc, m.st, m.co.ID)
	if err != nil {
		t.Fatalf("reading the company: %v", err)
	}
	checkInvariants(t, s)
	m.checkRecordings(t, s)
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
