package numbers

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
	"github.com/nyaruka/phonenumbers"
)

// MaxInputLen is the longest raw input, in bytes, that [Parse] hands to the
// phone-number library. The longest E.164 number is 16 bytes; 64 leaves room
// for spaces, punctuation and multi-byte digits while keeping the library's
// regular expressions away from hostile input.
const MaxInputLen = 64

// maxE164Digits is the most digits, country code included, that ITU-T
// E.164 allows.
const maxE164Digits = 15

// Parsed is a number that passed [Parse]: valid, canonical, and classified.
type Parsed struct {
	// E164 is the canonical form, such as "+14155550100".
	E164 string
	// Country is the ISO 3166 alpha-2 region the library places the number
	// in, such as "US". Where several regions share a calling code this is
	// the precise one: a +44 7911 number is in "GG", not "GB".
	Country string
	// Kind is derived from the number range; it is never KindFax.
	Kind Kind
}

// String returns the E.164 form.
func (p Parsed) String() string { return p.E164 }

// InE164Form reports whether s has the form [Parse] writes E.164 numbers
// in: a plus, then 2 to [maxE164Digits] ASCII digits, the first not 0.
// Parse gives such a string back unchanged when it accepts it, so a store
// of parsed numbers can be searched for s without parsing it.
func InE164Form(s string) bool {
	if len(s) < 3 || len(s) > 1+maxE164Digits || s[0] != '+' || s[1] == '0' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// ErrInvalidNumber matches every [*ParseError].
var ErrInvalidNumber = errors.New("numbers: invalid phone number")

// ParseError reports raw input that is not a valid phone number. It matches
// both [ErrInvalidNumber] and [errs.ErrInvalid].
type ParseError struct {
	// Input is the raw input as given (shortened only in Error).
	Input string
	// Region is the default region given to Parse, if any.
	Region string
	// Reason says why the input was refused, such as "too short".
	Reason string
	// Err is the library's error, when the library refused the input.
	Err error
}

// maxQuoted bounds how much of the input an error message repeats: all of
// any input short enough to be a number, never a megabyte of junk in a log.
const maxQuoted = MaxInputLen

// Error names the input (shortened if long) and the reason.
func (e *ParseError) Error() string {
	in := e.Input
	if len(in) > maxQuoted {
		cut := maxQuoted
		for cut > 0 && !utf8.RuneStart(in[cut]) {
			cut--
		}
		in = fmt.Sprintf("%q…", in[:cut])
	} else {
		in = fmt.Sprintf("%q", in)
	}
	msg := "numbers: cannot parse phone number " + in
	if e.Region != "" {
		msg += fmt.Sprintf(" (default region %q)", e.Region)
	}
	return msg + ": " + e.Reason
}

// Is reports whether target is [ErrInvalidNumber] or [errs.ErrInvalid].
func (e *ParseError) Is(target error) bool {
	return target == ErrInvalidNumber || isKind(target, errs.Invalid)
}

// Unwrap returns the error as an [*errs.Error] of kind [errs.Invalid] whose
// cause is the library's error, so that errors.As, [errs.KindOf] and
// errors.Is against the library's sentinels all work.
func (e *ParseError) Unwrap() error {
	return &errs.Error{Kind: errs.Invalid, Msg: e.Error(), Err: e.Err, People: e.People()}
}

// People says in an administrator's words that the input is not a phone
// number, echoing at most a short prefix of it and naming the default
// region by its English name.
func (e *ParseError) People() string {
	if len(e.Input) > MaxInputLen {
		return fmt.Sprintf("That is too long for a phone number: a phone number has at most %d characters.", MaxInputLen)
	}
	where := ""
	if e.Region != "" {
		where = " for " + regionPhrase(e.Region)
	}
	return fmt.Sprintf("%s is not a valid phone number%s.", errs.Quote(e.Input), where)
}

// regionPhrase names a region for a sentence: "the United States", "Germany".
func regionPhrase(code string) string {
	n := text.RegionName(code)
	if n == code {
		return "the region " + errs.Quote(code)
	}
	switch code {
	case "US", "GB", "AE", "NL", "PH", "CZ", "DO", "CF", "BS", "KY", "MV", "VA":
		return "the " + n
	}
	return n
}

// Parse validates raw as a phone number and returns its canonical form.
//
// raw is either international ("+1 415-555-0100", digits of any script,
// the usual punctuation, letters of a vanity number such as "1-800-FLOWERS")
// or, when defaultRegion names a region such as "US", national
// ("(415) 555-0100"). With defaultRegion "" raw must be international.
//
// The number must be valid (a number range that is in service), not merely
// well-formed, and must belong to a country. Input is refused before it
// reaches the library when it is longer than [MaxInputLen] bytes, is not
// UTF-8, holds a character no phone number has (quotes, semicolons, control
// characters...), or does not start with a digit, a plus sign or a
// parenthesis: Parse validates what an admin typed, it does not fish a
// number out of a sentence. A number with an extension is refused, since an
// inventory number is a whole line, and so is one longer than the 15 digits
// E.164 allows, though the library accepts some such German numbers.
//
// Every refusal is a [*ParseError].
func Parse(raw, defaultRegion string) (Parsed, error) {
	fail := func(err error, format string, args ...any) (Parsed, error) {
		return Parsed{}, &ParseError{Input: raw, Region: defaultRegion, Reason: fmt.Sprintf(format, args...), Err: err}
	}
	if reason := precheck(raw); reason != "" {
		return fail(nil, "%s", reason)
	}
	region := strings.ToUpper(defaultRegion)
	if region != "" && !phonenumbers.GetSupportedRegions()[region] {
		return fail(nil, "unknown default region %q: want an ISO 3166 alpha-2 code such as \"US\"", defaultRegion)
	}
	pn, err := phonenumbers.Parse(raw, region)
	if err != nil {
		return fail(err, "%s", libraryReason(err, raw, region))
	}
	if pn.GetExtension() != "" {
		return fail(nil, "has an extension (%s): an inventory number is a whole line, give it without the extension", pn.GetExtension())
	}
	if reason := invalidReason(pn); reason != "" {
		return fail(nil, "%s", reason)
	}
	e164 := phonenumbers.Format(pn, phonenumbers.E164)
	// Derive everything from the E.164 form parsed on its own, so that
	// Parse(p.E164, "") gives p back whatever form p was parsed from: the
	// library strips national prefixes differently in national and
	// international input, and a number whose canonical form does not
	// stand on its own is no use as a key.
	if raw != e164 || region != "" {
		pn, err = phonenumbers.Parse(e164, "")
		if err != nil || invalidReason(pn) != "" || phonenumbers.Format(pn, phonenumbers.E164) != e164 {
			return fail(err, "its canonical form %s does not parse back to itself", e164)
		}
	}
	if digits := len(e164) - 1; digits > maxE164Digits {
		// The library admits some longer German numbers; E.164 does not,
		// and neither do the carriers and stores downstream.
		return fail(nil, "too long for E.164: %d digits, at most %d", digits, maxE164Digits)
	}
	country := phonenumbers.GetRegionCodeForNumber(pn)
	if len(country) != 2 {
		// "001" marks non-geographic numbers such as +800 international
		// freephone; an office number must belong to a country.
		return fail(nil, "is a non-geographic number (+%d) that belongs to no country", pn.GetCountryCode())
	}
	return Parsed{E164: e164, Country: country, Kind: kindOf(phonenumbers.GetNumberType(pn))}, nil
}

// precheck refuses input that cannot be a typed phone number before the
// library, whose regular expressions are the costly part, ever sees it.
func precheck(raw string) string {
	if len(raw) > MaxInputLen {
		return fmt.Sprintf("too long: %d bytes, at most %d", len(raw), MaxInputLen)
	}
	if !utf8.ValidString(raw) {
		return "not valid UTF-8"
	}
	s := strings.TrimSpace(raw)
	if s == "" {
		return "empty"
	}
	for _, r := range s {
		if !allowedRune(r) {
			return fmt.Sprintf("contains %q, which no phone number has", r)
		}
	}
	first, _ := utf8.DecodeRuneInString(s)
	if !unicode.IsDigit(first) && !strings.ContainsRune("+＋(（", first) {
		return fmt.Sprintf("not a number: starts with %q, not a digit or +", first)
	}
	return ""
}

// punctuation is what the library accepts between digits (its
// VALID_PUNCTUATION), spelled out as runes.
const punctuation = "-\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30FC\uFF0D\uFF0E\uFF0F" +
	"\u00A0\u00AD\u200B\u2060\u3000()\uFF08\uFF09\uFF3B\uFF3D.[]/~\u2053\u223C\uFF5E"

func allowedRune(r rune) bool {
	switch {
	case unicode.IsDigit(r), r == ' ', r == '\t', r == '+', r == '＋':
		return true
	case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
		// Vanity numbers and extension markers ("ext", "x").
		return true
	}
	return strings.ContainsRune(punctuation, r)
}

func libraryReason(err error, raw, region string) string {
	switch {
	case errors.Is(err, phonenumbers.ErrInvalidCountryCode):
		s := strings.TrimSpace(raw)
		if region == "" && !strings.HasPrefix(s, "+") && !strings.HasPrefix(s, "＋") {
			return "no country code: write it in international form starting with + or give a default region"
		}
		return "invalid country calling code"
	case errors.Is(err, phonenumbers.ErrTooShortNSN), errors.Is(err, phonenumbers.ErrTooShortAfterIDD):
		return "too short"
	case errors.Is(err, phonenumbers.ErrNumTooLong):
		return "too long"
	case errors.Is(err, phonenumbers.ErrNotANumber):
		return "not a number"
	}
	return "not a number: " + err.Error()
}

// invalidReason says why a parsed number is not valid, or "" if it is.
func invalidReason(pn *phonenumbers.PhoneNumber) string {
	if phonenumbers.IsValidNumber(pn) {
		return ""
	}
	cc := pn.GetCountryCode()
	where := fmt.Sprintf("country calling code +%d (%s)", cc, phonenumbers.GetRegionCodeForCountryCode(int(cc)))
	switch phonenumbers.IsPossibleNumberWithReason(pn) {
	case phonenumbers.INVALID_COUNTRY_CODE:
		return fmt.Sprintf("invalid country calling code +%d", cc)
	case phonenumbers.TOO_SHORT:
		return "too short for " + where
	case phonenumbers.TOO_LONG:
		return "too long for " + where
	case phonenumbers.INVALID_LENGTH:
		return "wrong length for " + where
	case phonenumbers.IS_POSSIBLE_LOCAL_ONLY:
		return "only dialable locally: give the area code"
	}
	return "not a valid number for " + where + ": no number range in service matches it"
}

func kindOf(t phonenumbers.PhoneNumberType) Kind {
	switch t {
	case phonenumbers.MOBILE:
		return KindMobile
	case phonenumbers.TOLL_FREE:
		return KindTollFree
	}
	// Fixed-line, fixed-line-or-mobile, VoIP, shared-cost, UAN...: for an
	// office inventory these all behave as local numbers.
	return KindLocal
}
