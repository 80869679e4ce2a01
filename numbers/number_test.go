package numbers_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// fataler is the part of testing.TB that *rapid.T also has.
type fataler interface {
	Helper()
	Fatal(args ...any)
}

func mustParse(t fataler, raw string) numbers.Parsed {
	t.Helper()
	p, err := numbers.Parse(raw, "")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func mustNew(t fataler, raw string, kind numbers.Kind) numbers.Number {
	t.Helper()
	n, err := numbers.New(mustParse(t, raw), "office-1", kind)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestNew(t *testing.T) {
	n := mustNew(t, "+1 650 253 0000", "")
	want := numbers.Number{E164: "+16502530000", Kind: numbers.KindLocal, Country: "US", OfficeID: "office-1", Status: numbers.Available, Version: 1}
	if n != want {
		t.Fatalf("New = %+v; want %+v", n, want)
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		raw  string
		kind numbers.Kind
		want numbers.Kind
	}{
		{"+16502530000", numbers.KindFax, numbers.KindFax},
		{"+16502530000", numbers.KindMobile, numbers.KindMobile},
		{"+33612345678", numbers.KindLocal, numbers.KindLocal},
		{"+18002752273", numbers.KindFax, numbers.KindFax},
		{"+18002752273", "", numbers.KindTollFree},
	} {
		n := mustNew(t, c.raw, c.kind)
		if n.Kind != c.want {
			t.Errorf("New(%s, kind %q).Kind = %q; want %q", c.raw, c.kind, n.Kind, c.want)
		}
		if err := n.Validate(); err != nil {
			t.Errorf("New(%s, kind %q): %v", c.raw, c.kind, err)
		}
	}
}

func TestNewRefuses(t *testing.T) {
	good := mustParse(t, "+16502530000")
	tollFree := mustParse(t, "+18002752273")
	for _, c := range []struct {
		name   string
		p      numbers.Parsed
		office string
		kind   numbers.Kind
		msg    string
	}{
		{"no office", good, "", "", "office id is empty"},
		{"unknown kind", good, "o", "pager", "unknown kind"},
		{"made toll-free", good, "o", numbers.KindTollFree, "not in a toll-free range"},
		{"toll-free made local", tollFree, "o", numbers.KindLocal, "toll-free number"},
		{"zero Parsed", numbers.Parsed{}, "o", "", "empty"},
		{"not canonical", numbers.Parsed{E164: "+1 650 253 0000", Country: "US", Kind: numbers.KindLocal}, "o", "", "does not match"},
		{"wrong country", numbers.Parsed{E164: "+16502530000", Country: "CA", Kind: numbers.KindLocal}, "o", "", "does not match"},
		{"wrong kind", numbers.Parsed{E164: "+16502530000", Country: "US", Kind: numbers.KindMobile}, "o", "", "does not match"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := numbers.New(c.p, c.office, c.kind)
			if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), c.msg) {
				t.Fatalf("New error = %v; want an invalid-input error mentioning %q", err, c.msg)
			}
		})
	}
}

func TestLifecycle(t *testing.T) {
	q := numbers.DefaultQuarantine()
	n := mustNew(t, "+442079460958", "")

	n, res, err := n.Assign("alice", t0, q, false)
	if err != nil || res != (numbers.AssignResult{}) || n.Status != numbers.Assigned || n.HolderID != "alice" {
		t.Fatalf("Assign from available = %+v, %+v, %v", n, res, err)
	}
	mono := time.Now().Add(time.Hour) // carries a monotonic reading
	n, err = n.Unassign(mono)
	if err != nil {
		t.Fatal(err)
	}
	if n.Status != numbers.Reserved || n.HolderID != "" || n.LastHolderID != "alice" || n.LastOfficeID != "office-1" {
		t.Fatalf("Unassign = %+v", n)
	}
	if n.ReservedAt != mono.Round(0) {
		t.Errorf("ReservedAt = %v; want %v without monotonic reading", n.ReservedAt, mono.Round(0))
	}
	if err := n.Validate(); err != nil {
		t.Fatal(err)
	}
	if got, want := q.Until(n), mono.Round(0).Add(7*24*time.Hour); !got.Equal(want) {
		t.Errorf("Until = %v; want %v", got, want)
	}

	// The last holder gets it back at once.
	back, res, err := n.Assign("alice", mono, q, false)
	if err != nil || !res.ReturnedToLastHolder || res.OverrodeQuarantine || back.HolderID != "alice" || back.LastHolderID != "" || !back.ReservedAt.IsZero() {
		t.Fatalf("Assign back to last holder = %+v, %+v, %v", back, res, err)
	}

	released, err := n.Release()
	if err != nil {
		t.Fatal(err)
	}
	want := numbers.Number{E164: n.E164, Kind: n.Kind, Country: n.Country, OfficeID: n.OfficeID, Status: numbers.Released, Version: n.Version}
	if released != want {
		t.Errorf("Release = %+v; want %+v", released, want)
	}
	if err := released.Validate(); err != nil {
		t.Fatal(err)
	}
	for _, e := range []error{
		func() error { _, _, err := released.Assign("bob", t0, q, true); return err }(),
		func() error { _, err := released.Unassign(t0); return err }(),
		func() error { _, err := released.Release(); return err }(),
	} {
		if !errors.Is(e, numbers.ErrIllegalTransition) || !strings.Contains(e.Error(), "+442079460958") {
			t.Errorf("operation on released number: %v; want an illegal transition naming the number", e)
		}
	}
}

