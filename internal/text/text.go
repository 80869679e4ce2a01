// Package text is lifeline's one policy for human-readable text: the names,
// emails, usernames, device labels, settings, company and office names and
// price levels that admin portals, audit trails and exports show. Such text
// must print as one honest line, so the policy refuses invalid UTF-8 and
// every character that is invisible or changes how the text around it is
// laid out:
//
//   - C0 and C1 control characters (U+0000–U+001F, U+007F–U+009F), tab and
//     newline included;
//   - the line and paragraph separators U+2028 and U+2029;
//   - bidirectional embeddings, overrides and isolates (U+202A–U+202E,
//     U+2066–U+2069) and the bidirectional marks U+200E, U+200F and U+061C,
//     which can make a name display as a different one;
//   - zero-width characters (U+200B–U+200D, U+2060) and the byte order mark
//     U+FEFF, which make two different values look the same.
//
// Length, emptiness and surrounding spaces are each field's own rules; the
// policy is only about which characters may appear. The package is pure: no
// I/O, no clock.
package text

import (
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
)

// Class returns the kind of character r is when the policy refuses it, such
// as "control character", and "" when r is allowed.
func Class(r rune) string {
	switch {
	case r < 0x20, 0x7F <= r && r <= 0x9F:
		return "control character"
	case r == '\u2028', r == '\u2029':
		return "line or paragraph separator"
	case '\u202A' <= r && r <= '\u202E', '\u2066' <= r && r <= '\u2069':
		return "bidirectional control"
	case r == '\u200E', r == '\u200F', r == '\u061C':
		return "bidirectional mark"
	case '\u200B' <= r && r <= '\u200D', r == '\u2060', r == '\uFEFF':
		return "zero-width character"
	}
	return ""
}

// Allowed reports whether the policy lets r appear in text.
func Allowed(r rune) bool { return Class(r) == "" }

// Problem returns what is wrong with s under the policy, phrased to follow
// the field's name ("first name " + Problem(s)), or "" when nothing is. It
// names the first bad byte or character, never s itself:
//
//	is not valid UTF-8 (byte 0xFF at offset 3)
//	contains the bidirectional control U+202E
func Problem(s string) string {
	for i, r := range s {
		if r == utf8.RuneError {
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				return fmt.Sprintf("is not valid UTF-8 (byte %#02x at offset %d)", s[i], i)
			}
		}
		if c := Class(r); c != "" {
			return fmt.Sprintf("contains the %s %U", c, r)
		}
	}
	return ""
}

// Check refuses, as errs.Invalid for operation op, an empty value (when
// required), one longer than max bytes, one the policy refuses, and one
// blank or with surrounding spaces. Its messages name the field (what) and
// the offending character, never the value.
func Check(op, what, v string, max int, required bool) error {
	switch {
	case v == "" && required:
		return errs.E(errs.Invalid, op, "%s is required", what)
	case len(v) > max:
		return errs.E(errs.Invalid, op, "%s is %d bytes long; at most %d allowed", what, len(v), max)
	}
	if p := Problem(v); p != "" {
		return errs.E(errs.Invalid, op, "%s %s", what, p)
	}
	if t := strings.TrimSpace(v); t != v {
		if t == "" {
			return errs.E(errs.Invalid, op, "%s is blank", what)
		}
		return errs.E(errs.Invalid, op, "%s has leading or trailing spaces", what)
	}
	return nil
}
