package licensing_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

func TestValidCountry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		code string
		want bool
	}{
		{"US", true}, {"GB", true}, {"DE", true}, {"AX", true}, {"BQ", true}, {"SS", true}, {"ZW", true},
		{"XX", false}, {"", false}, {"U", false}, {"USA", false}, {"usa", false}, {"us", false}, {"Us", false},
		{"UK", false}, // exceptionally reserved: GB is the United Kingdom's code
		{"EU", false}, // exceptionally reserved
		{"XK", false}, // user-assigned (Kosovo), not assigned by ISO
		{"AN", false}, // withdrawn (Netherlands Antilles)
		{"YU", false}, // withdrawn (Yugoslavia)
		{" US", false}, {"U S", false}, {"1A", false},
		{"ÜS", false}, {"\u017fE", false}, {"ＵＳ", false}, {"U\x00", false}, {"\xff\xfe", false},
	}
	for _, tt := range tests {
		if got := licensing.ValidCountry(tt.code); got != tt.want {
			t.Errorf("ValidCountry(%q) = %v, want %v", tt.code, got, tt.want)
		}
	}
}

func TestCountries(t *testing.T) {
	t.Parallel()
	codes := licensing.Countries()
	if len(codes) != 249 {
		t.Errorf("len(Countries()) = %d, want 249", len(codes))
	}
	if !slices.IsSorted(codes) {
		t.Errorf("Countries() is not sorted")
	}
	if len(slices.Compact(slices.Clone(codes))) != len(codes) {
		t.Errorf("Countries() has duplicates")
	}
	// Every two-letter combination is valid exactly when it is listed.
	for a := 'A'; a <= 'Z'; a++ {
		for b := 'A'; b <= 'Z'; b++ {
			code := string([]rune{a, b})
			_, listed := slices.BinarySearch(codes, code)
			if licensing.ValidCountry(code) != listed {
				t.Errorf("ValidCountry(%q) = %v, listed = %v", code, !listed, listed)
			}
		}
	}
	codes[0] = "XX"
	if licensing.Countries()[0] != "AD" {
		t.Errorf("modifying the result of Countries() changed the next result")
	}
}

