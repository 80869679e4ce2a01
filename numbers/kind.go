package numbers

// Kind is what a number is used for. It decides what happens to the number
// when its holder moves to an office in another country (see
// [NeedsReplacementOnMove]).
type Kind string

// The kinds of number.
const (
	// KindLocal is a geographic (fixed-line, VoIP or otherwise
	// unclassified) number tied to its country.
	KindLocal Kind = "local"
	// KindMobile is a mobile number; it follows its holder across borders.
	KindMobile Kind = "mobile"
	// KindTollFree is a freephone number; it follows its holder across
	// borders.
	KindTollFree Kind = "toll-free"
	// KindFax is a number an admin has set aside for fax; like a local
	// number it is tied to its country.
	KindFax Kind = "fax"
)

// Kinds lists every kind, in a stable order, for documentation and forms.
func Kinds() []Kind { return []Kind{KindLocal, KindMobile, KindTollFree, KindFax} }

// Valid reports whether k is one of the known kinds.
func (k Kind) Valid() bool {
	switch k {
	case KindLocal, KindMobile, KindTollFree, KindFax:
		return true
	}
	return false
}

// NeedsReplacementOnMove reports whether a number of kind k must be taken
// from a user who moves to an office in another country (and replaced by a
// local number of the new country). Local and fax numbers are tied to their
// country's network; mobile and toll-free numbers are not. An unknown kind
// is treated as local, the safe side: keeping a number that should have left
// would route calls into the wrong country.
func NeedsReplacementOnMove(k Kind) bool {
	switch k {
	case KindMobile, KindTollFree:
		return false
	}
	return true
}

// kindAllowed reports whether a number the library classifies as derived may
// be recorded as k. Toll-free-ness comes from the number range and cannot be
// declared: a toll-free number may only be marked as fax (toll-free fax lines
// exist), and no other number may be marked toll-free. Between local, mobile
// and fax the admin knows better than the library (in the US, for one, the
// library cannot tell fixed from mobile).
func kindAllowed(derived, k Kind) bool {
	if !k.Valid() {
		return false
	}
	if derived == KindTollFree {
		return k == KindTollFree || k == KindFax
	}
	return k != KindTollFree
}
