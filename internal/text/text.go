// Package text is lifeline's one policy for human-readable text: the names,
// emails, usernames, device labels, settings, company and office names,
// price levels, hold reasons, system principals' names and delivery failure
// reasons that admin portals, audit trails and exports show. Such text must
// print as one honest line: what an administrator sees is all there is, and
// two values that look the same are the same. The policy is built from
// Unicode's own general categories and properties, not from a list of
// characters, so it refuses invalid UTF-8 and:
//
//   - control characters (Cc), tab and newline included;
//   - the line and paragraph separators (Zl, Zp);
//   - format characters (Cf): bidirectional embeddings, overrides, isolates
//     and marks, which can make a name display as a different one; the zero
//     width space, word joiner and byte order mark; the soft hyphen; the
//     invisible mathematical operators; tag characters; and the rest of the
//     category;
//   - every other Default_Ignorable_Code_Point: the variation selectors, the
//     combining grapheme joiner, the Hangul fillers (U+115F, U+1160, U+3164,
//     U+FFA0), the Khmer inherent vowels;
//   - private-use characters (Co) and surrogates (Cs), which show as
//     whatever a font decides, and code points not yet assigned in the
//     Unicode version of Go's unicode package (unicode.Version).
//
// Three of these are allowed where a script or emoji needs them, following
// the contextual rules of IDNA (RFC 5892, appendix A) and of Unicode's
// emoji sequences (UTS #51):
//
//   - the zero width non-joiner U+200C after a virama (Hindi, Bengali,
//     Malayalam and other Indic conjuncts), or between a letter that joins
//     the next one and a letter that joins the previous one, with only
//     combining marks between (Persian "حسن‌زاده", "می‌خواهم");
//   - the zero width joiner U+200D after a virama, or between two
//     pictographic characters (Extended_Pictographic), the first of which
//     may carry one skin tone modifier or emoji variation selector: the
//     emoji ZWJ sequences such as 👨‍👩‍👧 and 🏳️‍🌈;
//   - the variation selectors U+FE0E and U+FE0F (text and emoji
//     presentation) right after a pictographic character (❤️), or after a
//     digit, '#' or '*' that starts a keycap (1️⃣).
//
// A joiner between two Latin letters ("Ada\u200DLovelace") changes nothing
// on screen and is refused, as is a second variation selector. Other
// variation selectors are refused everywhere, the ideographic ones
// (U+E0100–U+E01EF) included: a name written with a glyph variant of a Han
// ideograph is accepted without it. Subdivision flags (🏴 followed by tag
// characters) are refused with the tag characters; country flags, which are
// pairs of regional indicators, are ordinary symbols.
//
// Length, emptiness and surrounding spaces are each field's own rules; the
// policy is only about which characters may appear, and it never changes a
// value: it accepts or refuses it. The package is pure: no I/O, no clock.
package text

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"
	"golang.org/x/text/language/display"
	"golang.org/x/text/unicode/norm"

	"github.com/lifeline-go/lifeline/errs"
)

// The characters the contextual rules are about.
const (
	zwnj = '\u200C' // zero width non-joiner
	zwj  = '\u200D' // zero width joiner
	vs15 = '\uFE0E' // variation selector-15, text presentation
	vs16 = '\uFE0F' // variation selector-16, emoji presentation
	// keycap is the combining enclosing keycap that ends a keycap sequence.
	keycap = '\u20E3'
	// viramaClass is the canonical combining class of a virama.
	viramaClass = 9
)

// hangulFillers are the Default_Ignorable letters that print as nothing.
var hangulFillers = &unicode.RangeTable{
	R16: []unicode.Range16{
		{Lo: 0x115F, Hi: 0x1160, Stride: 1},
		{Lo: 0x3164, Hi: 0x3164, Stride: 1},
		{Lo: 0xFFA0, Hi: 0xFFA0, Stride: 1},
	},
}

