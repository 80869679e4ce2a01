package main

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "q.db"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"system:signup bootstrapped Acme Telecom (premium) with office San Francisco; Margaret Hamilton is its company admin.",
		"Password Required",
		"Active",
		"Suspended",
		"Setup Required",
		"Grace Hopper",
		"Deleted",
		"last held by Grace Hopper",
		"restore refused",
		"sweep: 1 anonymized, 0 overdue",
		"Anonymized",
		"last held by anonymized",
		// Authorization is lifeline's own: a member may not delete a colleague.
		"refused (ErrForbidden): user.delete: refused: access.Authorize: role member may not user.delete",
		// The preview names the effects of a deletion.
		"would user.delete: Password Required -> Deleted",
		"would move +16502530000: assigned -> reserved",
		"would free a seat: 3 -> 2 of 4 assigned",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n%s", want, got)
		}
	}
	for _, re := range []string{
		`100 +Margaret Hamilton +margaret@acme\.example +Password Required`,
		`101 +Ada Lovelace +ada@acme\.example +Password Required +\+16502530000`,
		`102 +- +bob@partner\.example +Password Required`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("output does not match %q\n%s", re, got)
		}
	}
	// The preview changed nothing: Grace still holds her number after it.
	preview := step(t, got, 7)
	if !regexp.MustCompile(`101 +Grace Hopper +grace@acme\.example +Password Required +\+16502530000`).MatchString(preview) {
		t.Errorf("after the preview Grace is not unchanged:\n%s", preview)
	}
	if strings.Contains(preview, "reserved pool") {
		t.Errorf("after the preview the reserved pool is not empty:\n%s", preview)
	}
	// Only the anonymized user's ghost may remain: no trace of her name in
	// the last table.
	if last := step(t, got, 11); strings.Contains(last, "Grace") {
		t.Errorf("the last table still names Grace:\n%s", last)
	}
}

// step returns the output of step n, up to the next step.
func step(t *testing.T, out string, n int) string {
	t.Helper()
	head := "\n" + strconv.Itoa(n) + ". "
	i := strings.Index(out, head)
	if i < 0 {
		t.Fatalf("no step %d in\n%s", n, out)
	}
	s := out[i+1:]
	if j := strings.Index(s, "\n"+strconv.Itoa(n+1)+". "); j >= 0 {
		s = s[:j]
	}
	return s
}
