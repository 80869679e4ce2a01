// Offboarding walks the call-recording service's three ways of letting a
// user go on an embedded SQLite file, then what happens to the recordings
// afterwards and what the host is told to do outside the database:
//
//   - Ada, Bob and Carol have recording on and three recorded calls each;
//     the company keeps recordings 30 days.
//   - Each is off-boarded with one option (recording.Offboardings), after a
//     Preview that says what the option would do and changes nothing: Ada
//     is suspended and her recordings kept, Bob's recording is stopped and
//     he keeps his account and recordings, Carol is erased with her
//     recordings. The last is permanent, so it is refused without the
//     confirmation token its preview gave.
//   - A legal hold on one of Ada's calls refuses erasing her; 31 days later
//     the sweeper deletes every expired recording except the held one.
//   - A consumer, the host's mailer, claims the outbox events those steps
//     wrote, fails one of them, gets it back on the next claim and
//     acknowledges it, until nothing is pending.
//   - Bob's suspension is staged as a change set; a re-sync with the
//     carrier account discards it before it is confirmed, so confirming it
//     is refused as stale and Bob stays as he was.
//
// Run it with
//
//	go run ./examples/offboarding            # a database in a new temp dir
//	go run ./examples/offboarding -db my.db  # or a new file of your choosing
//
// The file given with -db must be new: the sweeper and the outbox serve
// every company in a store, so a second run would also meet the first run's
// held recording. The clock is a mock set to a fixed date, so the 30 days
// of retention pass in an instant. Ids are random, so the example prints
// its own labels for them: a user's first name, "Ada's call of Feb 20
// 14:00".
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/examples/internal/exampledb"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	exampledb.Main("offboarding", func(ctx context.Context, dbPath string) error { return run(ctx, dbPath, os.Stdout) })
}

// dateFmt is how the example prints instants.
const dateFmt = "Jan 2 15:04"

// mainLine is the office's main number, the line of every recorded call.
const mainLine = "+1 650 253 0000"

// retention is how long the company keeps its recordings.
const retention = 30 * 24 * time.Hour