// Class returns the kind of character r is when the policy refuses it on
// its own, such as "control character", and "" when r is allowed anywhere.
// The joiners U+200C and U+200D and the variation selectors U+FE0E and
// U+FE0F have a class, yet [Problem] allows them in the contexts the
// package doc lists.
func Class(r rune) string {
	switch {
	case unicode.Is(unicode.Cc, r):
		return "control character"
	case unicode.In(r, unicode.Zl, unicode.Zp):
		return "line or paragraph separator"
	case '\u202A' <= r && r <= '\u202E', '\u2066' <= r && r <= '\u2069':
		return "bidirectional control"
	case r == '\u200E', r == '\u200F', r == '\u061C':
		return "bidirectional mark"
	case r == zwnj:
		return "zero width non-joiner"
	case r == zwj:
		return "zero width joiner"
	case unicode.Is(unicode.Variation_Selector, r):
		return "variation selector"
	case '\U000E0000' <= r && r <= '\U000E007F':
		return "tag character"
	case unicode.Is(hangulFillers, r):
		return "Hangul filler"
	case r == '\u200B', r == '\u2060', r == '\uFEFF':
		return "zero-width character"
	case r == '\u00AD':
		return "soft hyphen"
	case unicode.Is(unicode.Cf, r):
		return "invisible formatting character"
	case unicode.Is(unicode.Other_Default_Ignorable_Code_Point, r):
		return "invisible character"
	case unicode.Is(unicode.Co, r):
		return "private-use character"
	case unicode.Is(unicode.Cs, r):
		return "surrogate"
	case !unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S, unicode.Z, unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs):
		return "unassigned code point"
	}
	return ""
}

// Allowed reports whether the policy lets r appear in text on its own,
// whatever surrounds it.
func Allowed(r rune) bool { return Class(r) == "" }

// Problem returns what is wrong with s under the policy, phrased to follow
// the field's name ("first name " + Problem(s)), or "" when nothing is. It
// names the first bad byte or character, never s itself:
//
//	is not valid UTF-8 (byte 0xFF at offset 3)
//	contains the bidirectional control U+202E
//	contains the zero width joiner U+200D out of place
func Problem(s string) string {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Sprintf("is not valid UTF-8 (byte %#02x at offset %d)", s[i], i)
			}
		}
		c := Class(r)
		if c == "" || inContext(s, i, r) {
			continue
		}
		switch r {
		case zwnj, zwj, vs15, vs16:
			return fmt.Sprintf("contains the %s %U out of place", c, r)
		}
		return fmt.Sprintf("contains the %s %U", c, r)
	}
	return ""
}

// Sanitize returns s with every character the policy refuses replaced: a
// control, line or paragraph separator that is white space (tab, newline,
// U+2028) by a space, any other refused character and each byte of invalid
// UTF-8 by U+FFFD. [Problem] finds nothing in the result. It is for text
// lifeline records but no administrator typed, such as the reason a relay
// gives for a failed delivery, which is worth keeping even when it holds a
// newline; what people enter is checked with [Check] and refused instead.
func Sanitize(s string) string {
	if Problem(s) == "" {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i, r := range s {
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				b.WriteRune(utf8.RuneError)
				continue
			}
		case Allowed(r), inContext(s, i, r):
		case unicode.IsSpace(r), unicode.In(r, unicode.Zl, unicode.Zp):
			r = ' '
		default:
			r = utf8.RuneError
		}
		b.WriteRune(r)
	}
	return b.String()
}

// inContext reports whether r, at byte offset i of s, is a joiner or
// variation selector in a context where a script or emoji needs it.
func inContext(s string, i int, r rune) bool {
	before, after := s[:i], s[i+utf8.RuneLen(r):]
	prev, _ := utf8.DecodeLastRuneInString(before)
	next, _ := utf8.DecodeRuneInString(after)
	switch r {
	case zwnj:
		return virama(prev) || joins(before, after)
	case zwj:
		if virama(prev) {
			return true
		}
		if prev == vs16 || isModifier(prev) {
			prev, _ = utf8.DecodeLastRuneInString(before[:len(before)-utf8.RuneLen(prev)])
		}
		return emoji(prev) && emoji(next)
	case vs15, vs16:
		switch {
		case emoji(prev):
			return true
		case prev == '#', prev == '*', '0' <= prev && prev <= '9':
			return next == keycap
		}
	}
	return false
}

