// Package exampletest reads the output of an example program in its test:
// the programs print numbered steps, each with the lines and tables a
// reader checks, and their tests assert on those.
package exampletest

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// Contains fails the test for every want that out lacks.
func Contains(t *testing.T, out string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(out, want) {
			t.Errorf("output lacks %q\n%s", want, out)
		}
	}
}

// Rows fails the test for every regular expression in res that matches no
// whole indented line of out (a row of a printed table).
func Rows(t *testing.T, out string, res ...string) {
	t.Helper()
	for _, re := range res {
		if !regexp.MustCompile(`(?m)^ +` + re + ` *$`).MatchString(out) {
			t.Errorf("output does not match %q\n%s", re, out)
		}
	}
}

// Step returns the output of the step numbered n ("n. title"), up to the
// next step.
func Step(t *testing.T, out string, n int) string {
	t.Helper()
	head := "\n" + strconv.Itoa(n) + ". "
	i := strings.Index(out, head)
	if i < 0 {
		t.Fatalf("no step %d in\n%s", n, out)
	}
	s := out[i+1:]
	if j := strings.Index(s, "\n"+strconv.Itoa(n+1)+". "); j >= 0 {
		s = s[:j]
	}
	return s
}

// Section returns the output from the step labelled from up to the step
// labelled to (to "" means the end); labels are such as "3." or "2b.".
func Section(t *testing.T, out, from, to string) string {
	t.Helper()
	i := strings.Index(out, "\n"+from+" ")
	if i < 0 {
		t.Fatalf("no step %s in\n%s", from, out)
	}
	s := out[i:]
	if to != "" {
		j := strings.Index(s, "\n"+to+" ")
		if j < 0 {
			t.Fatalf("no step %s in\n%s", to, out)
		}
		s = s[:j]
	}
	return s
}

// goSyntax matches a value printed in Go's syntax for slices and maps:
// "[a b]", "[]", `["a" "b"]`, "map[k:v]".
var goSyntax = regexp.MustCompile(`\[[^\]\n]*\]`)

// Plain fails the test for every line of out that shows a value in Go's
// syntax for slices or maps: the examples print lists as words or tables.
func Plain(t *testing.T, out string) {
	t.Helper()
	for _, line := range strings.Split(out, "\n") {
		if goSyntax.MatchString(line) {
			t.Errorf("output prints Go syntax: %q", line)
		}
	}
}
