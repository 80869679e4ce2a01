package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
)

func TestQuickstart(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), filepath.Join(t.TempDir(), "q.db"), &out); err != nil {
		t.Fatalf("run: %v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Ada Lovelace  ada@acme.example",
		"Password Required",
		"Active",
		"Suspended",
		"Setup Required",
		"Grace Hopper",
		"Deleted",
		"last held by Grace Hopper",
		"restore refused",
		"sweep: 1 anonymized, 0 overdue",
		"Anonymized",
		"last held by anonymized",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q\n%s", want, got)
		}
	}
	// Only the anonymized user's ghost may remain: no trace of her name in
	// the last table.
	last := got[strings.LastIndex(got, "\n10. "):]
	if strings.Contains(last, "Grace") {
		t.Errorf("the last table still names Grace:\n%s", last)
	}
}
