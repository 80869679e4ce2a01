package lifecycle_test

import (
	"errors"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// FuzzValidators feeds arbitrary text to every validator: none may panic,
// every refusal is an errs.Invalid error whose message stays short, and an
// accepted email normalizes to itself on a second pass.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{
		"", "Ada", "ada@example.com", "Ada <ada@example.com>", "x'; DROP TABLE users;--", "101", "0101",
		"12a", "0042", "ada.l_1", "Zoë", " padded", "a\x00b", "\xff\xfe", "ada@EXAMPLE.com", "@", "a@b.c",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, err := range []error{
			lifecycle.ValidatePerson(lifecycle.Person{FirstName: s, LastName: s}),
			lifecycle.ValidateEmail(s),
			lifecycle.ValidateUsername(s),
			lifecycle.ValidateExtension(s),
			lifecycle.ValidateVoicemailPIN(s),
			lifecycle.ValidatePassword(s),
			lifecycle.ValidateDevices([]string{s}),
			lifecycle.ValidateSettings(map[string]string{s: s}),
		} {
			if err != nil && !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("%q: refusal of the wrong kind: %v", s, err)
			}
			if err != nil && len(err.Error()) > 300 {
				t.Fatalf("%q: message of %d bytes", s, len(err.Error()))
			}
		}
		if lifecycle.ValidateEmail(s) == nil {
			n := lifecycle.NormalizeEmail(s)
			if lifecycle.NormalizeEmail(n) != n || lifecycle.ValidateEmail(n) != nil {
				t.Fatalf("%q normalizes to %q, which is not stable and valid", s, n)
			}
		}
	})
}
