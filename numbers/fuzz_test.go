package numbers_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
)

// FuzzParse checks that Parse never panics, that what it accepts is
// canonical and parses back to itself, and that what it refuses is a
// *ParseError of the right kinds.
func FuzzParse(f *testing.F) {
	for _, c := range validCases {
		f.Add(c.raw, c.region)
	}
	for _, c := range invalidCases {
		f.Add(c.raw, c.region)
	}
	f.Add("tel:+1-650-253-0000", "")
	f.Add("+1 650 253 0000;ext=12", "")
	f.Add("00 44 20 7946 0958", "FR")
	f.Add("++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++++", "")
	f.Fuzz(func(t *testing.T, raw, region string) {
		p, err := numbers.Parse(raw, region)
		if err != nil {
			var pe *numbers.ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("Parse(%q, %q) error %v is a %T; want *ParseError", raw, region, err, err)
			}
			if pe.Input != raw || pe.Reason == "" {
				t.Fatalf("ParseError %+v for input %q", pe, raw)
			}
			if !errors.Is(err, numbers.ErrInvalidNumber) || !errors.Is(err, errs.ErrInvalid) {
				t.Fatalf("error %v does not match ErrInvalidNumber and errs.ErrInvalid", err)
			}
			if p != (numbers.Parsed{}) {
				t.Fatalf("refused Parse returned %+v", p)
			}
			return
		}
		if len(raw) > numbers.MaxInputLen {
			t.Fatalf("accepted %d bytes of input", len(raw))
		}
		if !strings.HasPrefix(p.E164, "+") || len(p.E164) > 16 || strings.Trim(p.E164[1:], "0123456789") != "" {
			t.Fatalf("Parse(%q, %q).E164 = %q; want + and at most 15 digits", raw, region, p.E164)
		}
		if len(p.Country) != 2 || strings.ToUpper(p.Country) != p.Country {
			t.Fatalf("Parse(%q, %q).Country = %q", raw, region, p.Country)
		}
		if !p.Kind.Valid() || p.Kind == numbers.KindFax {
			t.Fatalf("Parse(%q, %q).Kind = %q", raw, region, p.Kind)
		}
		if !numbers.InE164Form(p.E164) {
			t.Fatalf("Parse(%q, %q).E164 = %q is not in the form InE164Form reports", raw, region, p.E164)
		}
		again, err := numbers.Parse(p.E164, "")
		if err != nil || again != p {
			t.Fatalf("Parse(%q, %q) = %+v but Parse(%q, \"\") = %+v, %v", raw, region, p, p.E164, again, err)
		}
		if n, err := numbers.New(p, "office", ""); err != nil || n.Validate() != nil {
			t.Fatalf("New(%+v) = %+v, %v", p, n, err)
		}
	})
}
