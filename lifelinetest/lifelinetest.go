package lifelinetest

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/storetest"
)

// Config adjusts [Run].
type Config struct {
	// Sequences is how many random operation sequences the state machine
	// runs; 0 means 100. When -rapid.checks is given on the command line
	// (or RAPID_CHECKS in the environment) that count wins, so a failure can
	// be chased with more or fewer sequences without editing the test; under
	// -short rapid runs a fifth of the count, as it always does.
	Sequences int
	// Parallel spreads the sequences over this many stores, each from its
	// own NewStore call, run as parallel subtests StateMachine/parallel/0,
	// StateMachine/parallel/1 and so on, each running Sequences/Parallel
	// of them (rounded up); 0 means 1: every sequence on one store. With
	// more than one, the stores must not share data (separate files or
	// databases): the sweeper anonymizes due users of every company, so
	// sequences running at once on one database would disturb each other.
	Parallel int
	// Skip names subtests not to run: a group ("Access", "StateMachine")
	// or one test of a group ("Search/CursorWhileUsersComeAndGo").
	Skip []string
}

// DefaultSequences is the number of state machine sequences a zero
// [Config] runs.
const DefaultSequences = 100

// Harness makes stores for the suite; see [storetest.Harness]. The suite
// scopes every subtest to its own company and phone numbers, so one
// database can host them all; the state machine calls NewStore once per
// [Config.Parallel] worker.
type Harness = storetest.Harness

// Run runs the facade's specification against stores made by h: one
// subtest per behaviour, grouped as Lifecycle/..., Numbers/...,
// Licenses/..., Transfer/..., Concurrency/..., Access/..., Hygiene/..., Text/...,
// Recording/... and the model-based StateMachine.
func Run(t *testing.T, h Harness, cfg Config) {
	groups := []struct {
		name  string
		tests []namedTest
	}{
		{"Lifecycle", lifecycleTests},
		{"Numbers", numberTests},
		{"Licenses", licenseTests},
		{"Transfer", transferTests},
		{"Concurrency", concurrencyTests},
		{"Access", accessTests},
		{"Hygiene", hygieneTests},
		{"Text", textTests},
		{"Recording", recordingTests},
		{"Bulk", bulkTests},
		{"Search", searchTests},
		{"Export", exportTests},
		{"Versions", versionTests},
		{"ChangeSets", changeSetTests},
	}
	for _, g := range groups {
		if slices.Contains(cfg.Skip, g.name) {
			continue
		}
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				if slices.Contains(cfg.Skip, g.name+"/"+tc.name) {
					continue
				}
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
			}
		})
	}
	if !slices.Contains(cfg.Skip, "StateMachine") {
		t.Run("StateMachine", func(t *testing.T) { runStateMachine(t, h, cfg) })
	}
}

type namedTest struct {
	name string
	fn   func(t *testing.T, h Harness)
}

// The store suite's helpers, under the names the suites use.
var (
	uid           = storetest.UID
	freshLocal    = storetest.FreshLocal
	freshTollFree = storetest.FreshTollFree
	sortedCopy    = storetest.SortedCopy
)

type fataler = storetest.Fataler

const unusedNumber = storetest.UnusedNumber

// cheapHash keeps argon2 out of the suite's running time.
var cheapHash = lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}

// epoch is where every fixture's mock clock starts; its nanoseconds check
// that stores keep full precision.
var epoch = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// window and quarantine are the defaults the suite relies on.
const (
	window     = 72 * time.Hour
	quarantine = 7 * 24 * time.Hour
)

var admin = lifeline.System("lifelinetest")

// fixture is one subtest's world: a store, a service on a mock clock, and
// a Premium company with four offices. us and us2 are US offices at price
// level "standard", gb is a GB office at "standard", and far is a US office
// at price level "enterprise".
type fixture struct {
	t       *testing.T
	ctx     context.Context
	st      store.Store
	clk     *clock.Mock
	svc     *lifeline.Service
	co      licensing.Company
	us      licensing.Office
	us2     licensing.Office
	gb      licensing.Office
	far     licensing.Office
	userSeq int
}

func newFixture(t *testing.T, h Harness) *fixture {
	t.Helper()
	return newFixtureOn(t, h.NewStore(t), licensing.Premium)
}

