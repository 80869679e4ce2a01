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

func TestTransfer(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "t.db"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	exampletest.Plain(t, got)
	for _, want := range []string{
		// License transfers: refused across price levels and on Standard,
		// allowed within one price level.
		"refused (ErrConflict, standard vs enterprise)",
		"licenses move only between offices at the same price level",
		"preview: seat Palo Alto free 5 -> 3, New York free 2 -> 4",
		// The plan is the host's to change, not the admin's; on Standard the
		// authorization refuses the transfer.
		"company.set-tier: only a system principal of the host may run company.set-tier",
		"system:billing moved Globex to the standard plan",
		"transfer refused (ErrForbidden, plan tier does not allow this, tier standard)",
		"role company_admin may not license.transfer: it needs the advanced or premium plan",
		// The move within a country keeps numbers and licenses.
		"preview: same country: yes; licenses: ai-meetings, seat; keeps: +16502530000; reserved in Palo Alto: none; new number: none",
		// The move to another country.
		"preview: same country: no; licenses: seat; keeps: +18005550199; reserved in Palo Alto: +16502530001; new number: +442079460000",
		"+16502530001  local  reserved  -           Bob Kahn     Mar 2 09:00 in Palo Alto",
		// The move that fails changes nothing.
		"preview refused (ErrConflict)",
		"transfer refused (ErrConflict)",
		"has no local number of GB free for user",
		"unchanged: Carol's office, numbers and licenses",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n%s", want, got)
		}
	}
	pools := func(section, office, line string) {
		t.Helper()
		if !regexp.MustCompile(regexp.QuoteMeta(office) + `\s+seat\s+` + line).MatchString(section) {
			t.Errorf("want %s seat pool %q in\n%s", office, line, section)
		}
	}
	// Pools before and after the allowed license transfer. The bootstrapped
	// admin holds one of Palo Alto's seats.
	s3 := exampletest.Section(t, got, "3.", "4.")
	before, after := s3[:strings.Index(s3, "after:")], s3[strings.Index(s3, "after:"):]
	pools(before, "Palo Alto", `6\s+1\s+5`)
	pools(before, "New York", `2\s+0\s+2`)
	pools(after, "Palo Alto", `4\s+1\s+3`)
	pools(after, "New York", `4\s+0\s+4`)
	// The refused transfer left the pools alone.
	s2 := exampletest.Section(t, got, "2.", "3.")
	pools(s2, "Palo Alto", `6\s+1\s+5`)
	pools(s2, "Austin", `4\s+0\s+4`)

	// Ada: same numbers and licenses, new office.
	s6 := exampletest.Section(t, got, "6.", "7.")
	for _, re := range []string{
		`before:\n.*\n  Ada Lovelace\s+Palo Alto\s+Password Required\s+\+16502530000 \(local\)\s+ai-meetings seat`,
		`after:\n.*\n  Ada Lovelace\s+New York\s+Password Required\s+\+16502530000 \(local\)\s+ai-meetings seat`,
	} {
		if !regexp.MustCompile(re).MatchString(s6) {
			t.Errorf("step 6 does not match %q:\n%s", re, s6)
		}
	}
	// Bob: the toll-free number stays, the local one is replaced by a GB one.
	s7 := exampletest.Section(t, got, "7.", "8.")
	for _, re := range []string{
		`before:\n.*\n  Bob Kahn\s+Palo Alto\s+Password Required\s+\+16502530001 \(local\) \+18005550199 \(toll-free\)\s+seat`,
		`after:\n.*\n  Bob Kahn\s+London\s+Password Required\s+\+18005550199 \(toll-free\) \+442079460000 \(local\)\s+seat`,
	} {
		if !regexp.MustCompile(re).MatchString(s7) {
			t.Errorf("step 7 does not match %q:\n%s", re, s7)
		}
	}
	// Carol: identical before and after the failed move.
	s8 := exampletest.Section(t, got, "8.", "")
	carol := regexp.MustCompile(`  Carol Shaw\s+Palo Alto\s+Password Required\s+\+16502530002 \(local\)\s+seat`)
	if n := len(carol.FindAllString(s8, -1)); n != 2 {
		t.Errorf("want Carol unchanged before and after the failed move, found %d matching lines:\n%s", n, s8)
	}
}
