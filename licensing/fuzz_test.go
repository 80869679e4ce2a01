package licensing_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

// FuzzValidate feeds arbitrary strings to the validators and NormalizeCountry.
// None may panic, every refusal must be errs.Invalid, and the answers must
// agree with each other: a normalised code is valid and stable, and whatever
// validates obeys the documented rules.
func FuzzValidate(f *testing.F) {
	seeds := [][4]string{
		{"Berlin", "DE", "eu-1", "seat"},
		{" Berlin", "de", "EU_1", "ai-meetings"},
		{"Zürich 🏔", "uk", "p", "add-on"},
		{"", "XX", "", ""},
		{"Ber\u202Elin", "usa", "eu 1", "Seat"},
		{"\xff", "\u017fe", strings.Repeat("p", 41), "1seat"},
		{"a\x00b", " us ", "ü", "-"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2], s[3])
	}
	f.Fuzz(func(t *testing.T, name, country, priceLevel, licenseType string) {
		o := licensing.Office{ID: "off-1", CompanyID: "c-1", Name: name, Country: country, PriceLevel: priceLevel}
		if err := o.Validate(); err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("Office.Validate(%+v) = %v, want kind Invalid", o, err)
			}
		} else {
			if name == "" || len(name) > licensing.MaxNameLen || !utf8.ValidString(name) || strings.TrimSpace(name) != name {
				t.Fatalf("Office.Validate accepted name %q", name)
			}
			for _, r := range name {
				if r < 0x20 || r == 0x7f || (0x80 <= r && r < 0xa0) {
					t.Fatalf("Office.Validate accepted name %q with control character %U", name, r)
				}
			}
			if !licensing.ValidCountry(country) {
				t.Fatalf("Office.Validate accepted country %q that ValidCountry refuses", country)
			}
			if priceLevel == "" || len(priceLevel) > licensing.MaxPriceLevelLen {
				t.Fatalf("Office.Validate accepted price level %q", priceLevel)
			}
		}

		c := licensing.Company{ID: "c-1", Name: name, Tier: licensing.Tier(licenseType)}
		if err := c.Validate(); err != nil && !errs.Is(err, errs.Invalid) {
			t.Fatalf("Company.Validate(%+v) = %v, want kind Invalid", c, err)
		} else if err == nil && (!c.Tier.Valid() || name == "") {
			t.Fatalf("Company.Validate accepted %+v", c)
		}

		code, err := licensing.NormalizeCountry(country)
		switch {
		case err != nil:
			if !errs.Is(err, errs.Invalid) || code != "" {
				t.Fatalf("NormalizeCountry(%q) = %q, %v; want \"\" and kind Invalid", country, code, err)
			}
			if licensing.ValidCountry(country) {
				t.Fatalf("NormalizeCountry(%q) refused a valid code: %v", country, err)
			}
		default:
			if !licensing.ValidCountry(code) {
				t.Fatalf("NormalizeCountry(%q) = %q, which ValidCountry refuses", country, code)
			}
			if again, err := licensing.NormalizeCountry(code); err != nil || again != code {
				t.Fatalf("NormalizeCountry(%q) = %q, %v; want it stable", code, again, err)
			}
			o.Country, o.Name, o.PriceLevel = code, "Office", "p"
			if err := o.Validate(); err != nil {
				t.Fatalf("Office with normalised country %q: Validate = %v", code, err)
			}
			if licensing.ValidCountry(country) && code != country {
				t.Fatalf("NormalizeCountry(%q) = %q; a valid code must normalise to itself", country, code)
			}
		}

		lt := licensing.LicenseType(licenseType)
		if err := lt.Validate(); err != nil {
			if !errs.Is(err, errs.Invalid) {
				t.Fatalf("LicenseType(%q).Validate() = %v, want kind Invalid", licenseType, err)
			}
		} else {
			if licenseType == "" || len(licenseType) > licensing.MaxLicenseTypeLen || licenseType[0] < 'a' || licenseType[0] > 'z' ||
				strings.Trim(licenseType, "abcdefghijklmnopqrstuvwxyz0123456789-") != "" {
				t.Fatalf("LicenseType(%q).Validate() accepted it", licenseType)
			}
			p := licensing.Pool{OfficeID: "off-1", Type: lt, Total: 1}
			if _, err := p.Take(); err != nil {
				t.Fatalf("Take from a pool of valid type %q: %v", lt, err)
			}
		}
	})
}
