package text_test

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

// legitimate are values people really write: names in their own scripts,
// with the joiners those scripts need, and emoji sequences in labels. The
// policy must accept every one.
var legitimate = map[string]string{
	// Persian and Urdu: a zero width non-joiner between a letter that joins
	// forward and one that joins backward keeps the parts of a word apart.
	"Persian surname":              "نوری\u200Cزاده", // yeh, ZWNJ, zain
	"Persian surname, escaped":     "\u062D\u0633\u0646\u200C\u0632\u0627\u062F\u0647",
	"Persian verb":                 "می\u200Cخواهم", // farsi yeh, ZWNJ, khah
	"Persian plural":               "خانه\u200Cها",  // heh, ZWNJ, heh
	"Persian given name":           "زین\u200Cالعابدین",
	"Persian, mark before ZWNJ":    "\u0628\u0650\u200C\u0627\u0628", // beh, kasra, ZWNJ, alef, beh
	"Persian full name":            "مهدی حسن\u200Cزاده",
	"Urdu name":                    "محمد علی",
	"Arabic name":                  "محمد بن سلمان",
	"Hindi half form with ZWJ":     "\u0915\u094D\u200D\u0937", // ka, virama, ZWJ, ssa
	"Hindi explicit virama (ZWNJ)": "\u0915\u094D\u200C\u0937", // ka, virama, ZWNJ, ssa
	"Hindi name":                   "अनुष्का शर्मा",
	"Bengali ZWNJ after hasanta":   "\u0995\u09CD\u200C\u09B7", // ka, hasanta, ZWNJ, ssa
	"Bengali name":                 "সৌমিত্র চট্টোপাধ্যায়",
	"Malayalam old chillu (ZWJ)":   "\u0D05\u0D35\u0D28\u0D4D\u200D", // avan: na, virama, ZWJ
	"Malayalam ZWNJ":               "\u0D15\u0D4D\u200C\u0D15",
	"Sinhala sri (ZWJ)":            "\u0DC1\u0DCA\u200D\u0DBB\u0DD3 \u0DBD\u0D82\u0D9A\u0DCF", // ශ්‍රී ලංකා
	"Telugu ZWNJ":                  "\u0C15\u0C4D\u200C\u0C37",
	"Tamil name":                   "தமிழ்செல்வி",
	// Emoji in device labels, settings and hold reasons.
	"family":               "\U0001F468\u200D\U0001F469\u200D\U0001F467", // 👨‍👩‍👧
	"technologist, skin":   "\U0001F469\U0001F3FD\u200D\U0001F4BB",       // 👩🏽‍💻
	"rainbow flag":         "\U0001F3F3\uFE0F\u200D\U0001F308",           // 🏳️‍🌈
	"heart with VS16":      "\u2764\uFE0F",                               // ❤️
	"heart on fire":        "\u2764\uFE0F\u200D\U0001F525",               // ❤️‍🔥
	"pirate flag":          "\U0001F3F4\u200D\u2620\uFE0F",               // 🏴‍☠️
	"holding hands":        "\U0001F9D1\u200D\U0001F91D\u200D\U0001F9D1", // 🧑‍🤝‍🧑
	"eye in speech bubble": "\U0001F441\uFE0F\u200D\U0001F5E8\uFE0F",     // 👁️‍🗨️
	"flags":                "\U0001F1EE\U0001F1F7 \U0001F1EF\U0001F1F5",  // 🇮🇷 🇯🇵
	"thumbs up, dark skin": "\U0001F44D\U0001F3FF",                       // 👍🏿
	"keycap one":           "1\uFE0F\u20E3",                              // 1️⃣
	"keycap hash":          "#\uFE0F\u20E3",                              // #️⃣
	"phone, text style":    "\u260E\uFE0E",                               // ☎︎
	"device label":         "Sara’s iPhone 📱",
	"setting value":        "Ring 🔔 ×3",
	"hold reason":          "Litigation hold — case 2024-17 ⚖\uFE0F",
	// Other scripts.
	"Chinese":               "王小明",
	"Chinese traditional":   "張偉",
	"Japanese kanji":        "山田太郎",
	"Japanese kana":         "やまだ・タロウ",
	"Japanese, ideo space":  "山田\u3000太郎",
	"Korean":                "김민준",
	"Korean 2":              "이서연",
	"accented Latin":        "Zoë Ødegård",
	"Polish":                "François Müller-Łukasiewicz",
	"Vietnamese":            "Nguyễn Thị Minh Khai",
	"Turkish":               "İsmail Şahin",
	"decomposed (NFD)":      "Zoe\u0308",
	"Greek":                 "Αλέξανδρος Παπαδόπουλος",
	"Cyrillic":              "Анна Каренина",
	"Hebrew with maqaf":     "דוד בן־גוריון",
	"Thai":                  "สมชาย ใจดี",
	"Amharic":               "አበበ በቂላ",
	"Georgian":              "ნინო",
	"Armenian":              "Արամ",
	"apostrophe":            "O'Brien",
	"no-break space":        "Jean\u00a0Luc",
	"replacement character": "\uFFFD",
	"SQL-looking":           "x'; DROP TABLE users;--",
	"empty":                 "",
}