func TestNormalizeCountry(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in, want string // want "" means an errs.Invalid error
	}{
		{"US", "US"}, {"us", "US"}, {"Us", "US"}, {" de ", "DE"}, {"\tfr\n", "FR"}, {"de\u00a0", "DE"},
		{"uk", "GB"}, {"UK", "GB"}, {"gb", "GB"},
		{"XX", ""}, {"xx", ""}, {"", ""}, {"  ", ""}, {"usa", ""}, {"USA", ""}, {"u", ""}, {"xk", ""}, {"eu", ""},
		{"u s", ""}, {"ü", ""}, {"üs", ""}, {"\u017fe", ""}, {"ｕｓ", ""}, {"d\u0131", ""}, {"\xff\xfe", ""}, {"1a", ""},
	}
	for _, tt := range tests {
		got, err := licensing.NormalizeCountry(tt.in)
		if tt.want == "" {
			if err == nil || !errs.Is(err, errs.Invalid) || got != "" {
				t.Errorf("NormalizeCountry(%q) = %q, %v; want an invalid-input error", tt.in, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizeCountry(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
	for _, code := range licensing.Countries() {
		for _, in := range []string{code, strings.ToLower(code)} {
			if got, err := licensing.NormalizeCountry(in); err != nil || got != code {
				t.Errorf("NormalizeCountry(%q) = %q, %v; want %q", in, got, err, code)
			}
		}
	}
}

func TestOfficeValidate(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("é", licensing.MaxNameLen/2) // exactly MaxNameLen bytes
	tests := []struct {
		name      string
		edit      func(*licensing.Office)
		fragments []string // nil means valid
	}{
		{"valid", func(*licensing.Office) {}, nil},
		{"new office without id", func(o *licensing.Office) { o.ID = "" }, nil},
		{"unicode name", func(o *licensing.Office) { o.Name = "Zürich 🏔 東京" }, nil},
		{"longest name", func(o *licensing.Office) { o.Name = long }, nil},
		{"price level with underscore", func(o *licensing.Office) { o.PriceLevel = "EU_tier-2" }, nil},
		{"longest price level", func(o *licensing.Office) { o.PriceLevel = strings.Repeat("p", licensing.MaxPriceLevelLen) }, nil},
		{"no company", func(o *licensing.Office) { o.CompanyID = "" }, []string{"company id", `"Berlin"`}},
		{"empty name", func(o *licensing.Office) { o.Name = "" }, []string{"off-ber", "empty"}},
		{"blank name", func(o *licensing.Office) { o.Name = "   " }, []string{"blank"}},
		{"leading space", func(o *licensing.Office) { o.Name = " Berlin" }, []string{`" Berlin"`, "space"}},
		{"trailing newline", func(o *licensing.Office) { o.Name = "Berlin\n" }, []string{"U+000A"}},
		{"trailing no-break space", func(o *licensing.Office) { o.Name = "Berlin\u00a0" }, []string{"space"}},
		{"name too long", func(o *licensing.Office) { o.Name = long + "x" }, []string{"201 bytes", "200"}},
		{"invalid UTF-8", func(o *licensing.Office) { o.Name = "Ber\xfflin" }, []string{"UTF-8"}},
		{"NUL", func(o *licensing.Office) { o.Name = "Ber\x00lin" }, []string{"U+0000"}},
		{"escape", func(o *licensing.Office) { o.Name = "Ber\x1b[31mlin" }, []string{"U+001B"}},
		{"C1 control", func(o *licensing.Office) { o.Name = "Ber\u0085lin" }, []string{"U+0085"}},
		{"line separator", func(o *licensing.Office) { o.Name = "Ber\u2028lin" }, []string{"U+2028"}},
		{"bidi override", func(o *licensing.Office) { o.Name = "Ber\u202Enil" }, []string{"U+202E"}},
		{"bidi isolate", func(o *licensing.Office) { o.Name = "Ber\u2066lin" }, []string{"U+2066"}},
		{"bidi mark", func(o *licensing.Office) { o.Name = "Ber\u200Flin" }, []string{"U+200F"}},
		{"arabic letter mark", func(o *licensing.Office) { o.Name = "Ber\u061Clin" }, []string{"U+061C"}},
		{"zero-width space", func(o *licensing.Office) { o.Name = "Ber\u200Blin" }, []string{"U+200B"}},
		{"word joiner", func(o *licensing.Office) { o.Name = "Ber\u2060lin" }, []string{"U+2060"}},
		{"byte order mark", func(o *licensing.Office) { o.Name = "\uFEFFBerlin" }, []string{"U+FEFF"}},
		{"paragraph separator", func(o *licensing.Office) { o.Name = "Ber\u2029lin" }, []string{"U+2029"}},
		{"price level NUL", func(o *licensing.Office) { o.PriceLevel = "eu\x001" }, []string{"price level", "U+0000"}},
		{"price level bidi", func(o *licensing.Office) { o.PriceLevel = "eu\u202E1" }, []string{"price level", "U+202E"}},
		{"unassigned country", func(o *licensing.Office) { o.Country = "XX" }, []string{`"XX"`, "ISO 3166-1"}},
		{"empty country", func(o *licensing.Office) { o.Country = "" }, []string{`""`}},
		{"alpha-3 country", func(o *licensing.Office) { o.Country = "DEU" }, []string{`"DEU"`}},
		{"lower-case country", func(o *licensing.Office) { o.Country = "de" }, []string{`"de"`, `use "DE"`}},
		{"reserved UK", func(o *licensing.Office) { o.Country = "UK" }, []string{`"UK"`, `use "GB"`}},
		{"empty price level", func(o *licensing.Office) { o.PriceLevel = "" }, []string{"price level", `""`}},
		{"price level with space", func(o *licensing.Office) { o.PriceLevel = "eu 1" }, []string{`"eu 1"`}},
		{"price level not ASCII", func(o *licensing.Office) { o.PriceLevel = "stufe-ü" }, []string{`"stufe-ü"`}},
		{"price level too long", func(o *licensing.Office) { o.PriceLevel = strings.Repeat("p", licensing.MaxPriceLevelLen+1) }, []string{"40"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := berlin
			tt.edit(&o)
			err := o.Validate()
			if tt.fragments == nil {
				if err != nil {
					t.Fatalf("Validate(%+v) = %v, want nil", o, err)
				}
				return
			}
			checkRefusal(t, err, errs.Invalid, nil, tt.fragments...)
		})
	}
}

func TestCompanyValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		c         licensing.Company
		fragments []string // nil means valid
	}{
		{licensing.Company{ID: "c-1", Name: "Acme", Tier: licensing.Standard}, nil},
		{licensing.Company{Name: "New Co", Tier: licensing.Advanced}, nil},
		{licensing.Company{ID: "c-1", Name: "Acme", Tier: ""}, []string{`""`, "tier"}},
		{licensing.Company{ID: "c-1", Name: "Acme", Tier: "Premium"}, []string{`"Premium"`}},
		{licensing.Company{Name: "", Tier: licensing.Premium}, []string{"(new)", "empty"}},
		{licensing.Company{ID: "c-1", Name: "Acme ", Tier: licensing.Premium}, []string{"c-1", "space"}},
		{licensing.Company{ID: "c-1", Name: "Acme\t", Tier: licensing.Premium}, []string{"c-1", "U+0009"}},
		{licensing.Company{ID: "c-1", Name: "Ac\u0007me", Tier: licensing.Premium}, []string{"U+0007"}},
		{licensing.Company{ID: "c-1", Name: "Ac\u200Dme", Tier: licensing.Premium}, []string{"U+200D"}},
		{licensing.Company{ID: "c-1", Name: "Ac\u200Eme", Tier: licensing.Premium}, []string{"U+200E"}},
		{licensing.Company{ID: "c-1", Name: "Acme\xff", Tier: licensing.Premium}, []string{"UTF-8", "0xff"}},
	}
	for _, tt := range tests {
		err := tt.c.Validate()
		if tt.fragments == nil {
			if err != nil {
				t.Errorf("Validate(%+v) = %v, want nil", tt.c, err)
			}
			continue
		}
		checkRefusal(t, err, errs.Invalid, nil, tt.fragments...)
	}
}

func TestTier(t *testing.T) {
	t.Parallel()
	tests := []struct {
		tier                     licensing.Tier
		valid, transfer, proxies bool
	}{
		{licensing.Standard, true, false, false},
		{licensing.Advanced, true, true, true},
		{licensing.Premium, true, true, true},
		{"", false, false, false},
		{"PREMIUM", false, false, false},
		{"enterprise", false, false, false},
	}
	for _, tt := range tests {
		if got := tt.tier.Valid(); got != tt.valid {
			t.Errorf("%q.Valid() = %v, want %v", tt.tier, got, tt.valid)
		}
		if got := tt.tier.AllowsTransfer(); got != tt.transfer {
			t.Errorf("%q.AllowsTransfer() = %v, want %v", tt.tier, got, tt.transfer)
		}
		if got := tt.tier.AllowsProxy(); got != tt.proxies {
			t.Errorf("%q.AllowsProxy() = %v, want %v", tt.tier, got, tt.proxies)
		}
	}
}

func TestLicenseTypeValidate(t *testing.T) {
	t.Parallel()
	valid := []licensing.LicenseType{
		licensing.Seat, licensing.AIMeetings, licensing.AddOn, "a", "contact-center", "fax2", "x-",
		licensing.LicenseType(strings.Repeat("a", licensing.MaxLicenseTypeLen)),
	}
	for _, lt := range valid {
		if err := lt.Validate(); err != nil {
			t.Errorf("%q.Validate() = %v, want nil", lt, err)
		}
	}
	invalid := []licensing.LicenseType{
		"", "Seat", "SEAT", "1seat", "-seat", "seat_2", "seat 2", "séat", "seat\n", "ai.meetings",
		licensing.LicenseType(strings.Repeat("a", licensing.MaxLicenseTypeLen+1)),
	}
	for _, lt := range invalid {
		err := lt.Validate()
		if err == nil || !errs.Is(err, errs.Invalid) || !strings.Contains(err.Error(), "license type") {
			t.Errorf("%q.Validate() = %v, want an invalid-input error naming the license type", lt, err)
		}
	}
}

// TestNameRefusalsDoNotEchoTheName checks that a refused name is named by its
// field and its bad character, not repeated.
func TestNameRefusalsDoNotEchoTheName(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"secret\x00name", "secret\u202Ename", "secret\u200Bname", "secret\xffname"} {
		o := berlin
		o.Name = name
		if err := o.Validate(); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("office name %q: %v", name, err)
		}
		c := licensing.Company{ID: "c-1", Name: name, Tier: licensing.Standard}
		if err := c.Validate(); err == nil || strings.Contains(err.Error(), "secret") {
			t.Errorf("company name %q: %v", name, err)
		}
	}
}
