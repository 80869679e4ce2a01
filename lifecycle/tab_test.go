package lifecycle

import "testing"

// TestTabOf checks the portal's grouping of DESIGN.md: "Pending" is Setup
// Required and Password Required, every other state is its own tab, and
// only the anonymized one is no portal tab.
func TestTabOf(t *testing.T) {
	want := map[State]Tab{
		Active:           "active",
		SetupRequired:    "pending",
		PasswordRequired: "pending",
		Suspended:        "suspended",
		Deleted:          "deleted",
		Anonymized:       "anonymized",
	}
	for _, s := range States {
		got := TabOf(s)
		if got != want[s] {
			t.Errorf("TabOf(%s) = %q, want %q", s, got, want[s])
		}
		if got.Valid() == (s == Anonymized) {
			t.Errorf("TabOf(%s) = %q, whose Valid() is %t", s, got, got.Valid())
		}
	}
	if got := Tabs(); len(got) != 4 || got[0] != "active" || got[1] != "pending" || got[2] != "suspended" || got[3] != "deleted" {
		t.Errorf("Tabs() = %v, want active, pending, suspended, deleted", got)
	}
}
