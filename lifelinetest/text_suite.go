package lifelinetest

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

var textTests = []namedTest{
	{"ScriptsAndEmojiEndToEnd", testScriptsAndEmoji},
	{"SystemNameFollowsTextPolicy", testSystemName},
	{"FailureReasonIsSanitized", testFailureReason},
}

// testScriptsAndEmoji writes names, devices, settings, an office name and a
// hold reason spelled with the joiners their scripts and emoji need, and
// reads each back unchanged.
func testScriptsAndEmoji(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 2)
	person := lifecycle.Person{
		FirstName: "مهدی",
		LastName:  "\u062D\u0633\u0646\u200C\u0632\u0627\u062F\u0647", // noon, ZWNJ, zain
	}
	u, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: person})
	if err != nil {
		t.Fatalf("CreateUser with a Persian name: %v", err)
	}
	devices := []string{
		"\U0001F468\u200D\U0001F469\u200D\U0001F467 home", // 👨‍👩‍👧
		"\u0915\u094D\u200D\u0937 desk",                   // Devanagari half form
		"\u0D05\u0D35\u0D28\u0D4D\u200D \U0001F4F1",       // Malayalam chillu, 📱
	}
	if _, err := fx.svc.SetDevices(fx.ctx, admin, u.ID, devices); err != nil {
		t.Fatalf("SetDevices: %v", err)
	}
	settings := map[string]string{"greeting": "\u2764\uFE0F \u0995\u09CD\u200C\u09B7 1\uFE0F\u20E3"}
	if _, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, settings); err != nil {
		t.Fatalf("SetSettings: %v", err)
	}
	got := fx.get(u.ID)
	if got.Person != person {
		t.Errorf("person read back as %+q, want %+q", got.Person, person)
	}
	if !slices.Equal(got.Devices, devices) {
		t.Errorf("devices read back as %+q, want %+q", got.Devices, devices)
	}
	if diff := cmp.Diff(settings, got.Settings); diff != "" {
		t.Errorf("settings read back (-want +got):\n%s", diff)
	}
	office, err := fx.svc.CreateOffice(fx.ctx, admin, lifeline.NewOffice{CompanyID: fx.co.ID, Name: "خانه\u200Cی تهران", Country: "US"})
	if err != nil {
		t.Fatalf("CreateOffice with a ZWNJ in its name: %v", err)
	}
	if office.Name != "خانه\u200Cی تهران" {
		t.Errorf("office name read back as %+q", office.Name)
	}
	rec := fx.recorded()
	r := fx.record(rec, time.Minute)
	reason := "\U0001F3F3\uFE0F\u200D\U0001F308 case حسن\u200Cزاده"
	hold, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{RecordingID: r.ID, Reason: reason})
	if err != nil {
		t.Fatalf("PlaceHold: %v", err)
	}
	if hold.Reason != reason {
		t.Errorf("hold reason read back as %+q, want %+q", hold.Reason, reason)
	}
	// The same joiners where no script or emoji needs them are refused.
	before := fx.snapshot()
	for name, do := range map[string]func() error{
		"a ZWJ between Latin letters": func() error {
			_, err := fx.svc.SetDevices(fx.ctx, admin, u.ID, []string{"desk\u200Dphone"})
			return err
		},
		"a soft hyphen in a name": func() error {
			_, err := fx.svc.CreateUser(fx.ctx, admin, lifeline.NewUser{OfficeID: fx.us.ID, Person: lifecycle.Person{FirstName: "Ada\u00AD", LastName: "Lovelace"}})
			return err
		},
		"a Hangul filler in a setting": func() error {
			_, err := fx.svc.SetSettings(fx.ctx, admin, u.ID, map[string]string{"greeting": "hi\u3164"})
			return err
		},
		"a tag character in a hold reason": func() error {
			_, err := fx.svc.PlaceHold(fx.ctx, admin, lifeline.PlaceHold{RecordingID: r.ID, Reason: "court\U000E0041"})
			return err
		},
	} {
		fx.refused(name, do(), before, errs.ErrInvalid)
	}
}

// testSystemName runs operations as system principals whose names break
// the text policy: each is refused as invalid input naming the character,
// and nothing changes; a name in another script is fine.
func testSystemName(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	before := fx.snapshot()
	for _, name := range []string{"sweep\u202Eer", "scim\u200Bentra", "sync\n", "Ada\u00AD", " sweeper", "sweeper\u2067"} {
		for _, actor := range []lifeline.Actor{lifeline.System(name), lifeline.SystemFor(name, fx.co.ID)} {
			_, err := fx.svc.CreateOffice(fx.ctx, actor, lifeline.NewOffice{CompanyID: fx.co.ID, Name: "Bidi", Country: "US"})
			fx.refused("CreateOffice as system "+strconv.QuoteToASCII(name), err, before, errs.ErrInvalid)
			if err != nil && !strings.Contains(err.Error(), "system name") {
				t.Errorf("the refusal of system %+q does not name the system name: %v", name, err)
			}
		}
	}
	_, err := fx.svc.CreateOffice(fx.ctx, lifeline.System("همگام\u200Cسازی"), lifeline.NewOffice{CompanyID: fx.co.ID, Name: "Sync", Country: "US"})
	if err != nil {
		t.Fatalf("CreateOffice as a system named in Persian: %v", err)
	}
	if a := fx.lastAudit(); a.ActorID != "system:همگام\u200Cسازی" {
		t.Errorf("the audit trail names the actor %+q", a.ActorID)
	}
}

// testFailureReason reports a failed delivery whose reason holds a newline,
// a bidirectional override and invalid UTF-8: the failure is recorded (the
// event is parked dead at its last attempt) with the reason made printable.
func testFailureReason(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	fx.seats(fx.us, 1)
	u := fx.userIn(fx.us, lifecycle.Active)
	if _, err := fx.svc.ForcePasswordReset(fx.ctx, admin, u.ID); err != nil { // emits an email event
		t.Fatal(err)
	}
	host := lifeline.System("delivery")
	var mine lifeline.OutboxEvent
	for mine.ID == "" {
		claimed, err := fx.svc.ClaimEvents(fx.ctx, host, time.Minute, 1000)
		wantErr(t, "ClaimEvents", err)
		if len(claimed) == 0 {
			t.Fatalf("no event of user %s to deliver", u.ID)
		}
		for _, e := range claimed {
			if e.CompanyID == fx.co.ID && mine.ID == "" {
				mine = e
			}
		}
	}
	_, err := lifeline.Do(fx.ctx, fx.svc, host, lifeline.FailEvent{ID: mine.ID, Token: mine.LeaseToken,
		Reason: "HTTP 502\nBad\tGateway \u202Egnp.exe \xff", MaxAttempts: 1})
	if err != nil {
		t.Fatalf("FailEvent with a multi-line reason: %v", err)
	}
	dead, err := fx.svc.DeadEvents(fx.ctx, host, fx.co.ID)
	wantErr(t, "DeadEvents", err)
	const want = "HTTP 502 Bad Gateway \uFFFDgnp.exe \uFFFD"
	for _, e := range dead {
		if e.ID == mine.ID {
			if e.LastError != want {
				t.Errorf("the dead event's reason is %+q, want %+q", e.LastError, want)
			}
			return
		}
	}
	t.Errorf("event %s is not dead after failing its last attempt", mine.ID)
}