func TestAssignQuarantine(t *testing.T) {
	q := numbers.Quarantine{Period: 48 * time.Hour}
	n := mustNew(t, "+16502530000", "")
	n, _, _ = n.Assign("alice", t0, q, false)
	n, _ = n.Unassign(t0)
	end := t0.Add(48 * time.Hour)

	_, _, err := n.Assign("bob", end.Add(-time.Nanosecond), q, false)
	var qe *numbers.QuarantineError
	if !errors.As(err, &qe) {
		t.Fatalf("Assign before the end = %v; want *QuarantineError", err)
	}
	if qe.Number != "+16502530000" || qe.HolderID != "bob" || qe.LastHolderID != "alice" || !qe.Until.Equal(end) {
		t.Errorf("QuarantineError = %+v", qe)
	}
	if !errors.Is(err, numbers.ErrQuarantined) || !errors.Is(err, errs.ErrConflict) || errs.KindOf(err) != errs.Conflict {
		t.Errorf("error %v does not match ErrQuarantined and errs.ErrConflict", err)
	}
	wantMsg := `numbers: cannot assign number +16502530000 to "bob": it is in quarantine for its last holder "alice" until 2025-03-03T09:00:00Z`
	if err.Error() != wantMsg {
		t.Errorf("message = %q; want %q", err, wantMsg)
	}

	got, res, err := n.Assign("bob", end.Add(-time.Nanosecond), q, true)
	if err != nil || !res.OverrodeQuarantine || res.ReturnedToLastHolder || got.HolderID != "bob" {
		t.Errorf("override = %+v, %+v, %v", got, res, err)
	}
	got, res, err = n.Assign("bob", end, q, true)
	if err != nil || res.OverrodeQuarantine || got.HolderID != "bob" {
		t.Errorf("override not needed at the end = %+v, %+v, %v; want no override reported", got, res, err)
	}
	if _, res, err = n.Assign("bob", end, q, false); err != nil || res != (numbers.AssignResult{}) {
		t.Errorf("Assign at the end = %+v, %v", res, err)
	}
	if _, res, err = n.Assign("alice", t0, q, true); err != nil || res.OverrodeQuarantine || !res.ReturnedToLastHolder {
		t.Errorf("Assign to last holder with override = %+v, %v; want no override reported", res, err)
	}

	// No quarantine: free for anyone at once.
	if _, _, err = n.Assign("bob", t0, numbers.Quarantine{}, false); err != nil {
		t.Errorf("Assign with zero quarantine: %v", err)
	}
}

func TestFreeFor(t *testing.T) {
	q := numbers.DefaultQuarantine()
	avail := mustNew(t, "+16502530000", "")
	assigned, _, _ := avail.Assign("alice", t0, q, false)
	reserved, _ := assigned.Unassign(t0)
	released, _ := reserved.Release()
	end := t0.Add(numbers.DefaultQuarantinePeriod)
	for _, c := range []struct {
		name   string
		n      numbers.Number
		holder string
		now    time.Time
		q      numbers.Quarantine
		want   bool
	}{
		{"available", avail, "bob", t0, q, true},
		{"available, no holder", avail, "", t0, q, false},
		{"assigned", assigned, "alice", t0, q, false},
		{"released", released, "alice", end, q, false},
		{"reserved, last holder", reserved, "alice", t0, q, true},
		{"reserved, other, 1ns early", reserved, "bob", end.Add(-1), q, false},
		{"reserved, other, at end", reserved, "bob", end, q, true},
		{"negative quarantine", reserved, "bob", end, numbers.Quarantine{Period: -1}, false},
		{"zero time", avail, "bob", time.Time{}, q, false},
	} {
		if got := c.n.FreeFor(c.holder, c.now, c.q); got != c.want {
			t.Errorf("%s: FreeFor = %v; want %v", c.name, got, c.want)
		}
	}
	if !q.Until(avail).IsZero() || !q.Until(assigned).IsZero() {
		t.Error("Until of a number that is not reserved is not zero")
	}
}

