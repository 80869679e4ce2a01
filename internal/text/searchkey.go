package text

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// SearchKey folds s for the prefix search of the admin portal: canonical
// decomposition (NFD), combining marks dropped, lower-cased, runs of white
// space collapsed to one space and trimmed. "ZOË  Ann" and "zoe ann" have the same key. The
// stores keep the keys of a user's person, email and username, so a user
// with none of them (an anonymized one) has empty keys; the facade folds
// them alike when a store has no search of its own.
func SearchKey(s string) string {
	if s == "" {
		return ""
	}
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			continue
		case unicode.IsSpace(r):
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return b.String()
}
