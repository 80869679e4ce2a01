package lifelinetest

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store/storetest"
)

// wantErr checks err as [storetest.WantErr] does and, for a refusal, that
// its message for people (errs.Message, what the portal and SCIM show) is
// one an administrator can read: every refusal the suites and the state
// machine provoke goes through here, fx.refused included.
func wantErr(t fataler, what string, err error, want ...error) {
	t.Helper()
	storetest.WantErr(t, what, err, want...)
	if len(want) > 0 {
		if bad := peopleProblem(err); bad != "" {
			t.Fatalf("%s: the message for people %q %s (developer detail: %v)", what, errs.Message(err), bad, err)
		}
	}
}

// What a message for people must not contain.
var (
	// goName is a Go package-qualified name such as access.Authorize or
	// lifecycle.ValidatePerson.
	goName = regexp.MustCompile(`\b[a-z][a-z0-9]*\.[A-Z][A-Za-z0-9]*`)
	// internalID is an id lifeline or the suites make: a prefix, an
	// underscore and hex digits, such as off_b5cc0a12.
	internalID = regexp.MustCompile(`\b[a-z]{2,6}_[0-9a-f]{6,}`)
	// goDuration is a time.Duration as Go prints it, such as 11m0s.
	goDuration = regexp.MustCompile(`\b\d+(h\d+m|m)\d+(\.\d+)?s\b|\b\d+(\.\d+)?(ms|µs|ns)\b`)
	// goValue is what fmt prints for a bad verb, a nil or a struct.
	goValue = regexp.MustCompile(`%!|<nil>|\{[^}]*:[^}]*\}|&\{`)
)

// peopleProblem returns what is wrong with err's message for people, or ""
// when nothing is: it must be written by some layer (not the fallback for
// the kind), read as sentences, and name no Go package, function,
// operation name, internal id or Go-formatted value.
func peopleProblem(err error) string {
	msg := errs.Message(err)
	switch {
	case !errs.HasPeople(err):
		return "is the fallback for its kind: no layer wrote one"
	case !utf8.ValidString(msg):
		return "is not valid UTF-8"
	case !strings.HasSuffix(msg, ".") && !strings.HasSuffix(msg, "?"):
		return "does not end a sentence"
	case goName.MatchString(msg):
		return "names a Go package or function: " + goName.FindString(msg)
	case internalID.MatchString(msg):
		return "names an internal id: " + internalID.FindString(msg)
	case goDuration.MatchString(msg):
		return "shows a Go duration: " + goDuration.FindString(msg)
	case goValue.MatchString(msg):
		return "shows a Go value: " + goValue.FindString(msg)
	}
	if r, _ := utf8.DecodeRuneInString(msg); !unicode.IsUpper(r) && !unicode.IsDigit(r) && r != '“' {
		return "does not start a sentence"
	}
	for _, op := range ops(err) {
		if strings.Contains(msg, op) {
			return "names the operation " + op
		}
	}
	return ""
}

// ops returns the op of every *errs.Error in err's chain.
func ops(err error) []string {
	var out []string
	errs.Each(err, func(e *errs.Error) {
		if e.Op != "" {
			out = append(out, e.Op)
		}
	})
	return out
}