func TestInvalidArguments(t *testing.T) {
	q := numbers.DefaultQuarantine()
	n := mustNew(t, "+16502530000", "")
	checks := map[string]error{}
	_, _, checks["empty holder"] = n.Assign("", t0, q, false)
	_, _, checks["negative quarantine"] = n.Assign("bob", t0, numbers.Quarantine{Period: -time.Second}, false)
	_, _, checks["zero time"] = n.Assign("bob", time.Time{}, q, false)
	assigned, _, _ := n.Assign("bob", t0, q, false)
	_, checks["unassign at zero time"] = assigned.Unassign(time.Time{})
	_, _, checks["unknown status"] = numbers.Number{E164: "+16502530000", Status: "lost"}.Assign("bob", t0, q, false)
	checks["Quarantine.Validate"] = numbers.Quarantine{Period: -1}.Validate()
	for name, err := range checks {
		if !errors.Is(err, errs.ErrInvalid) || errors.Is(err, errs.ErrConflict) {
			t.Errorf("%s: error = %v; want invalid input", name, err)
		}
	}
	if err := numbers.DefaultQuarantine().Validate(); err != nil {
		t.Error(err)
	}
	if err := (numbers.Quarantine{}).Validate(); err != nil {
		t.Error(err)
	}
}

func TestIllegalOperations(t *testing.T) {
	q := numbers.DefaultQuarantine()
	avail := mustNew(t, "+16502530000", "")
	assigned, _, _ := avail.Assign("alice", t0, q, false)
	for name, err := range map[string]error{
		"assign assigned":    func() error { _, _, err := assigned.Assign("alice", t0, q, true); return err }(),
		"release assigned":   func() error { _, err := assigned.Release(); return err }(),
		"unassign available": func() error { _, err := avail.Unassign(t0); return err }(),
	} {
		var te *numbers.TransitionError
		if !errors.As(err, &te) || te.Number != "+16502530000" || !errors.Is(err, errs.ErrConflict) {
			t.Errorf("%s: error = %v; want *TransitionError naming the number", name, err)
		}
	}
	// A refused operation returns the receiver unchanged.
	got, _ := assigned.Release()
	if got != assigned {
		t.Errorf("refused Release returned %+v; want %+v", got, assigned)
	}
}

func TestMoveOffice(t *testing.T) {
	q := numbers.DefaultQuarantine()
	assign := func(raw string, kind numbers.Kind) numbers.Number {
		n, _, err := mustNew(t, raw, kind).Assign("alice", t0, q, false)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	local := assign("+16502530000", "")
	fax := assign("+16502530001", numbers.KindFax)
	mobile := assign("+33612345678", "")
	tollFree := assign("+18002752273", "")

	for _, n := range []numbers.Number{local, fax, mobile, tollFree} {
		got, err := n.MoveOffice("office-2", "US", "US")
		if err != nil || got.OfficeID != "office-2" || got.HolderID != "alice" {
			t.Errorf("same-country move of %s %s = %+v, %v", n.Kind, n.E164, got, err)
		}
		got, err = n.MoveOffice("office-3", "US", "DE")
		if numbers.NeedsReplacementOnMove(n.Kind) {
			if !errors.Is(err, errs.ErrConflict) || got != n {
				t.Errorf("cross-country move of %s %s = %+v, %v; want a conflict", n.Kind, n.E164, got, err)
			}
		} else if err != nil || got.OfficeID != "office-3" {
			t.Errorf("cross-country move of %s %s = %+v, %v", n.Kind, n.E164, got, err)
		}
	}

	reserved, _ := local.Unassign(t0)
	if _, err := reserved.MoveOffice("office-2", "US", "US"); !errors.Is(err, errs.ErrConflict) {
		t.Errorf("moving a reserved number: %v; want a conflict", err)
	}
	for _, args := range [][3]string{{"", "US", "US"}, {"o", "us", "US"}, {"o", "US", "USA"}, {"o", "", "US"}} {
		if _, err := local.MoveOffice(args[0], args[1], args[2]); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("MoveOffice%q: %v; want invalid input", args, err)
		}
	}
}