func run(ctx context.Context, dbPath string, w io.Writer) error {
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := lifeline.New(st, lifeline.WithClock(clk))
	if err != nil {
		return err
	}

	signup := lifeline.System("signup")
	b, err := svc.Bootstrap(ctx, signup, lifeline.Bootstrap{
		CompanyName: "Acme Telecom", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "San Francisco", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return err
	}
	admin, office := lifeline.Actor{ID: b.Admin.ID}, b.Office
	if _, err := svc.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 4); err != nil {
		return err
	}
	// The office's main line, which the recorded calls below are on: a
	// recording names one of the company's own numbers.
	if _, err := svc.AddNumbers(ctx, admin, office.ID, "", mainLine); err != nil {
		return err
	}
	if _, err := svc.SetRetention(ctx, admin, lifeline.SetRetention{CompanyID: b.Company.ID, Period: retention}); err != nil {
		return err
	}
	fmt.Fprintf(w, "%s bootstrapped %s (%s) with office %s; %s is its company admin.\n",
		signup.Name(), b.Company.Name, b.Company.Tier, office.Name, b.Admin.Person.Full())
	fmt.Fprintf(w, "%s keeps call recordings %d days (lifeline's default is %d).\n",
		b.Company.Name, retention/(24*time.Hour), recording.DefaultRetention/(24*time.Hour))

	s := &steps{ctx: ctx, svc: svc, admin: admin, w: w, clk: clk,
		labels: map[string]string{b.Company.ID: b.Company.Name, office.ID: office.Name, b.Admin.ID: "Margaret"},
		plans:  map[string]lifeline.RecordingPlan{}}
	// ada, bob and carol are the users' ids.
	var ada, bob, carol string
	s.do("Ada, Bob and Carol join with recording on; each has three recorded calls", func() (err error) {
		for i, p := range []lifeline.Person{{FirstName: "Ada", LastName: "Lovelace"}, {FirstName: "Bob", LastName: "Noyce"}, {FirstName: "Carol", LastName: "Shaw"}} {
			u, err := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: office.ID, Person: p,
				Email: strings.ToLower(p.FirstName) + "@acme.example"})
			if err != nil {
				return err
			}
			s.labels[u.ID] = p.FirstName
			s.users = append(s.users, u.ID)
			if _, err := svc.SetPassword(ctx, lifeline.Actor{ID: u.ID}, u.ID, "correct horse battery staple"); err != nil {
				return err
			}
			plan, err := svc.SetRecordingPlan(ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true})
			if err != nil {
				return err
			}
			s.plans[u.ID] = plan
			// Three calls in the past: on Feb 20, Feb 26 and Mar 1.
			for j, daysAgo := range []int{10, 4, 1} {
				at := time.Date(2026, 3, 2-daysAgo, 14+i, 0, 0, 0, time.UTC)
				r, err := svc.RegisterRecording(ctx, admin, lifeline.RegisterRecording{UserID: u.ID,
					Number: mainLine, StartedAt: at, Duration: time.Duration(3+i) * time.Minute})
				if err != nil {
					return err
				}
				s.labels[r.ID] = fmt.Sprintf("%s's call of %s", p.FirstName, at.Format(dateFmt))
				if i == 0 && j == 0 {
					fmt.Fprintf(w, "  %s is kept until %s (30 days after the call)\n", s.labels[r.ID], r.RetainUntil.Format(dateFmt))
				}
			}
		}
		ada, bob, carol = s.users[0], s.users[1], s.users[2]
		return nil
	})

	// The three options, in the order the service lists them: preview,
	// then apply.
	opts := recording.Offboardings()
	for i, id := range []string{ada, bob, carol} {
		spec := opts[i]
		var preview lifeline.Offboarded
		s.do(fmt.Sprintf("preview option %d for %s: %s", i+1, s.labels[id], spec.Title), func() (err error) {
			preview, err = s.preview(id, spec)
			return err
		})
		if !spec.Permanent {
			s.do(fmt.Sprintf("off-board %s: %s", s.labels[id], spec.Option), func() error {
				return s.offboard(lifeline.Offboard{UserID: id, Option: spec.Option})
			})
			continue
		}
		s.do(fmt.Sprintf("off-board %s: %s, first without the preview's token", s.labels[id], spec.Option), func() error {
			err := s.offboard(lifeline.Offboard{UserID: id, Option: spec.Option})
			if !errors.Is(err, lifeline.ErrInvalid) {
				return fmt.Errorf("offboarding without a token: want ErrInvalid, got %v", err)
			}
			fmt.Fprintf(w, "  without the token: refused (ErrInvalid): %s\n", s.label(err.Error()))
			if err := s.offboard(lifeline.Offboard{UserID: id, Option: spec.Option, Confirm: preview.ConfirmToken}); err != nil {
				return err
			}
			fmt.Fprintf(w, "  with the preview's token: done\n")
			return nil
		})
	}

	// Bob's recording is off: his next call is not recorded.
	s.do("a new call of Bob's cannot be registered: his recording is off", func() error {
		_, err := svc.RegisterRecording(ctx, admin, lifeline.RegisterRecording{UserID: bob,
			Number: mainLine, StartedAt: clk.Now().Add(-time.Hour), Duration: time.Minute})
		if !errors.Is(err, lifeline.ErrConflict) {
			return fmt.Errorf("registering a call of Bob: want ErrConflict, got %v", err)
		}
		fmt.Fprintf(w, "  refused (ErrConflict): %s\n", s.label(err.Error()))
		return nil
	})

	var heldID string
	s.do("a legal hold on one of Ada's calls; erasing Ada is refused", func() error {
		rs, err := s.recordings(ada)
		if err != nil {
			return err
		}
		held := rs[len(rs)-1]
		h, err := svc.PlaceHold(ctx, admin, lifeline.PlaceHold{RecordingID: held.ID, Reason: "dispute with a customer"})
		if err != nil {
			return err
		}
		heldID = held.ID
		s.labels[h.ID] = "the dispute hold"
		fmt.Fprintf(w, "  %s placed the dispute hold on %s\n", s.labels[b.Admin.ID], s.labels[held.ID])
		opt := opts[2]
		if _, _, err := lifeline.Preview(ctx, svc, admin, lifeline.Offboard{UserID: ada, Option: opt.Option}); !errors.Is(err, recording.ErrUnderHold) {
			return fmt.Errorf("previewing %s for Ada: want ErrUnderHold, got %v", opt.Option, err)
		} else {
			fmt.Fprintf(w, "  preview of %s: refused (ErrUnderHold): %s\n", opt.Option, s.label(err.Error()))
		}
		if _, err := svc.Erase(ctx, admin, ada, ada); !errors.Is(err, recording.ErrUnderHold) {
			return fmt.Errorf("erasing Ada: want ErrUnderHold, got %v", err)
		} else {
			fmt.Fprintf(w, "  erase: refused (ErrUnderHold): %s\n", s.label(err.Error()))
		}
		return nil
	})

	s.do("31 days later the sweeper deletes the expired recordings, but not the held one", func() error {
		clk.Add(31 * 24 * time.Hour)
		rep, err := svc.Sweep(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  sweep: %d recordings deleted, %d held, %d users anonymized\n",
			rep.RecordingsDeleted, rep.RecordingsHeld, rep.Anonymized)
		for _, id := range []string{ada, bob} {
			rs, err := s.recordings(id)
			if err != nil {
				return err
			}
			var kept []string
			for _, r := range rs {
				l := s.labels[r.ID]
				if r.ID == heldID {
					l += " (held)"
				}
				kept = append(kept, l)
			}
			fmt.Fprintf(w, "  %s's recordings left: %s\n", s.labels[id], orNone(strings.Join(kept, ", ")))
		}
		return nil
	})

	s.do("the host's mailer delivers the outbox", func() error { return s.deliver() })

	s.do("a change staged for Bob is lost to a re-sync with the carrier", func() error {
		p, err := svc.StageChanges(ctx, admin, lifeline.StageChanges{CompanyID: b.Company.ID, Name: "Bob leaves",
			Items: []lifeline.AnyOperation{lifeline.Any(lifeline.Offboard{UserID: bob, Option: recording.SuspendKeepRecordings})}})
		if err != nil {
			return err
		}
		s.labels[p.Set.ID] = strconv.Quote(p.Set.Name)
		for _, u := range p.Users {
			fmt.Fprintf(w, "  staged the change set %s: %s would go %s -> %s\n", s.labels[p.Set.ID], s.labels[u.UserID], u.From, u.To)
		}
		// The carrier account has one line lifeline has not seen.
		carrier := lifeline.ProviderFunc(func(context.Context, string) ([]lifeline.CarrierLine, error) {
			return []lifeline.CarrierLine{{E164: mainLine, Plan: "Business Voice"}, {E164: "+1 650 253 0001", Plan: "Business Voice"}}, nil
		})
		rep, err := svc.Resync(ctx, admin, b.Company.ID, carrier)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "  re-sync: %d number added (%s), %d change set discarded\n", len(rep.Added), strings.Join(rep.Added, ", "), len(rep.Discarded))
		_, err = svc.ConfirmChangeSet(ctx, admin, p.Set.ID)
		if !errors.Is(err, lifeline.ErrStale) {
			return fmt.Errorf("confirming after the re-sync: want ErrStale, got %v", err)
		}
		fmt.Fprintf(w, "  confirm: refused (ErrStale): %s\n", s.label(err.Error()))
		return nil
	})
	return s.err
}

