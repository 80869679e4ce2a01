package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline/examples/internal/exampletest"
)

// refused is every item that must fail, with its kind, by item number.
// Items count from 1, as in the portal: item n is the n-th user the
// company admin created, extension 101+n (the first is 102).
var refused = map[int]string{
	98:  "forbidden: out of scope",
	151: "conflict",
	334: "forbidden: outranked",
	421: "invalid",
	499: "forbidden: out of scope",
	601: "conflict",
	667: "forbidden: outranked",
	778: "invalid",
	851: "conflict",
	914: "forbidden: out of scope",
}

func TestBulk(t *testing.T) {
	// The bar goes to a writer of its own, here a buffer; the story stays
	// free of it.
	var out, bar bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "b.db"), &out, &bar); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	exampletest.Plain(t, got)
	if strings.ContainsAny(got, "\r\x1b█") {
		t.Errorf("the story holds terminal drawing:\n%q", got)
	}
	if b := bar.String(); !strings.Contains(b, "100%") || !strings.Contains(b, "(1000/1000)") || !strings.Contains(b, "(10 refused)") {
		t.Errorf("the bar did not reach 1000/1000 with 10 refused:\n%q", b)
	}

	setUp := exampletest.Step(t, got, 1)
	exampletest.Contains(t, setUp,
		"Acme Telecom (premium), offices San Francisco and New York; Margaret Hamilton is its company admin, Katherine Johnson office admin of San Francisco.",
		"bulk create: 1000 items, 1000 created, 0 refused; extensions 102 (Alan Turing) to 1101 (Adele Feigenbaum)",
		"ext 199 (Xavier Ritchie) is in New York",
		"ext 435 (Ivan Wirth) is an office admin of San Francisco, like Katherine",
		"of the 1000 extensions: 1000 hold their old person, 0 a new one; the company's users: 2 Active, 1000 Password Required",
	)
	audit0 := auditRecords(t, setUp)

	// The validation lists exactly the ten failing items, each with its
	// kind and reason, and changes nothing.
	validation := exampletest.Step(t, got, 2)
	exampletest.Contains(t, validation,
		"validation: 1000 items, 990 would apply, 10 would fail, 0 not run",
		"item 1, for example, would: user.reset (Password Required -> Setup Required); user.recycle (Setup Required -> Password Required); and make it Amélie Andersen's",
		`98: user.reset-recycle: refused: access.Authorize: role office_admin may user.reset only in the offices it is given, and office "New York" is not given`,
		"151: user.reset-recycle: email margaret@acme.example is already used by user Margaret (ext 100) in this company",
		`334: user.reset-recycle: refused: access.Authorize: role office_admin may not user.credentials: it cannot change the password or email of an admin of equal or higher rank (user "ext 435" has role office_admin)`,
		"421: lifecycle.ValidatePerson: last name is required",
		"601: user.reset-recycle: email katherine@acme.example is already used by user Katherine (ext 101) in this company",
		"851: user.reset-recycle: email ivan.wirth@acme.example is already used by user ext 435 in this company",
		// Nothing changed.
		"of the 1000 extensions: 1000 hold their old person, 0 a new one; the company's users: 2 Active, 1000 Password Required",
	)
	if diff := cmp.Diff(refused, failures(t, validation)); diff != "" {
		t.Errorf("the validation's failing items (-want +got):\n%s", diff)
	}
	if got := auditRecords(t, validation); got != audit0 {
		t.Errorf("the validation wrote audit records: %d after it, %d before", got, audit0)
	}

	// The run applies the 990 others and refuses the same ten; progress is
	// reported for every item, in order, up to 1000.
	ran := exampletest.Step(t, got, 3)
	exampletest.Contains(t, ran,
		"progress: called 1000 times, last at 1000/1000 with 10 refused, in item order: true",
		"run: 1000 items, 990 applied, 10 refused, 0 not run",
		"the run refused exactly the items the validation listed",
		"of the 1000 extensions: 10 hold their old person, 990 a new one; the company's users: 2 Active, 1000 Password Required",
	)
	if diff := cmp.Diff(refused, failures(t, ran)); diff != "" {
		t.Errorf("the run's refused items (-want +got):\n%s", diff)
	}
	// Each applied item writes two records: the reset and the recycle.
	if got, want := auditRecords(t, ran), audit0+2*990; got != want {
		t.Errorf("the audit trail holds %d records after the run, want %d", got, want)
	}

	// The search finds Zoë, Zoe and Zoey, whatever the accent and case;
	// not Zoé, whose item failed, nor Zoltan.
	search := exampletest.Step(t, got, 4)
	exampletest.Contains(t, search,
		`Katherine searches the pending tab for "zoë"`,
		// Her offices' users: Margaret and Katherine, active, and the 997 in San
		// Francisco, pending.
		"her tabs: active 2, pending 997, suspended 0, deleted 0",
		`matching "zoë": active 0, pending 3, suspended 0, deleted 0`,
		`the pending tab, "zoë": 3 hits`,
	)
	exampletest.Rows(t, search,
		`203 +Zoë Durand +zoe\.durand@acme\.example +San Francisco +Password Required`,
		`504 +Zoe Kim +zoe\.kim@acme\.example +San Francisco +Password Required`,
		`835 +Zoey Park +zoey\.park@acme\.example +San Francisco +Password Required`,
	)
	for _, name := range []string{"Zoé", "Zoltan"} {
		if strings.Contains(search, name) {
			t.Errorf("the search found %s:\n%s", name, search)
		}
	}
}

// failures reads a table of refused items: item number to kind. It fails
// the test for a row whose extension is not the item's, 101 + its number.
func failures(t *testing.T, out string) map[int]string {
	t.Helper()
	re := regexp.MustCompile(`(?m)^    (\d+) +(\d+) +.*?  +(forbidden: out of scope|forbidden: outranked|conflict|invalid|not found|not run|error)$`)
	got := map[int]string{}
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		i, _ := strconv.Atoi(m[1])
		if ext, _ := strconv.Atoi(m[2]); ext != 101+i {
			t.Errorf("item %d shows extension %d, want %d:\n%s", i, ext, 101+i, m[0])
		}
		got[i] = m[3]
	}
	return got
}

// auditRecords reads how many audit records a step reports.
func auditRecords(t *testing.T, out string) int {
	t.Helper()
	m := regexp.MustCompile(`the audit trail holds (\d+) records`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("no audit count in\n%s", out)
	}
	n, _ := strconv.Atoi(m[1])
	return n
}
