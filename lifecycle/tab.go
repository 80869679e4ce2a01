package lifecycle

// Tab is one of the users tabs of an admin portal: a group of user states.
type Tab string

// The tabs. Pending is Setup Required and Password Required together.
// Anonymized users are listed under no portal tab (they are no one any
// more); TabAnonymized exists so that every state has a tab to be counted
// under.
const (
	TabActive     Tab = "active"
	TabPending    Tab = "pending"
	TabSuspended  Tab = "suspended"
	TabDeleted    Tab = "deleted"
	TabAnonymized Tab = "anonymized"
)

// Tabs lists the portal's tabs in display order (TabAnonymized is not one).
func Tabs() []Tab { return []Tab{TabActive, TabPending, TabSuspended, TabDeleted} }

// TabOf returns the tab a user in state s is listed under: Setup Required
// and Password Required under [TabPending], every other state under the tab
// of its own name.
func TabOf(s State) Tab {
	if s.Pending() {
		return TabPending
	}
	return Tab(s)
}

// Valid reports whether t is a portal tab.
func (t Tab) Valid() bool {
	switch t {
	case TabActive, TabPending, TabSuspended, TabDeleted:
		return true
	}
	return false
}