func newFixtureOn(t *testing.T, st store.Store, tier licensing.Tier) *fixture {
	t.Helper()
	clk := clock.NewMock()
	clk.Set(epoch)
	svc, err := lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(cheapHash))
	if err != nil {
		t.Fatal(err)
	}
	fx := &fixture{t: t, ctx: context.Background(), st: st, clk: clk, svc: svc}
	if fx.co, err = svc.CreateCompany(fx.ctx, admin, "Storetest "+t.Name(), tier); err != nil {
		t.Fatalf("CreateCompany: %v", err)
	}
	for _, o := range []struct {
		dst                *licensing.Office
		name, country, lvl string
	}{
		{&fx.us, "San Francisco", "US", "standard"},
		{&fx.us2, "New York", "US", "standard"},
		{&fx.gb, "London", "GB", "standard"},
		{&fx.far, "Austin", "US", "enterprise"},
	} {
		if *o.dst, err = svc.CreateOffice(fx.ctx, admin, lifeline.NewOffice{CompanyID: fx.co.ID, Name: o.name, Country: o.country, PriceLevel: o.lvl}); err != nil {
			t.Fatalf("CreateOffice %s: %v", o.name, err)
		}
	}
	return fx
}

// seats sets an office's seat pool to total.
func (fx *fixture) seats(office licensing.Office, total int) {
	fx.t.Helper()
	fx.setPool(office, licensing.Seat, total)
}

func (fx *fixture) setPool(office licensing.Office, typ licensing.LicenseType, total int) {
	fx.t.Helper()
	if _, err := fx.svc.SetPoolTotal(fx.ctx, admin, office.ID, typ, total); err != nil {
		fx.t.Fatalf("SetPoolTotal(%s, %s, %d): %v", office.Name, typ, total, err)
	}
}

// pool returns an office's pool of a type as the facade lists it (zero if
// the office has none).
func (fx *fixture) pool(office licensing.Office, typ licensing.LicenseType) licensing.Pool {
	fx.t.Helper()
	pools, err := fx.svc.ListPools(fx.ctx, admin, office.ID)
	if err != nil {
		fx.t.Fatalf("ListPools: %v", err)
	}
	for _, p := range pools {
		if p.Type == typ {
			return p
		}
	}
	return licensing.Pool{OfficeID: office.ID, Type: typ}
}

// addNumbers adds n fresh local numbers of the office's country and
// returns them in E.164 form.
func (fx *fixture) addNumbers(office licensing.Office, n int) []string {
	fx.t.Helper()
	raw := make([]string, n)
	for i := range raw {
		raw[i] = freshLocal(office.Country)
	}
	added, err := fx.svc.AddNumbers(fx.ctx, admin, office.ID, "", raw...)
	if err != nil {
		fx.t.Fatalf("AddNumbers: %v", err)
	}
	out := make([]string, len(added))
	for i, a := range added {
		out[i] = a.E164
	}
	return out
}

// person returns a fresh, unique person and email.
func (fx *fixture) person() (lifecycle.Person, string) {
	fx.userSeq++
	tag := fmt.Sprintf("%d%s", fx.userSeq, uid(""))
	return lifecycle.Person{FirstName: "Ada·" + tag + "·", LastName: "Lovelace·" + tag + "·"}, "ada-" + tag + "-x@example.com"
}

// create creates a Password Required user with a fresh person and email
// in office; the office needs a free seat.
func (fx *fixture) create(office licensing.Office) lifeline.User {
	fx.t.Helper()
	p, email := fx.person()
	u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: p, Email: email})
	if err != nil {
		fx.t.Fatalf("CreateUser: %v", err)
	}
	return u
}

