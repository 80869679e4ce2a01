package numbers_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/nyaruka/phonenumbers"
)

// validCases are real-world forms that must parse. They double as the fuzz
// seed corpus.
var validCases = []struct {
	raw, region string
	want        numbers.Parsed
}{
	// North America: every fixed or mobile number is fixed-line-or-mobile
	// to the library, hence local.
	{"+1 650-253-0000", "", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"+1 415-555-0100", "", numbers.Parsed{"+14155550100", "US", numbers.KindLocal}},
	{"+14155550100", "", numbers.Parsed{"+14155550100", "US", numbers.KindLocal}},
	{"+1 (650) 253-0000", "", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"  +1 650 253 0000  ", "", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"(650) 253-0000", "US", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"650.253.0000", "us", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"+1 650 253 0000", "GB", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"+1 416 555 0123", "", numbers.Parsed{"+14165550123", "CA", numbers.KindLocal}},
	{"+1 800 275 2273", "", numbers.Parsed{"+18002752273", "US", numbers.KindTollFree}},
	{"1-800-FLOWERS", "US", numbers.Parsed{"+18003569377", "US", numbers.KindTollFree}},
	// Europe and Australia.
	{"+44 20 7946 0958", "", numbers.Parsed{"+442079460958", "GB", numbers.KindLocal}},
	{"020 7946 0958", "GB", numbers.Parsed{"+442079460958", "GB", numbers.KindLocal}},
	{"011 44 20 7946 0958", "US", numbers.Parsed{"+442079460958", "GB", numbers.KindLocal}},
	{"+44 7400 123456", "", numbers.Parsed{"+447400123456", "GB", numbers.KindMobile}},
	{"+44 7911 123456", "", numbers.Parsed{"+447911123456", "GG", numbers.KindMobile}},
	{"0800 123 4567", "GB", numbers.Parsed{"+448001234567", "GB", numbers.KindTollFree}},
	{"+49 30 901820", "", numbers.Parsed{"+4930901820", "DE", numbers.KindLocal}},
	{"+49 1512 3456789", "", numbers.Parsed{"+4915123456789", "DE", numbers.KindMobile}},
	{"+49 800 1234567", "", numbers.Parsed{"+498001234567", "DE", numbers.KindTollFree}},
	{"+33 1 42 68 53 00", "", numbers.Parsed{"+33142685300", "FR", numbers.KindLocal}},
	{"+33 6 12 34 56 78", "", numbers.Parsed{"+33612345678", "FR", numbers.KindMobile}},
	{"06 12 34 56 78", "FR", numbers.Parsed{"+33612345678", "FR", numbers.KindMobile}},
	{"+61 412 345 678", "", numbers.Parsed{"+61412345678", "AU", numbers.KindMobile}},
	{"0412 345 678", "AU", numbers.Parsed{"+61412345678", "AU", numbers.KindMobile}},
	{"1800 123 456", "AU", numbers.Parsed{"+611800123456", "AU", numbers.KindTollFree}},
	{"+81 3-1234-5678", "", numbers.Parsed{"+81312345678", "JP", numbers.KindLocal}},
	// Digits of other scripts: the library normalises Arabic-Indic and
	// fullwidth digits (and the fullwidth plus) to ASCII.
	{"＋１ ６５０ ２５３ ００００", "", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"+١ ٦٥٠ ٢٥٣ ٠٠٠٠", "", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
	{"+٩٧١ ٥٠ ١٢٣ ٤٥٦٧", "", numbers.Parsed{"+971501234567", "AE", numbers.KindMobile}},
	// Dashes are phone-number punctuation, so a trailing SQL comment
	// marker is harmless trim; the result is canonical either way.
	{"+16502530000--", "", numbers.Parsed{"+16502530000", "US", numbers.KindLocal}},
}

func TestParseValid(t *testing.T) {
	for _, c := range validCases {
		t.Run(c.raw, func(t *testing.T) {
			got, err := numbers.Parse(c.raw, c.region)
			if err != nil {
				t.Fatalf("Parse(%q, %q) error: %v", c.raw, c.region, err)
			}
			if got != c.want {
				t.Fatalf("Parse(%q, %q) = %+v; want %+v", c.raw, c.region, got, c.want)
			}
			again, err := numbers.Parse(got.E164, "")
			if err != nil || again != got {
				t.Fatalf("Parse(%q, \"\") = %+v, %v; want %+v (idempotent)", got.E164, again, err, got)
			}
		})
	}
}

// invalidCases must be refused, each with a reason containing the given
// text. They too seed the fuzzer.
var invalidCases = []struct {
	name, raw, region, reason string
}{
	{"empty", "", "", "empty"},
	{"blank", "   ", "", "empty"},
	{"letters", "abc", "", "not a number"},
	{"prose around a number", "call +16502530000 now", "", "not a number"},
	{"plus only", "+", "", "not a number"},
	{"country code only", "+1", "", "not a number"},
	{"too short", "+1 650", "", "too short"},
	{"too long for NANP", "+1 650 253 00000000", "", "too long"},
	{"vanity letters past the end", "+1 650 253 0000 now", "", "too long"},
	{"national without region", "6502530000", "", "no country code"},
	{"unassigned country code", "+999 123456", "", "invalid country calling code"},
	{"zero country code", "+0 123", "", "invalid country calling code"},
	{"unassigned NANP area code", "+1 555 555 0100", "", "not a valid number for country calling code +1"},
	{"non-geographic", "+800 1234 5678", "", "non-geographic"},
	// Valid to the library (found by FuzzParse), but E.164 stops at 15.
	{"longer than E.164", "+49 800 0000 0000 000", "", "too long for E.164: 16 digits"},
	{"extension", "+1 650 253 0000 ext. 12", "", "extension"},
	{"extension x", "+1 650 253 0000 x12", "", "extension"},
	{"unknown region", "650 253 0000", "XX", "unknown default region"},
	{"world region", "+1 650 253 0000", "001", "unknown default region"},
	{"SQL quote", "+1 650 253 0000'; DROP TABLE numbers;--", "", `contains '\''`},
	{"SQL tautology", "1 OR 1=1", "US", "contains '='"},
	{"LIKE wildcard", "+1650253000%", "", "contains '%'"},
	{"NUL byte", "+16502530000\x00", "", `contains '\x00'`},
	{"newline", "+1650\n2530000", "", `contains '\n'`},
	{"invalid UTF-8", "+1650\xff2530000", "", "not valid UTF-8"},
	// Superscripts are digits to Unicode (No) but not decimal digits (Nd).
	{"superscript digit", "+¹ 650 253 0000", "", "contains '¹'"},
	// Devanagari digits are decimal digits, but the library cannot read a
	// country calling code written in them.
	{"Devanagari digits", "+१ ६५० २५३ ००००", "", "invalid country calling code"},
	{"too long input", "+1 650 253 0000" + strings.Repeat(" ", 60), "", "too long: 75 bytes"},
}

func TestParseInvalid(t *testing.T) {
	for _, c := range invalidCases {
		t.Run(c.name, func(t *testing.T) {
			p, err := numbers.Parse(c.raw, c.region)
			checkParseError(t, c.raw, c.region, p, err)
			var pe *numbers.ParseError
			errors.As(err, &pe)
			if !strings.Contains(pe.Reason, c.reason) {
				t.Errorf("Parse(%q, %q) reason = %q; want it to contain %q", c.raw, c.region, pe.Reason, c.reason)
			}
		})
	}
}

// checkParseError asserts err is a well-formed refusal of raw.
func checkParseError(t *testing.T, raw, region string, p numbers.Parsed, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("Parse(%q, %q) = %+v; want an error", raw, region, p)
	}
	var pe *numbers.ParseError
	if !errors.As(err, &pe) {
		t.Fatalf("Parse(%q, %q) error %v is a %T; want *ParseError", raw, region, err, err)
	}
	if pe.Input != raw || pe.Reason == "" {
		t.Errorf("ParseError = %+v; want Input %q and a reason", pe, raw)
	}
	if !errors.Is(err, numbers.ErrInvalidNumber) || !errors.Is(err, errs.ErrInvalid) || errs.KindOf(err) != errs.Invalid {
		t.Errorf("error %v does not match ErrInvalidNumber and errs.ErrInvalid", err)
	}
	if errors.Is(err, errs.ErrConflict) {
		t.Errorf("error %v matches errs.ErrConflict", err)
	}
	if p != (numbers.Parsed{}) {
		t.Errorf("refused Parse returned %+v; want the zero Parsed", p)
	}
	if !strings.Contains(err.Error(), pe.Reason) {
		t.Errorf("message %q does not give the reason %q", err, pe.Reason)
	}
}