func TestLegitimateTextIsAccepted(t *testing.T) {
	for name, s := range legitimate {
		if p := text.Problem(s); p != "" {
			t.Errorf("%s: Problem(%+q) = %q, want accepted", name, s, p)
		}
	}
}

// deceptive maps text with a character that is invisible, reorders the
// display, or is in no script's or emoji's context to the code point (or
// byte) the refusal must name.
var deceptive = map[string]string{
	"Ada\u00AD Lovelace":               "U+00AD", // soft hyphen
	"Ada\u180ELovelace":                "U+180E", // Mongolian vowel separator
	"Ada\u2061Lovelace":                "U+2061", // function application
	"Ada\u2062Lovelace":                "U+2062",
	"Ada\u2063Lovelace":                "U+2063",
	"Ada\u2064Lovelace":                "U+2064",
	"Ada\u206ALovelace":                "U+206A", // inhibit symmetric swapping
	"Ada\u034FLovelace":                "U+034F", // combining grapheme joiner
	"Ada\uFFF9Lovelace":                "U+FFF9", // interlinear annotation anchor
	"Ada\U000E0041":                    "U+E0041",
	"Ada\U000E0001":                    "U+E0001",
	"Ada\u3164Lovelace":                "U+3164", // Hangul filler
	"Ada\uFFA0Lovelace":                "U+FFA0",
	"\u115FAda":                        "U+115F",
	"Ada\u1160":                        "U+1160",
	"Ada\u17B4Lovelace":                "U+17B4", // Khmer inherent vowel
	"Ada\U0001D173":                    "U+1D173",
	"Ada\u0600 1":                      "U+0600", // Arabic number sign
	"A\x00da":                          "U+0000",
	"A\tda":                            "U+0009",
	"A\nda":                            "U+000A",
	"A\rda":                            "U+000D",
	"A\x1b[31mda":                      "U+001B",
	"A\x7fda":                          "U+007F",
	"A\u0085da":                        "U+0085",
	"A\u009fda":                        "U+009F",
	"A\u2028da":                        "U+2028",
	"A\u2029da":                        "U+2029",
	"A\u202Ada":                        "U+202A",
	"A\u202Bda":                        "U+202B",
	"A\u202Cda":                        "U+202C",
	"A\u202Dda":                        "U+202D",
	"A\u202Eda":                        "U+202E",
	"A\u2066da":                        "U+2066",
	"A\u2067da":                        "U+2067",
	"A\u2068da":                        "U+2068",
	"A\u2069da":                        "U+2069",
	"A\u200Eda":                        "U+200E",
	"A\u200Fda":                        "U+200F",
	"A\u061Cda":                        "U+061C",
	"A\u200Bda":                        "U+200B",
	"A\u2060da":                        "U+2060",
	"\uFEFFAda":                        "U+FEFF",
	"Ada\uE000":                        "U+E000",   // private use
	"Ada\U000F0000":                    "U+F0000",  // supplementary private use
	"Ada\u0378":                        "U+0378",   // unassigned
	"Ada\uFFFF":                        "U+FFFF",   // noncharacter
	"Ada\uFDD0":                        "U+FDD0",   // noncharacter
	"Ada\U0010FFFF":                    "U+10FFFF", // noncharacter
	"Ada\u200DLovelace":                "U+200D",   // ZWJ between Latin letters
	"Ada\u200CLovelace":                "U+200C",   // ZWNJ between Latin letters
	"\u200DAda":                        "U+200D",   // ZWJ first
	"Ada\u200D":                        "U+200D",   // ZWJ last, after a letter
	"\u0627\u200C\u0628":               "U+200C",   // ZWNJ after alef, which never joins forward
	"\u062D\u0633\u0646\u200C":         "U+200C",   // ZWNJ with no letter after
	"\u0646\u200C\u0621":               "U+200C",   // ZWNJ before hamza, which never joins
	"\U0001F468\u200Da":                "U+200D",   // ZWJ between an emoji and a letter
	"\U0001F468\u200D":                 "U+200D",   // ZWJ after an emoji, nothing after
	"\U0001F468\u200D\u200D\U0001F469": "U+200D",
	"\u2764\uFE0F\uFE0F":               "U+FE0F",  // a second variation selector
	"A\uFE0F":                          "U+FE0F",  // VS16 after a letter
	"1\uFE0F":                          "U+FE0F",  // VS16 after a digit, no keycap
	"\uFE0F\u2764":                     "U+FE0F",  // VS16 first
	"A\uFE00":                          "U+FE00",  // VS1
	"葛\U000E0100":                      "U+E0100", // ideographic variation selector
	"\u1820\u180B":                     "U+180B",  // Mongolian free variation selector
	"\U0001F3F4\U000E0067\U000E0062\U000E0073\U000E0063\U000E0074\U000E007F": "U+E0067", // subdivision flag
	"Ad\xffa":          "byte 0xff at offset 2",
	"Ad\xe2\x80":       "byte 0xe2 at offset 2",
	"ok then \xc0\xaf": "offset 8",
	"Ada\xed\xa0\x80":  "byte 0xed at offset 3", // an encoded surrogate
}

