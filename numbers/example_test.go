package numbers_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
)

func ExampleParse() {
	for _, in := range []struct{ raw, region string }{
		{"+1 650-253-0000", ""},
		{"020 7946 0958", "GB"},
		{"+33 6 12 34 56 78", ""},
		{"1-800-FLOWERS", "US"},
		{"＋１ ６５０ ２５３ ００００", ""},
	} {
		p, err := numbers.Parse(in.raw, in.region)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Println(p.E164, p.Country, p.Kind)
	}

	_, err := numbers.Parse("+1 555 555 0100", "")
	fmt.Println(err)
	fmt.Println(errors.Is(err, numbers.ErrInvalidNumber), errors.Is(err, errs.ErrInvalid))
	// Output:
	// +16502530000 US local
	// +442079460958 GB local
	// +33612345678 FR mobile
	// +18003569377 US toll-free
	// +16502530000 US local
	// numbers: cannot parse phone number "+1 555 555 0100": not a valid number for country calling code +1 (US): no number range in service matches it
	// true true
}

func ExampleNumber_Assign() {
	p, _ := numbers.Parse("+44 20 7946 0958", "")
	n, _ := numbers.New(p, "london", "")
	q := numbers.DefaultQuarantine()
	monday := time.Date(2025, 3, 3, 9, 0, 0, 0, time.UTC)

	n, _, _ = n.Assign("alice", monday, q, false)
	n, _ = n.Unassign(monday) // alice is deleted; the number is reserved for her

	// Bob cannot have it until the quarantine is over...
	_, _, err := n.Assign("bob", monday.Add(24*time.Hour), q, false)
	fmt.Println(err)
	fmt.Println(errors.Is(err, numbers.ErrQuarantined), errors.Is(err, errs.ErrConflict))

	// ...unless an admin overrides it, which the caller must audit.
	got, res, _ := n.Assign("bob", monday.Add(24*time.Hour), q, true)
	fmt.Println(got.Status, got.HolderID, "override:", res.OverrodeQuarantine)

	// Alice, restored, gets it back at any time.
	got, res, _ = n.Assign("alice", monday.Add(time.Hour), q, false)
	fmt.Println(got.Status, got.HolderID, "returned:", res.ReturnedToLastHolder)

	// From the end of the quarantine on, it is free for anyone.
	got, res, _ = n.Assign("bob", q.Until(n), q, false)
	fmt.Println(got.Status, got.HolderID, "override:", res.OverrodeQuarantine)
	// Output:
	// numbers: cannot assign number +442079460958 to "bob": it is in quarantine for its last holder "alice" until 2025-03-10T09:00:00Z
	// true true
	// assigned bob override: true
	// assigned alice returned: true
	// assigned bob override: false
}

func ExampleTransitions() {
	for _, t := range numbers.Transitions {
		fmt.Printf("%-9s --%s--> %s\n", t.From, t.Event, t.To)
	}
	// Output:
	// available --assign--> assigned
	// available --release--> released
	// assigned  --unassign--> reserved
	// reserved  --assign--> assigned
	// reserved  --release--> released
}