func TestParseErrorUnwrapsLibraryError(t *testing.T) {
	_, err := numbers.Parse("+999 123456", "")
	if !errors.Is(err, phonenumbers.ErrInvalidCountryCode) {
		t.Errorf("error %v does not wrap phonenumbers.ErrInvalidCountryCode", err)
	}
}

func TestParseHugeInput(t *testing.T) {
	huge := "+1" + strings.Repeat("6", 1<<20)
	start := time.Now()
	p, err := numbers.Parse(huge, "US")
	elapsed := time.Since(start)
	checkParseError(t, huge, "US", p, err)
	if !strings.Contains(err.Error(), "too long: 1048578 bytes") {
		t.Errorf("error %q does not say the input is too long", err)
	}
	// The message quotes at most MaxInputLen bytes of the input.
	if len(err.Error()) > 200 {
		t.Errorf("message is %d bytes long; want the input shortened", len(err.Error()))
	}
	// Refused before any parsing: a generous bound that still catches
	// regular expressions running over a megabyte.
	if elapsed > 50*time.Millisecond {
		t.Errorf("refusing 1 MB took %v", elapsed)
	}
}

func TestParseErrorMessage(t *testing.T) {
	_, err := numbers.Parse("020 7946 095", "GB")
	want := `numbers: cannot parse phone number "020 7946 095" (default region "GB"): `
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Fatalf("error = %v; want it to start with %q", err, want)
	}
	long := strings.Repeat("١", 40) // 80 bytes of Arabic-Indic digits
	_, err = numbers.Parse(long, "")
	if err == nil || !strings.Contains(err.Error(), `"`+strings.Repeat("١", 32)+`"…`) {
		t.Errorf("error = %v; want the input cut at a rune boundary and marked with …", err)
	}
}