// steps runs one step after another and prints the users after each; the
// first error stops the rest. It keeps a label for every id it has seen, so
// the story reads the same on every run.
type steps struct {
	ctx   context.Context
	svc   *lifeline.Service
	admin lifeline.Actor
	w     io.Writer
	clk   *clock.Mock
	n     int
	err   error
	// users are Ada, Bob and Carol's ids; labels maps ids to names. (A
	// real host forgets a name on user.anonymized; the example keeps its
	// labels so that the story reads on.)
	users  []string
	labels map[string]string
	// plans is each user's recording plan as the last operation on it
	// returned it: lifeline has no operation that reads a plan.
	plans map[string]lifeline.RecordingPlan
}

func (s *steps) do(title string, fn func() error) {
	if s.err != nil {
		return
	}
	s.n++
	fmt.Fprintf(s.w, "\n%d. %s\n", s.n, title)
	if s.err = fn(); s.err != nil {
		s.err = fmt.Errorf("step %d (%s): %w", s.n, title, s.err)
		return
	}
	s.err = s.print()
}

// label replaces every id the example knows in text by its label.
func (s *steps) label(text string) string {
	var oldnew []string
	for id, l := range s.labels {
		oldnew = append(oldnew, id, l)
	}
	return strings.NewReplacer(oldnew...).Replace(text)
}

// preview prints what the option would do to u, which it does not change.
func (s *steps) preview(userID string, spec recording.OffboardingSpec) (lifeline.Offboarded, error) {
	res, eff, err := lifeline.Preview(s.ctx, s.svc, s.admin, lifeline.Offboard{UserID: userID, Option: spec.Option})
	if err != nil {
		return res, err
	}
	fmt.Fprintf(s.w, "  %s\n", spec.Description)
	if len(eff.Users) == 0 {
		fmt.Fprintf(s.w, "  state: %s, unchanged\n", res.User.State())
	}
	for _, c := range eff.Users {
		fmt.Fprintf(s.w, "  state: %s -> %s (%s)\n", c.From, c.To, c.Action)
	}
	fmt.Fprintf(s.w, "  plan after: %s\n", planString(res.Plan))
	deleted := 0
	for _, r := range eff.Recordings {
		if r.Deleted {
			deleted++
			fmt.Fprintf(s.w, "  would delete %s\n", s.labels[r.RecordingID])
		}
	}
	if deleted == 0 {
		fmt.Fprintf(s.w, "  would delete no recording\n")
	}
	for _, e := range eff.Events {
		fmt.Fprintf(s.w, "  would write event %s for %s %s\n", e.Kind, s.labels[e.SubjectID], s.label(e.Payload))
	}
	if len(eff.Events) == 0 {
		fmt.Fprintf(s.w, "  would write no event\n")
	}
	if spec.Permanent {
		fmt.Fprintf(s.w, "  permanent: the preview gives a confirmation token to apply it with\n")
	}
	return res, nil
}

