package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/examples/internal/exampletest"
)

func TestOffboarding(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "o.db"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	exampletest.Plain(t, got)
	exampletest.Contains(t, got,
		"system:signup bootstrapped Acme Telecom (premium) with office San Francisco; Margaret Hamilton is its company admin.",
		"Acme Telecom keeps call recordings 30 days (lifeline's default is 180).",
		"Ada's call of Feb 20 14:00 is kept until Mar 22 14:00 (30 days after the call)",
	)
	exampletest.Rows(t, exampletest.Step(t, got, 1),
		`Ada +Ada Lovelace +Active +on +yes +3`,
		`Bob +Bob Noyce +Active +on +yes +3`,
		`Carol +Carol Shaw +Active +on +yes +3`,
	)

	// Option 1: Ada is suspended, recording and billing off, recordings
	// kept. The preview says so and changes nothing.
	p1 := exampletest.Step(t, got, 2)
	exampletest.Contains(t, p1,
		"preview option 1 for Ada: Suspend user but keep recordings",
		"state: Active -> Suspended (user.suspend)",
		"plan after: recording off, not billed",
		"would delete no recording",
		"would write no event",
	)
	exampletest.Rows(t, p1, `Ada +Ada Lovelace +Active +on +yes +3`)
	exampletest.Rows(t, exampletest.Step(t, got, 3), `Ada +Ada Lovelace +Suspended +off +no +3`)

	// Option 2: Bob stays as he is, recording off but still billed.
	p2 := exampletest.Step(t, got, 4)
	exampletest.Contains(t, p2,
		"preview option 2 for Bob: Stop recording but keep user and recordings",
		"state: Active, unchanged",
		"plan after: recording off, billed",
		"would delete no recording",
		"would write no event",
	)
	exampletest.Rows(t, p2, `Bob +Bob Noyce +Active +on +yes +3`)
	exampletest.Rows(t, exampletest.Step(t, got, 5), `Bob +Bob Noyce +Active +off +yes +3`)

	// Option 3: Carol is erased with her recordings; permanent, so refused
	// without the preview's token.
	p3 := exampletest.Step(t, got, 6)
	exampletest.Contains(t, p3,
		"preview option 3 for Carol: Delete user and recordings",
		"state: Active -> Anonymized (user.erase)",
		"plan after: recording off, not billed",
		"would delete Carol's call of Feb 20 16:00",
		"would delete Carol's call of Feb 26 16:00",
		"would delete Carol's call of Mar 1 16:00",
		"would write event user.anonymized for Carol {}",
		`would write event recording.delete-audio for Carol's call of Feb 20 16:00 {"owner_id":"Carol"}`,
		`would write event recording.delete-audio for Carol's call of Mar 1 16:00 {"owner_id":"Carol"}`,
		"permanent: the preview gives a confirmation token",
	)
	exampletest.Rows(t, p3, `Carol +Carol Shaw +Active +on +yes +3`)
	a3 := exampletest.Step(t, got, 7)
	exampletest.Contains(t, a3,
		"without the token: refused (ErrInvalid): user.offboard: delete-user-and-recordings is permanent",
		"with the preview's token: done",
	)
	exampletest.Rows(t, a3,
		`Ada +Ada Lovelace +Suspended +off +no +3`,
		`Bob +Bob Noyce +Active +off +yes +3`,
		`Carol +- +Anonymized +off +no +0`,
	)
	if strings.Contains(a3, "Carol Shaw") {
		t.Errorf("lifeline still names Carol after erasing her:\n%s", a3)
	}
	exampletest.Contains(t, exampletest.Step(t, got, 8), "refused (ErrConflict): recording.register: recording is off for user Bob")

	// A legal hold refuses erasing Ada, and keeps its recording past the
	// sweep; everything else past retention goes.
	exampletest.Contains(t, exampletest.Step(t, got, 9),
		"Margaret placed the dispute hold on Ada's call of Mar 1 14:00",
		"preview of delete-user-and-recordings: refused (ErrUnderHold): user.offboard:",
		"erase: refused (ErrUnderHold): user.erase:",
		`a legal hold covers it: hold "the dispute hold"`,
	)
	sweep := exampletest.Step(t, got, 10)
	exampletest.Contains(t, sweep,
		"sweep: 5 recordings deleted, 1 held, 0 users anonymized",
		"Ada's recordings left: Ada's call of Mar 1 14:00 (held)\n",
		"Bob's recordings left: none",
		"(clock: Apr 2 09:00)",
	)
	exampletest.Rows(t, sweep,
		`Ada +Ada Lovelace +Suspended +off +no +1`,
		`Bob +Bob Noyce +Active +off +yes +0`,
		`Carol +- +Anonymized +off +no +0`,
	)

	// The mailer gets every event the steps wrote: Carol's anonymization
	// and the audio of her three recordings, then the five expired ones.
	// It fails one, which comes back once; then nothing is pending.
	outbox := exampletest.Step(t, got, 11)
	exampletest.Contains(t, outbox,
		"the company admin may not claim events: refused (ErrForbidden)",
		"claim 1: system:mailer got 9 event(s)",
		"claim 2: system:mailer got 1 event(s)",
		"claim 3: system:mailer got nothing; no event is pending",
	)
	exampletest.Rows(t, outbox,
		`1 +user\.anonymized +Carol +\{\} +failed: CRM did not answer`,
		`2 +user\.anonymized +Carol +\{\} +acked`,
	)
	audio := regexp.MustCompile(`1 +recording\.delete-audio +(\w+)'s call of (\w+ \d+) \d\d:00 +\{"owner_id":"(\w+)"\} +acked`)
	deleted := map[string]bool{}
	for _, m := range audio.FindAllStringSubmatch(outbox, -1) {
		if m[1] != m[3] {
			t.Errorf("the event for %s's call names owner %s", m[1], m[3])
		}
		deleted[m[1]+" "+m[2]] = true
	}
	want := []string{"Carol Feb 20", "Carol Feb 26", "Carol Mar 1", "Ada Feb 20", "Ada Feb 26", "Bob Feb 20", "Bob Feb 26", "Bob Mar 1"}
	for _, k := range want {
		if !deleted[k] {
			t.Errorf("no recording.delete-audio event for %s's call\n%s", k, outbox)
		}
	}
	if len(deleted) != len(want) {
		t.Errorf("%d recording.delete-audio events, want %d (the held one has none)\n%s", len(deleted), len(want), outbox)
	}

	// A change staged for Bob is discarded by a re-sync: confirming it is
	// stale, and Bob is as he was.
	resync := exampletest.Step(t, got, 12)
	exampletest.Contains(t, resync,
		`staged the change set "Bob leaves": Bob would go Active -> Suspended`,
		"re-sync: 1 number added (+16502530001), 1 change set discarded",
		`confirm: refused (ErrStale): changeset.confirm: change set "Bob leaves" was discarded by the re-sync with the carrier`,
	)
	exampletest.Rows(t, resync, `Bob +Bob Noyce +Active +off +yes +0`)
}
