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

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "q.db"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	exampletest.Plain(t, got)
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
		`100 +Margaret Hamilton +margaret@acme\.example +Active`,
		`101 +Ada Lovelace +ada@acme\.example +Password Required +\+16502530000`,
		`102 +- +bob@partner\.example +Password Required`,
	} {
		if !regexp.MustCompile(re).MatchString(got) {
			t.Errorf("output does not match %q\n%s", re, got)
		}
	}
	// The preview changed nothing: Grace still holds her number after it.
	preview := exampletest.Step(t, got, 7)
	if !regexp.MustCompile(`101 +Grace Hopper +grace@acme\.example +Password Required +\+16502530000`).MatchString(preview) {
		t.Errorf("after the preview Grace is not unchanged:\n%s", preview)
	}
	if strings.Contains(preview, "reserved pool") {
		t.Errorf("after the preview the reserved pool is not empty:\n%s", preview)
	}
	// Only the anonymized user's ghost may remain: no trace of her name in
	// the last table.
	if last := exampletest.Step(t, got, 11); strings.Contains(last, "Grace") {
		t.Errorf("the last table still names Grace:\n%s", last)
	}
}
