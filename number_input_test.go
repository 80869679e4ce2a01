package lifeline_test

import (
	"context"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
)

// TestNumberOperationsTakeAnyFormOfTheNumber names one number in the ways an
// admin may type it: each reaches the number (the canonical form without
// parsing, the others parsed), and forms of numbers not in the inventory
// are not found.
func TestNumberOperationsTakeAnyFormOfTheNumber(t *testing.T) {
	ctx := context.Background()
	svc := newService(t, openSQLite(t))
	sys := lifeline.System("test")
	b := bootstrap(t, svc, "Acme", "ada@acme.example")
	added, err := svc.AddNumbers(ctx, sys, b.Office.ID, numbers.KindLocal, "+1 415 555 0142")
	if err != nil {
		t.Fatal(err)
	}
	const e164 = "+14155550142"
	if added[0].E164 != e164 {
		t.Fatalf("added %s, want %s", added[0].E164, e164)
	}
	for _, form := range []string{e164, "+1 (415) 555-0142", "+1-415-555-0142", " +14155550142 "} {
		if _, err := svc.AssignNumber(ctx, sys, form, b.Admin.ID, lifeline.AssignOptions{}); err != nil {
			t.Fatalf("AssignNumber(%q): %v", form, err)
		}
		n, err := svc.UnassignNumber(ctx, sys, form)
		if err != nil || n.E164 != e164 || n.Status != numbers.Reserved {
			t.Fatalf("UnassignNumber(%q) = %+v, %v; want %s reserved", form, n, err, e164)
		}
	}
	for _, form := range []string{"+14155550143", "+1 415 555 0143", "+999", "+0123"} {
		if _, err := svc.UnassignNumber(ctx, sys, form); !errs.Is(err, errs.NotFound) {
			t.Errorf("UnassignNumber(%q): %v, want not found", form, err)
		}
	}
}
