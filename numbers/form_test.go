package numbers

import "testing"

func TestInE164Form(t *testing.T) {
	for s, want := range map[string]bool{
		"+14155550142":      true,
		"+442079460000":     true,
		"+12":               true,
		"+123456789012345":  true,
		"+1234567890123456": false, // 16 digits
		"+1":                false,
		"+0123":             false,
		"14155550142":       false,
		"+1 415 555 0142":   false,
		"+1-415-555-0142":   false,
		" +14155550142":     false,
		"+１４１５":             false, // full-width digits
		"":                  false,
	} {
		if got := InE164Form(s); got != want {
			t.Errorf("InE164Form(%q) = %v, want %v", s, got, want)
		}
	}
}