func TestValidateCatches(t *testing.T) {
	q := numbers.DefaultQuarantine()
	avail := mustNew(t, "+16502530000", "")
	assigned, _, _ := avail.Assign("alice", t0, q, false)
	reserved, _ := assigned.Unassign(t0)
	released, _ := reserved.Release()
	for _, n := range []numbers.Number{avail, assigned, reserved, released} {
		if err := n.Validate(); err != nil {
			t.Fatalf("Validate(%+v): %v", n, err)
		}
	}
	mutate := func(n numbers.Number, f func(*numbers.Number)) numbers.Number { f(&n); return n }
	for name, n := range map[string]numbers.Number{
		"zero value":                 {},
		"unknown status":             mutate(avail, func(n *numbers.Number) { n.Status = "lost" }),
		"unknown kind":               mutate(avail, func(n *numbers.Number) { n.Kind = "pager" }),
		"no office":                  mutate(avail, func(n *numbers.Number) { n.OfficeID = "" }),
		"not E.164":                  mutate(avail, func(n *numbers.Number) { n.E164 = "+1 650 253 0000" }),
		"invalid number":             mutate(avail, func(n *numbers.Number) { n.E164 = "+15555550100" }),
		"wrong country":              mutate(avail, func(n *numbers.Number) { n.Country = "CA" }),
		"local made toll-free":       mutate(avail, func(n *numbers.Number) { n.Kind = numbers.KindTollFree }),
		"available with holder":      mutate(avail, func(n *numbers.Number) { n.HolderID = "x" }),
		"available with last holder": mutate(avail, func(n *numbers.Number) { n.LastHolderID = "x" }),
		"assigned without holder":    mutate(assigned, func(n *numbers.Number) { n.HolderID = "" }),
		"assigned with reserved-at":  mutate(assigned, func(n *numbers.Number) { n.ReservedAt = t0 }),
		"reserved with holder":       mutate(reserved, func(n *numbers.Number) { n.HolderID = "x" }),
		"reserved without last":      mutate(reserved, func(n *numbers.Number) { n.LastHolderID = "" }),
		"reserved without office":    mutate(reserved, func(n *numbers.Number) { n.LastOfficeID = "" }),
		"reserved without time":      mutate(reserved, func(n *numbers.Number) { n.ReservedAt = time.Time{} }),
		"released with last office":  mutate(released, func(n *numbers.Number) { n.LastOfficeID = "x" }),
		"released with holder":       mutate(released, func(n *numbers.Number) { n.HolderID = "x" }),
	} {
		err := n.Validate()
		if !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("%s: Validate = %v; want invalid input", name, err)
		}
	}
}

// TestMessagesDoNotEchoHugeInput checks that an id of 16 MB comes back as a
// short prefix, whichever way the error is built.
func TestMessagesDoNotEchoHugeInput(t *testing.T) {
	huge := strings.Repeat("i", 16<<20)
	q := numbers.Quarantine{Period: 48 * time.Hour}
	n := mustNew(t, "+16502530000", "")
	assigned, _, _ := n.Assign(huge, t0, q, false)
	reserved, _ := assigned.Unassign(t0)
	bad := n
	bad.E164 = huge
	errors := map[string]error{
		"New":        func() error { _, err := numbers.New(mustParse(t, "+16502530000"), huge, "bogus"); return err }(),
		"Assign":     func() error { _, _, err := n.Assign(huge, time.Time{}, q, false); return err }(),
		"quarantine": func() error { _, _, err := reserved.Assign(huge+"x", t0, q, false); return err }(),
		"MoveOffice": func() error { _, err := n.MoveOffice(huge, "US", "US"); return err }(),
		"transition": func() error { _, err := bad.Unassign(t0); return err }(),
		"Validate":   bad.Validate(),
	}
	for name, err := range errors {
		if err == nil {
			t.Errorf("%s: no error", name)
		} else if len(err.Error()) > 400 {
			t.Errorf("%s: %d-byte message", name, len(err.Error()))
		}
	}
}

// TestKeptFor: a number belongs to its holder while Assigned, to its last
// holder while Reserved in quarantine (up to, not at, the end), and to no
// one otherwise.
func TestKeptFor(t *testing.T) {
	q := numbers.Quarantine{Period: 7 * 24 * time.Hour}
	reserved := numbers.Number{E164: "+14155550100", Status: numbers.Reserved, LastHolderID: "u-1", ReservedAt: t0}
	for _, c := range []struct {
		name string
		n    numbers.Number
		now  time.Time
		want string
	}{
		{"available", numbers.Number{E164: "+14155550100", Status: numbers.Available}, t0, ""},
		{"assigned", numbers.Number{E164: "+14155550100", Status: numbers.Assigned, HolderID: "u-2"}, t0, "u-2"},
		{"reserved, just unassigned", reserved, t0, "u-1"},
		{"reserved, a nanosecond before the quarantine ends", reserved, t0.Add(7*24*time.Hour - 1), "u-1"},
		{"reserved, the quarantine over", reserved, t0.Add(7 * 24 * time.Hour), ""},
		{"released", numbers.Number{E164: "+14155550100", Status: numbers.Released, LastHolderID: "u-1", ReservedAt: t0}, t0, ""},
	} {
		if got := c.n.KeptFor(c.now, q); got != c.want {
			t.Errorf("%s: KeptFor = %q, want %q", c.name, got, c.want)
		}
	}
}