func TestDeceptiveTextIsRefused(t *testing.T) {
	for s, want := range deceptive {
		p := text.Problem(s)
		if !strings.Contains(p, want) {
			t.Errorf("Problem(%+q) = %q, want it to name %s", s, p, want)
		}
		if strings.Contains(p, "Ada") || strings.Contains(p, "da") {
			t.Errorf("Problem(%+q) = %q repeats the text", s, p)
		}
	}
}

func TestClassAgreesWithAllowed(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
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
	for _, r := range []rune{0, 0x9f, 0x2028, 0x202e, 0x200f, 0xfeff, 0x200d, 0xfe0f, 0x10ffff, 0xe0041} {
		if p := text.Problem(long + string(r)); p == "" || len(p) > errs.MaxArgLen {
			t.Errorf("Problem for %U is %d bytes: %q", r, len(p), p)
		}
	}
	if p := text.Problem(long + "\xff"); len(p) > errs.MaxArgLen {
		t.Errorf("Problem for invalid UTF-8 is %d bytes: %q", len(p), p)
	}
}

// contextual are the only Default_Ignorable code points the policy may let
// through, and only between other characters.
var contextual = map[rune]bool{0x200C: true, 0x200D: true, 0xFE0E: true, 0xFE0F: true}

// ignorable reports whether r is a Default_Ignorable_Code_Point or a
// format character, from the unicode package's property tables.
func ignorable(r rune) bool {
	return unicode.In(r, unicode.Cf, unicode.Other_Default_Ignorable_Code_Point, unicode.Variation_Selector)
}

