package licensing

import (
	"strings"

	"github.com/lifeline-go/lifeline/errs"
)

// countryCodes lists every officially assigned ISO 3166-1 alpha-2 code (249
// codes, as published by the ISO 3166 Maintenance Agency). Exceptionally,
// transitionally and user-assigned codes (UK, EU, XK, ...) are left out on
// purpose: an office's country decides which numbers it can hold, and only an
// assigned code names a numbering territory unambiguously.
const countryCodes = `
	AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ
	BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ
	CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ
	DE DJ DK DM DO DZ
	EC EE EG EH ER ES ET
	FI FJ FK FM FO FR
	GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY
	HK HM HN HR HT HU
	ID IE IL IM IN IO IQ IR IS IT
	JE JM JO JP
	KE KG KH KI KM KN KP KR KW KY KZ
	LA LB LC LI LK LR LS LT LU LV LY
	MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT MU MV MW MX MY MZ
	NA NC NE NF NG NI NL NO NP NR NU NZ
	OM
	PA PE PF PG PH PK PL PM PN PR PS PT PW PY
	QA
	RE RO RS RU RW
	SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ
	TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ
	UA UG UM US UY UZ
	VA VC VE VG VI VN VU
	WF WS
	YE YT
	ZA ZM ZW
`

// countryTable is indexed by (first letter)*26 + (second letter); a lookup
// table keeps ValidCountry allocation-free on the hot path of every office
// validation.
var countryTable = func() (t [26 * 26]bool) {
	for _, c := range strings.Fields(countryCodes) {
		t[int(c[0]-'A')*26+int(c[1]-'A')] = true
	}
	return t
}()

// ValidCountry reports whether code is an officially assigned ISO 3166-1
// alpha-2 code in its canonical upper-case form. It does not normalise: "us"
// and "UK" are not valid; pass user input through NormalizeCountry first.
func ValidCountry(code string) bool {
	if len(code) != 2 || !isUpper(code[0]) || !isUpper(code[1]) {
		return false
	}
	return countryTable[int(code[0]-'A')*26+int(code[1]-'A')]
}

// Countries returns every assigned ISO 3166-1 alpha-2 code in alphabetical
// order, for pickers and documentation. The caller may modify the slice.
func Countries() []string {
	return strings.Fields(countryCodes)
}

// NormalizeCountry turns what an admin typed into a canonical country code:
// it trims surrounding space, upper-cases ASCII letters and maps the reserved
// "UK" to "GB", the code ISO assigns to the United Kingdom. Anything that is
// not then an assigned code, such as "XX", "USA" or a letter outside ASCII, is
// an errs.Invalid error.
func NormalizeCountry(s string) (string, error) {
	const op = "licensing.NormalizeCountry"
	t := strings.TrimSpace(s)
	// Upper-case by hand: strings.ToUpper would turn non-ASCII letters such
	// as the long s (U+017F) into "S" and let look-alikes through.
	if len(t) != 2 || !isLetter(t[0]) || !isLetter(t[1]) {
		return "", errs.E(errs.Invalid, op, "country %s is not a two-letter ISO 3166-1 alpha-2 code", quote(s))
	}
	code := string([]byte{toUpper(t[0]), toUpper(t[1])})
	if code == "UK" {
		code = "GB"
	}
	if !ValidCountry(code) {
		return "", errs.E(errs.Invalid, op, "country %s is not an assigned ISO 3166-1 alpha-2 code", quote(s))
	}
	return code, nil
}

func isUpper(b byte) bool  { return 'A' <= b && b <= 'Z' }
func isLower(b byte) bool  { return 'a' <= b && b <= 'z' }
func isLetter(b byte) bool { return isUpper(b) || isLower(b) }
func isDigit(b byte) bool  { return '0' <= b && b <= '9' }

func toUpper(b byte) byte {
	if isLower(b) {
		return b - 'a' + 'A'
	}
	return b
}
