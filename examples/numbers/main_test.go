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

func TestNumbers(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "n.db"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	exampletest.Plain(t, got)
	for _, want := range []string{
		"Company Acme Telecom (premium), office Mountain View (US), admin Margaret Hamilton",
		// A malformed number is refused with its typed error, and nothing is added.
		`"+1 650 253 0000", "+1 650 253 00" refused as a whole (ErrInvalid, too short`,
		`added "+1 650 253 0000", "+1 (650) 253-0001", "650-253-0002", "+16502530003", "+1 650 253 0004"`,
		"inventory after the refusal: 0 numbers",
		"+16502530004  local  US       available",
		// Assignment both ways.
		"AssignNumber(+16502530000, Ada)",
		"AssignNumberToUser(Ada, +16502530001)",
		// The reserved pool names the last holder, office and date.
		"+16502530000  reserved  Ada Lovelace    Mountain View  Mar 2 10:00     Mar 9 10:00",
		"+16502530003  reserved  Linus Torvalds  Mountain View  Mar 2 10:00",
		// The quarantine refuses; an override is audited.
		"refused (ErrConflict, quarantine until Mar 9 10:00)",
		"it is in quarantine for its last holder",
		"reserved -> assigned",
		"QUARANTINE OVERRIDDEN",
		// The audit trail names the bootstrapped admin, with the role
		// lifeline read from its own store, and the operation's name.
		"Margaret (company_admin)  number.assign",
		"Linus's restore is now refused as a whole (ErrConflict)",
		// The sweep and the anonymized last holder.
		"sweep: 2 anonymized, 0 overdue",
		"+16502530000  reserved  anonymized   Mountain View  Mar 2 13:00",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n%s", want, got)
		}
	}

	// After the restore Ada holds both her numbers again and the pool is empty.
	restored := exampletest.Section(t, got, "6.", "7.")
	if !regexp.MustCompile(`Ada Lovelace +Password Required +\+16502530000 \+16502530001`).MatchString(restored) {
		t.Errorf("after the restore Ada does not hold her numbers:\n%s", restored)
	}
	if !strings.Contains(restored, "reserved pool:\n  (empty)") {
		t.Errorf("after the restore the reserved pool is not empty:\n%s", restored)
	}
	// After the deletion Ada's state is Deleted, and after the sweep
	// nothing in the last section names her.
	deleted := exampletest.Section(t, got, "3.", "4.")
	if !regexp.MustCompile(`Ada Lovelace +Deleted +-`).MatchString(deleted) {
		t.Errorf("after the deletion Ada is not Deleted without numbers:\n%s", deleted)
	}
	last := exampletest.Section(t, got, "8.", "")
	last = last[strings.Index(last[1:], "\n")+1:] // the tables, not the title
	if strings.Contains(last, "Ada") || strings.Contains(last, "Linus") {
		t.Errorf("the last section still names an anonymized user:\n%s", last)
	}
	if strings.Count(last, "Anonymized") != 2 {
		t.Errorf("want two Anonymized users in the last section:\n%s", last)
	}
}