// FuzzProblem checks what every accepted string is made of: valid UTF-8,
// no control, private-use, surrogate, line or paragraph separator, and no
// invisible character but a joiner or emoji variation selector, which never
// starts the text, never follows another invisible character, and never
// follows an ASCII character but a keycap base.
func FuzzProblem(f *testing.F) {
	for _, s := range legitimate {
		f.Add(s)
	}
	for s := range deceptive {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := text.Problem(s)
		if p != "" {
			if len(p) > errs.MaxArgLen {
				t.Fatalf("Problem(%+q) is %d bytes", s, len(p))
			}
			return
		}
		if !utf8.ValidString(s) {
			t.Fatalf("accepted invalid UTF-8 %+q", s)
		}
		prev := rune(-1)
		for _, r := range s {
			switch {
			case unicode.In(r, unicode.Cc, unicode.Co, unicode.Cs, unicode.Zl, unicode.Zp):
				t.Fatalf("accepted %+q with %U", s, r)
			case ignorable(r) && !contextual[r]:
				t.Fatalf("accepted %+q with the invisible %U", s, r)
			case contextual[r] && (prev < 0 || ignorable(prev) && !(r == 0x200D && prev == 0xFE0F)):
				t.Fatalf("accepted %+q with %U after %U", s, r, prev)
			case contextual[r] && prev < utf8.RuneSelf && !strings.ContainsRune("#*0123456789", prev):
				t.Fatalf("accepted %+q with %U after the ASCII %U", s, r, prev)
			}
			prev = r
		}
	})
}

func TestSanitize(t *testing.T) {
	for in, want := range map[string]string{
		"":                           "",
		"connection refused":         "connection refused",
		"HTTP 502\nBad Gateway\r\n":  "HTTP 502 Bad Gateway  ",
		"a\tb\u2028c\u2029d\u0085e":  "a b c d e",
		"evil\u202Etxt.exe":          "evil\uFFFDtxt.exe",
		"x\xffy":                     "x\uFFFDy",
		"Ada\u200DLovelace":          "Ada\uFFFDLovelace",
		"\x1b[31mred":                "\uFFFD[31mred",
		"\U0001F468\u200D\U0001F469": "\U0001F468\u200D\U0001F469",
		"\U0001F468\u200D\u200D":     "\U0001F468\uFFFD\uFFFD",
		"حسن\u200Cزاده timed out":    "حسن\u200Cزاده timed out",
		"\u2764\uFE0F\uFE0F":         "\u2764\uFE0F\uFFFD",
		"\u0628\u034F\u200C\u0627":   "\u0628\uFFFD\uFFFD\u0627",
	} {
		if got := text.Sanitize(in); got != want {
			t.Errorf("Sanitize(%+q) = %+q, want %+q", in, got, want)
		}
	}
}

// FuzzSanitize checks that Sanitize leaves accepted text alone and that
// the policy accepts whatever it returns.
func FuzzSanitize(f *testing.F) {
	for _, s := range legitimate {
		f.Add(s)
	}
	for s := range deceptive {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := text.Sanitize(s)
		if p := text.Problem(got); p != "" {
			t.Fatalf("Sanitize(%+q) = %+q, which %s", s, got, p)
		}
		if text.Problem(s) == "" && got != s {
			t.Fatalf("Sanitize(%+q) = %+q changed accepted text", s, got)
		}
	})
}

// TestSearchKey: case, accents and repeated or surrounding spaces do not
// count; anything else does.
func TestSearchKey(t *testing.T) {
	for in, want := range map[string]string{
		"":              "",
		"   ":           "",
		"ZOË  Ann":      "zoe ann",
		" zoe\tann ":    "zoe ann",
		"José":          "jose",
		"A@Example.COM": "a@example.com",
	} {
		if got := text.SearchKey(in); got != want {
			t.Errorf("SearchKey(%q) = %q, want %q", in, got, want)
		}
	}
}
