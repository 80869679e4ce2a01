package lifelinetest

import (
	"slices"
	"strings"
	"sync"

	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
)

// checkInvariants checks the invariants of DESIGN.md that a snapshot of one
// company shows on its own, without a model: no lost numbers, licenses only
// with live users and within their pools, one seat per live user, and
// nothing personal left of an anonymized user.
func checkInvariants(t fataler, s snapshot) {
	t.Helper()
	users := map[string]lifecycle.User{}
	for _, u := range s.Users {
		users[u.ID] = u
	}
	seen := map[string]bool{}
	for _, n := range s.Numbers {
		if seen[n.E164] {
			t.Fatalf("number %s is listed twice", n.E164)
		}
		seen[n.E164] = true
		if err := validateNumber(n.Number); err != nil {
			t.Fatalf("number %+v is inconsistent: %v", n.Number, err)
		}
		switch n.Status {
		case numbers.Assigned:
			h, ok := users[n.HolderID]
			switch {
			case !ok:
				t.Fatalf("number %s is assigned to %s, who is not a user of the company", n.E164, n.HolderID)
			case !h.State().Live():
				t.Fatalf("number %s is held by user %s, who is %s: only live users hold numbers", n.E164, h.ID, h.State())
			case h.OfficeID != n.OfficeID:
				t.Fatalf("number %s of office %s is held by user %s of office %s", n.E164, n.OfficeID, h.ID, h.OfficeID)
			}
		case numbers.Reserved:
			if last, ok := users[n.LastHolderID]; ok && last.State() == lifecycle.Anonymized && n.LastHolder != "anonymized" {
				t.Fatalf("reserved number %s shows its anonymized last holder as %q, want \"anonymized\"", n.E164, n.LastHolder)
			}
		}
	}

	held := map[[2]string]int{} // office, type -> live holders
	for _, u := range s.Users {
		lic := s.Licenses[u.ID]
		switch {
		case u.State().Live():
			seats := 0
			for _, l := range lic {
				if l == licensing.Seat {
					seats++
				}
				held[[2]string{u.OfficeID, string(l)}]++
			}
			if seats != 1 {
				t.Fatalf("live user %s holds %d seats (%v), want exactly 1", u.ID, seats, lic)
			}
		case u.State() == lifecycle.Anonymized:
			if len(lic) != 0 {
				t.Fatalf("anonymized user %s still holds licenses %v", u.ID, lic)
			}
			if p := personalFields(u); p != "" {
				t.Fatalf("anonymized user %s keeps personal data: %s", u.ID, p)
			}
		}
	}
	pools := map[[2]string]licensing.Pool{}
	for _, p := range s.Pools {
		if p.Assigned < 0 || p.Assigned > p.Total {
			t.Fatalf("pool %+v: want 0 <= assigned <= total", p)
		}
		k := [2]string{p.OfficeID, string(p.Type)}
		pools[k] = p
		if p.Assigned != held[k] {
			t.Fatalf("pool %+v: %d assigned, but %d live users of the office hold a %s license", p, p.Assigned, held[k], p.Type)
		}
	}
	for k, n := range held {
		if _, ok := pools[k]; !ok && n > 0 {
			t.Fatalf("%d live users of office %s hold a %s license, but the office has no such pool", n, k[0], k[1])
		}
	}
	for _, r := range s.Audit {
		if u, ok := users[r.UserID]; ok && u.State() == lifecycle.Anonymized && r.Personal != "" {
			t.Fatalf("audit record %d about anonymized user %s keeps personal text %q", r.ID, u.ID, r.Personal)
		}
	}
}

// personalFields describes the personal fields of u that are set, or "".
func personalFields(u lifecycle.User) string {
	var p []string
	if !u.Person.IsZero() {
		p = append(p, "person "+u.Person.Full())
	}
	if u.Email != "" {
		p = append(p, "email "+u.Email)
	}
	if u.Username != "" {
		p = append(p, "username "+u.Username)
	}
	if u.PasswordHash != "" || u.VoicemailPINHash != "" {
		p = append(p, "secret hashes")
	}
	if len(u.Devices) > 0 || len(u.Settings) > 0 {
		p = append(p, "devices or settings")
	}
	if len(u.HeldAtDeletion) > 0 {
		p = append(p, "numbers held at deletion")
	}
	return strings.Join(p, ", ")
}

// leaks returns the first place in s where one of the markers (names and
// emails of anonymized users) still shows, or "".
func leaks(s snapshot, markers []string) string {
	if len(markers) == 0 {
		return ""
	}
	has := func(v string) string {
		for _, m := range markers {
			if m != "" && strings.Contains(v, m) {
				return m
			}
		}
		return ""
	}
	for _, u := range s.Users {
		for _, v := range append([]string{u.Person.FirstName, u.Person.LastName, u.Person.Full(), u.Email, u.Username}, u.Devices...) {
			if m := has(v); m != "" {
				return "user " + u.ID + " shows " + m
			}
		}
	}
	for _, n := range s.Numbers {
		if m := has(n.Holder + "\x00" + n.LastHolder); m != "" {
			return "number " + n.E164 + " shows " + m
		}
	}
	for _, r := range s.Audit {
		if m := has(strings.Join([]string{r.Personal, r.Detail, r.Action, r.TargetID, r.ActorID, r.OnBehalfOf}, "\x00")); m != "" {
			return "an audit record shows " + m
		}
	}
	return ""
}

// live reports whether s is one of the live states, spelled out here so the
// model does not lean on the code it checks.
func live(s lifecycle.State) bool {
	return slices.Contains([]lifecycle.State{lifecycle.Active, lifecycle.SetupRequired, lifecycle.PasswordRequired, lifecycle.Suspended}, s)
}

// validated caches the numbers that passed numbers.Number.Validate, which
// parses the number again: the state machine checks the same unchanged
// numbers after every step.
var validated sync.Map // numbers.Number -> struct{}

func validateNumber(n numbers.Number) error {
	if _, ok := validated.Load(n); ok {
		return nil
	}
	if err := n.Validate(); err != nil {
		return err
	}
	validated.Store(n, struct{}{})
	return nil
}