// virama reports whether r is a virama: canonical combining class 9.
func virama(r rune) bool {
	return r != utf8.RuneError && norm.NFC.PropertiesString(string(r)).CCC() == viramaClass
}

// emoji reports whether r is a pictographic character the policy allows:
// an emoji or a symbol that may become one, assigned in the unicode
// package's tables.
func emoji(r rune) bool { return unicode.Is(pictographic, r) && Allowed(r) }

// isModifier reports whether r is an emoji skin tone modifier.
func isModifier(r rune) bool { return '\U0001F3FB' <= r && r <= '\U0001F3FF' }

// transparent reports whether r is of Joining_Type Transparent as far as
// the policy needs: a combining mark the policy allows, which a join passes
// over.
func transparent(r rune) bool { return unicode.In(r, unicode.Mn, unicode.Me) && Allowed(r) }

// joins reports whether a zero width non-joiner between before and after
// breaks a join (RFC 5892, appendix A.1): skipping combining marks, the
// letter before joins the following letter and the letter after joins the
// preceding one.
func joins(before, after string) bool {
	l := strings.TrimRightFunc(before, transparent)
	prev, _ := utf8.DecodeLastRuneInString(l)
	r := strings.TrimLeftFunc(after, transparent)
	next, _ := utf8.DecodeRuneInString(r)
	return unicode.Is(joinsFollowing, prev) && unicode.Is(joinsPreceding, next)
}

// Check refuses, as errs.Invalid for operation op, an empty value (when
// required), one longer than max bytes, one the policy refuses, and one
// blank or with surrounding spaces. Its messages name the field (what) and
// the offending character, never the value; the message for people is a
// sentence about the field, such as "The first name is required.".
func Check(op, what, v string, max int, required bool) error {
	switch {
	case v == "" && required:
		return errs.E(errs.Invalid, op, "%s is required", what).Say("The %s is required.", what)
	case len(v) > max:
		return errs.E(errs.Invalid, op, "%s is %d bytes long; at most %d allowed", what, len(v), max).
			Say("The %s is too long: it can be at most %d characters.", what, max)
	}
	if p := Problem(v); p != "" {
		return errs.E(errs.Invalid, op, "%s %s", what, p).Say("The %s %s.", what, PeopleProblem(v))
	}
	if t := strings.TrimSpace(v); t != v {
		if t == "" {
			return errs.E(errs.Invalid, op, "%s is blank", what).Say("The %s is blank.", what)
		}
		return errs.E(errs.Invalid, op, "%s has leading or trailing spaces", what).
			Say("The %s starts or ends with spaces; remove them.", what)
	}
	return nil
}

// PeopleProblem is [Problem] in an administrator's words, to follow the
// field's name ("The first name " + PeopleProblem(s) + "."): it names the
// first refused character by its kind and code point, so someone can find
// it, and never repeats s. It returns "" when nothing is wrong.
func PeopleProblem(s string) string {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return "is not valid text"
			}
		}
		c := Class(r)
		if c == "" || inContext(s, i, r) {
			continue
		}
		return fmt.Sprintf("contains an invisible or control character that is not allowed (the %s %U)", c, r)
	}
	return ""
}

// RegionName returns the English name of an ISO 3166-1 alpha-2 region such
// as "US" ("United States"), for a message for people, or code itself when
// it names no region.
func RegionName(code string) string {
	r, err := language.ParseRegion(code)
	if err != nil {
		return code
	}
	if n := display.English.Regions().Name(r); n != "" {
		return n
	}
	return code
}