// offboard applies an option and keeps the plan it returns.
func (s *steps) offboard(x lifeline.Offboard) error {
	res, err := s.svc.Offboard(s.ctx, s.admin, x)
	if err != nil {
		return err
	}
	s.plans[x.UserID] = res.Plan
	return nil
}

// recordings returns all of a user's recordings, oldest call first.
func (s *steps) recordings(userID string) ([]lifeline.Recording, error) {
	var all []lifeline.Recording
	cursor := ""
	for {
		page, err := s.svc.ListRecordings(s.ctx, s.admin, userID, cursor, 0)
		if err != nil {
			return nil, err
		}
		all = append(all, page.Recordings...)
		if cursor = page.Next; cursor == "" {
			return all, nil
		}
	}
}

// deliver is the host's delivery loop, run as the system principal
// "mailer": it claims events under a lease, does what each asks (here it
// prints them) and acknowledges each, except one whose delivery fails and
// which the next claim hands out again.
func (s *steps) deliver() error {
	mailer := lifeline.System("mailer")
	const lease = time.Minute
	if _, err := s.svc.ClaimEvents(s.ctx, s.admin, lease, 100); !errors.Is(err, lifeline.ErrForbidden) {
		return fmt.Errorf("the company admin claiming events: want ErrForbidden, got %v", err)
	}
	fmt.Fprintf(s.w, "  the company admin may not claim events: refused (ErrForbidden)\n")
	for round := 1; ; round++ {
		evs, err := s.svc.ClaimEvents(s.ctx, mailer, lease, 100)
		if err != nil {
			return err
		}
		if len(evs) == 0 {
			fmt.Fprintf(s.w, "  claim %d: %s got nothing; no event is pending\n", round, mailer.Name())
			return nil
		}
		fmt.Fprintf(s.w, "  claim %d: %s got %d event(s)\n", round, mailer.Name(), len(evs))
		tw := tabwriter.NewWriter(s.w, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "    attempt\tkind\tsubject\tpayload\toutcome")
		for _, e := range evs {
			outcome := "acked"
			// The first time the host is told to erase what it keeps of
			// a user, its CRM does not answer.
			if e.Kind == lifeline.EventUserAnonymized && e.Attempts == 1 {
				if err := s.svc.FailEvent(s.ctx, mailer, e.ID, e.LeaseToken, "CRM did not answer"); err != nil {
					return err
				}
				outcome = "failed: CRM did not answer"
			} else if err := s.svc.AckEvent(s.ctx, mailer, e.ID, e.LeaseToken); err != nil {
				return err
			}
			fmt.Fprintf(tw, "    %d\t%s\t%s\t%s\t%s\n", e.Attempts, e.Kind, s.labels[e.SubjectID], s.label(e.Payload), outcome)
		}
		if err := tw.Flush(); err != nil {
			return err
		}
		if round > 3 {
			return fmt.Errorf("claim %d still got events", round)
		}
	}
}

// print prints Ada, Bob and Carol: their state, recording plan and how
// many recordings lifeline keeps of them.
func (s *steps) print() error {
	if len(s.users) == 0 {
		return nil
	}
	tw := tabwriter.NewWriter(s.w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "  user\tname in lifeline\tstate\trecording\tbilled\trecordings kept")
	for _, id := range s.users {
		u, err := s.svc.GetUser(s.ctx, s.admin, id)
		if err != nil {
			return err
		}
		rs, err := s.recordings(id)
		if err != nil {
			return err
		}
		p := s.plans[id]
		fmt.Fprintf(tw, "  %s\t%s\t%s\t%s\t%s\t%d\n", s.labels[id], orDash(u.Person.Full()), u.State(), onOff(p.Recording), yesNo(p.Billed), len(rs))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(s.w, "  (clock: %s)\n", s.clk.Now().UTC().Format(dateFmt))
	return nil
}

func planString(p lifeline.RecordingPlan) string {
	billed := "billed"
	if !p.Billed {
		billed = "not billed"
	}
	return "recording " + onOff(p.Recording) + ", " + billed
}

func onOff(b bool) string {
	if b {
		return "on"
	}
	return "off"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func orNone(s string) string {
	if s == "" {
		return "none"
	}
	return s
}
