package lifecycle

import (
	"testing"

	"github.com/lifeline-go/lifeline/errs"
)

// TestNextExtension: one more than the highest, "100" for a company
// without users and never below it.
func TestNextExtension(t *testing.T) {
	for highest, want := range map[string]string{
		"":         "100",
		"10":       "100",
		"99":       "100",
		"100":      "101",
		"201":      "202",
		"1999":     "2000",
		"99999999": "100000000",
	} {
		got, err := NextExtension(highest)
		if err != nil || got != want {
			t.Errorf("NextExtension(%q) = %q, %v; want %q", highest, got, err, want)
		}
	}
	if _, err := NextExtension("12a"); errs.KindOf(err) != errs.Other {
		t.Errorf("NextExtension(12a): %v, want an error of kind Other", err)
	}
}

// TestCompareExtensions: numeric order, 99 before 100 before 1000.
func TestCompareExtensions(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"99", "100", -1}, {"1000", "999", 1}, {"200", "200", 0}, {"101", "102", -1}, {"9", "10", -1},
	} {
		if got := CompareExtensions(c.a, c.b); got != c.want {
			t.Errorf("CompareExtensions(%s, %s) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}
