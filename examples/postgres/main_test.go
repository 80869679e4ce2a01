package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/examples/internal/exampletest"
	"github.com/lifeline-go/lifeline/internal/pgtest"
)

func TestMain(m *testing.M) {
	code := m.Run()
	pgtest.StopShared()
	os.Exit(code)
}

// section returns the table printed after the step whose title contains
// title.
func section(t *testing.T, out, title string) string {
	t.Helper()
	for _, s := range strings.Split(out, "\n== ")[1:] {
		if head, _, _ := strings.Cut(s, "\n"); strings.Contains(head, title) {
			return s
		}
	}
	t.Fatalf("no step %q in the output:\n%s", title, out)
	return ""
}

func TestRun(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	var out bytes.Buffer
	if err := run(context.Background(), dsn, &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	exampletest.Plain(t, got)
	t.Logf("output:\n%s", got)
	for _, tc := range []struct {
		step string
		want []string
	}{
		{"6 seats", []string{"seat pool: 1 of 6 assigned", "Margaret Hamilton", "margaret@acme.example"}},
		{"create Ada", []string{"Password Required", "Ada Lovelace", "ada@acme.example", "+1650253", "seat pool: 2 of 6"}},
		{"sets her password", []string{"Active", "Ada Lovelace"}},
		{"suspend Ada", []string{"Suspended"}},
		{"reinstate Ada", []string{"Active"}},
		{"reset", []string{"Setup Required", "+1650253"}},
		{"recycle", []string{"Password Required", "Grace Hopper", "grace@acme.example"}},
		{"delete Grace", []string{"Deleted", "seat pool: 1 of 6", "reserved: +1650253", "last held by Grace Hopper"}},
		{"restore Grace", []string{"Password Required", "Grace Hopper", "seat pool: 2 of 6"}},
		{"delete Grace again", []string{"Deleted", "reserved: +1650253"}},
		{"sweeper runs", []string{"Anonymized", "last held by anonymized", "seat pool: 1 of 6"}},
	} {
		s := section(t, got, tc.step)
		for _, w := range tc.want {
			if !strings.Contains(s, w) {
				t.Errorf("after %q the output lacks %q:\n%s", tc.step, w, s)
			}
		}
	}
	if s := section(t, got, "sweeper runs"); strings.Contains(s, "Grace") || strings.Contains(s, "grace@") {
		t.Errorf("the anonymized user's name or email is still shown:\n%s", s)
	}

	// Again on the same database: migrations are already applied, and a new
	// company and a free number are used.
	if err := run(context.Background(), dsn, io.Discard); err != nil {
		t.Fatalf("second run: %v", err)
	}
}

func TestParseArgs(t *testing.T) {
	env := func(v string) func(string) string {
		return func(k string) string {
			if k == envDSN {
				return v
			}
			return ""
		}
	}
	for _, tc := range []struct {
		name    string
		args    []string
		env     string
		want    string
		wantErr bool
	}{
		{"flag", []string{"-dsn", "host=/tmp dbname=a"}, "", "host=/tmp dbname=a", false},
		{"env", nil, "postgres://localhost/b", "postgres://localhost/b", false},
		{"flag wins", []string{"-dsn=x"}, "y", "x", false},
		{"neither", nil, "", "", true},
		{"stray argument", []string{"x"}, "y", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var stderr bytes.Buffer
			got, err := parseArgs(tc.args, env(tc.env), &stderr)
			if (err != nil) != tc.wantErr || got != tc.want {
				t.Fatalf("parseArgs = %q, %v; want %q, error %v", got, err, tc.want, tc.wantErr)
			}
			if tc.wantErr && !strings.Contains(stderr.String(), "usage: postgres") {
				t.Errorf("no usage message on stderr: %q", stderr.String())
			}
		})
	}
}
