package lifeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// TestNumberOperationsTakeAnyFormOfTheNumber names one number in the ways an
// admin may type it: each reaches the number (the canonical form without
// parsing, the others parsed), and forms of numbers not in the inventory
// are not found.
func TestNumberOperationsTakeAnyFormOfTheNumber(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "numbers.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := lifeline.New(st, lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}))
	if err != nil {
		t.Fatal(err)
	}
	sys := lifeline.System("test")
	b, err := svc.Bootstrap(ctx, sys, lifeline.Bootstrap{
		CompanyName: "Acme", Tier: licensing.Premium, Office: lifeline.NewOffice{Name: "HQ", Country: "US"},
		Admin: lifeline.NewUser{Person: lifeline.Person{FirstName: "Ada", LastName: "Admin"}, Email: "ada@acme.example"},
	})
	if err != nil {
		t.Fatal(err)
	}
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
