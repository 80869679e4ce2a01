package text_test

import (
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

func TestProblem(t *testing.T) {
	refused := map[string]string{
		"A\x00da":          "U+0000",
		"A\tda":            "U+0009",
		"A\nda":            "U+000A",
		"A\x1b[31mda":      "U+001B",
		"A\x7fda":          "U+007F",
		"A\u0085da":        "U+0085",
		"A\u009fda":        "U+009F",
		"A\u2028da":        "U+2028",
		"A\u2029da":        "U+2029",
		"A\u202Ada":        "U+202A",
		"A\u202Eda":        "U+202E",
		"A\u2066da":        "U+2066",
		"A\u2069da":        "U+2069",
		"A\u200Eda":        "U+200E",
		"A\u200Fda":        "U+200F",
		"A\u061Cda":        "U+061C",
		"A\u200Bda":        "U+200B",
		"A\u200Cda":        "U+200C",
		"A\u200Dda":        "U+200D",
		"A\u2060da":        "U+2060",
		"\uFEFFAda":        "U+FEFF",
		"Ad\xffa":          "byte 0xff at offset 2",
		"Ad\xe2\x80":       "byte 0xe2 at offset 2",
		"ok then \xc0\xaf": "offset 8",
	}
	for s, want := range refused {
		p := text.Problem(s)
		if !strings.Contains(p, want) {
			t.Errorf("Problem(%q) = %q, want it to name %s", s, p, want)
		}
		if strings.Contains(p, "da") {
			t.Errorf("Problem(%q) = %q repeats the text", s, p)
		}
	}
	for _, s := range []string{
		"", "Ada", "Zoë Ødegård", "Zürich 🏔 東京", "محمد", "שלום", "x'; DROP TABLE users;--", "a b", "\uFFFD",
		"Jean\u00a0Luc", // a no-break space is printable
	} {
		if p := text.Problem(s); p != "" {
			t.Errorf("Problem(%q) = %q, want allowed", s, p)
		}
	}
}

func TestClassAgreesWithAllowed(t *testing.T) {
	for r := rune(0); r <= 0x10FFFF; r++ {
		if text.Allowed(r) != (text.Class(r) == "") {
			t.Fatalf("Allowed(%U) disagrees with Class", r)
		}
	}
}

// TestProblemFitsAnErrorArgument checks that a problem passed to errs.E is
// never clipped: every phrasing, with the longest offset, stays within
// errs.MaxArgLen.
func TestProblemFitsAnErrorArgument(t *testing.T) {
	long := strings.Repeat("a", 1<<20)
	for _, r := range []rune{0, 0x9f, 0x2028, 0x202e, 0x200f, 0xfeff} {
		if p := text.Problem(long + string(r)); len(p) > errs.MaxArgLen {
			t.Errorf("Problem for %U is %d bytes: %q", r, len(p), p)
		}
	}
	if p := text.Problem(long + "\xff"); len(p) > errs.MaxArgLen {
		t.Errorf("Problem for invalid UTF-8 is %d bytes: %q", len(p), p)
	}
}