// userIn returns a new user of office in state s (a free seat is needed for
// every state but Deleted and Anonymized, which give theirs back).
func (fx *fixture) userIn(office licensing.Office, s lifecycle.State) lifeline.User {
	fx.t.Helper()
	ctx, t := fx.ctx, fx.t
	var (
		u   lifeline.User
		err error
	)
	step := func(name string, f func() (lifeline.User, error)) {
		t.Helper()
		if err != nil {
			return
		}
		if u, err = f(); err != nil {
			t.Fatalf("making a %s user: %s: %v", s, name, err)
		}
	}
	if s == lifecycle.SetupRequired {
		u, err = fx.svc.CreateEmptyExtension(ctx, admin, lifeline.NewUser{OfficeID: office.ID})
		if err != nil {
			t.Fatalf("CreateEmptyExtension: %v", err)
		}
		return u
	}
	u = fx.create(office)
	id := u.ID
	switch s {
	case lifecycle.PasswordRequired:
	case lifecycle.Active:
		step("SetPassword", func() (lifeline.User, error) { return fx.svc.SetPassword(ctx, admin, id, "correct horse battery") })
	case lifecycle.Suspended:
		step("SetPassword", func() (lifeline.User, error) { return fx.svc.SetPassword(ctx, admin, id, "correct horse battery") })
		step("Suspend", func() (lifeline.User, error) { return fx.svc.Suspend(ctx, admin, id) })
	case lifecycle.Deleted:
		step("SetPassword", func() (lifeline.User, error) { return fx.svc.SetPassword(ctx, admin, id, "correct horse battery") })
		step("Delete", func() (lifeline.User, error) { return fx.svc.Delete(ctx, admin, id) })
	case lifecycle.Anonymized:
		step("Erase", func() (lifeline.User, error) { return fx.svc.Erase(ctx, admin, id, id) })
	default:
		t.Fatalf("userIn: no recipe for state %q", s)
	}
	if u.State() != s {
		t.Fatalf("userIn(%s): made a %s user", s, u.State())
	}
	return u
}

// get returns a user as the store keeps it, secrets' hashes included.
func (fx *fixture) get(id string) lifecycle.User {
	fx.t.Helper()
	var u lifecycle.User
	err := fx.st.View(fx.ctx, func(tx store.Tx) (err error) {
		u, err = tx.GetUser(fx.ctx, id)
		return err
	})
	if err != nil {
		fx.t.Fatalf("GetUser(%s): %v", id, err)
	}
	return u
}

// number returns one number of the company as the facade lists it.
func (fx *fixture) number(e164 string) lifeline.NumberView {
	fx.t.Helper()
	for _, o := range fx.offices() {
		list, err := fx.svc.ListNumbers(fx.ctx, admin, lifeline.NumberQuery{OfficeID: o.ID})
		if err != nil {
			fx.t.Fatalf("ListNumbers: %v", err)
		}
		for _, n := range list {
			if n.E164 == e164 {
				return n
			}
		}
	}
	fx.t.Fatalf("number %s is in no office of the company", e164)
	return lifeline.NumberView{}
}

// heldBy returns the numbers a user holds, in E.164 order.
func (fx *fixture) heldBy(userID string) []string {
	fx.t.Helper()
	list, err := fx.svc.ListNumbers(fx.ctx, admin, lifeline.NumberQuery{HolderID: userID})
	if err != nil {
		fx.t.Fatalf("ListNumbers(holder %s): %v", userID, err)
	}
	out := []string{}
	for _, n := range list {
		out = append(out, n.E164)
	}
	return out
}

func (fx *fixture) licenses(userID string) []licensing.LicenseType {
	fx.t.Helper()
	l, err := fx.svc.UserLicenses(fx.ctx, admin, userID)
	if err != nil {
		fx.t.Fatalf("UserLicenses(%s): %v", userID, err)
	}
	return l
}

func (fx *fixture) offices() []licensing.Office {
	return []licensing.Office{fx.us, fx.us2, fx.gb, fx.far}
}

// audit returns the company's audit trail matching f, read from the store
// (the facade has no audit listing).
func (fx *fixture) audit(f store.AuditFilter) []store.AuditRecord {
	fx.t.Helper()
	f.CompanyID = fx.co.ID
	recs, err := listAudit(fx.ctx, fx.st, f)
	if err != nil {
		fx.t.Fatalf("ListAudit: %v", err)
	}
	return recs
}

func listAudit(ctx context.Context, st store.Store, f store.AuditFilter) ([]store.AuditRecord, error) {
	var recs []store.AuditRecord
	err := st.View(ctx, func(tx store.Tx) (err error) {
		recs, err = tx.ListAudit(ctx, f)
		return err
	})
	return recs, err
}

// lastAudit returns the newest audit record of the company.
func (fx *fixture) lastAudit() store.AuditRecord {
	fx.t.Helper()
	recs := fx.audit(store.AuditFilter{})
	if len(recs) == 0 {
		fx.t.Fatal("the audit trail is empty")
	}
	return recs[len(recs)-1]
}

// snapshot is everything of a company a caller can see: the suite compares
// two of them to prove that a refused operation changed nothing.
type snapshot struct {
	Company  licensing.Company
	Users    []lifecycle.User
	Licenses map[string][]licensing.LicenseType
	Numbers  []lifeline.NumberView
	Pools    []licensing.Pool
	Audit    []store.AuditRecord
	// Recording: plans by user, recordings, holds, and the outbox.
	Plans      map[string]recording.Plan
	Recordings []recording.Recording
	Holds      []recording.Hold
	Pending    int
	Dead       []store.OutboxEvent
}

func (fx *fixture) snapshot() snapshot {
	fx.t.Helper()
	s, err := takeSnapshot(fx.ctx, fx.svc, fx.st, fx.co.ID)
	if err != nil {
		fx.t.Fatalf("snapshot: %v", err)
	}
	return s
}

func takeSnapshot(ctx context.Context, svc *lifeline.Service, st store.Store, companyID string) (snapshot, error) {
	var s snapshot
	var err error
	if s.Company, err = svc.GetCompany(ctx, admin, companyID); err != nil {
		return s, err
	}
	// Users are read as stored, hashes included, so a refused operation
	// that touched a secret would show.
	if err = st.View(ctx, func(tx store.Tx) (err error) {
		s.Users, err = tx.ListUsers(ctx, store.UserFilter{CompanyID: companyID})
		return err
	}); err != nil {
		return s, err
	}
	s.Licenses = map[string][]licensing.LicenseType{}
	for _, u := range s.Users {
		if s.Licenses[u.ID], err = svc.UserLicenses(ctx, admin, u.ID); err != nil {
			return s, err
		}
	}
	offices, err := svc.ListOffices(ctx, admin, companyID)
	if err != nil {
		return s, err
	}
	for _, o := range offices {
		list, err := svc.ListNumbers(ctx, admin, lifeline.NumberQuery{OfficeID: o.ID})
		if err != nil {
			return s, err
		}
		s.Numbers = append(s.Numbers, list...)
		pools, err := svc.ListPools(ctx, admin, o.ID)
		if err != nil {
			return s, err
		}
		s.Pools = append(s.Pools, pools...)
	}
	s.Audit, err = listAudit(ctx, st, store.AuditFilter{CompanyID: companyID})
	if err != nil {
		return s, err
	}
	err = st.View(ctx, func(tx store.Tx) (err error) {
		s.Plans = map[string]recording.Plan{}
		for _, u := range s.Users {
			if s.Plans[u.ID], err = tx.GetPlan(ctx, u.ID); err != nil {
				return err
			}
		}
		if s.Recordings, err = tx.ListRecordings(ctx, store.RecordingFilter{CompanyID: companyID, Limit: 100000}); err != nil {
			return err
		}
		if s.Holds, err = tx.ListHolds(ctx, companyID, ""); err != nil {
			return err
		}
		if s.Pending, err = tx.CountPendingEvents(ctx, companyID); err != nil {
			return err
		}
		s.Dead, err = tx.ListDeadEvents(ctx, companyID, "", 100000)
		return err
	})
	return s, err
}

// unchanged fails the test if the company differs from before.
func (fx *fixture) unchanged(what string, before snapshot) {
	fx.t.Helper()
	if diff := cmp.Diff(before, fx.snapshot(), cmpopts.EquateEmpty()); diff != "" {
		fx.t.Fatalf("%s was refused but changed the store (-before +after):\n%s", what, diff)
	}
}

// refused checks that err is the wanted refusal and that the company is
// exactly as it was before.
func (fx *fixture) refused(what string, err error, before snapshot, want ...error) {
	fx.t.Helper()
	wantErr(fx.t, what, err, want...)
	fx.unchanged(what, before)
}

// activate sets the password of u if it is in Password Required, making it
// Active: a user that acts in a test must be one, since a Password Required
// user may do nothing but set its own password.
func (fx *fixture) activate(u lifeline.User) {
	fx.t.Helper()
	if fx.get(u.ID).State() != lifecycle.PasswordRequired {
		return
	}
	if _, err := fx.svc.SetPassword(fx.ctx, admin, u.ID, password); err != nil {
		fx.t.Fatalf("activating %s: %v", u.ID, err)
	}
}
