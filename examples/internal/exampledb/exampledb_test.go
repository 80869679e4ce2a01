package exampledb

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestOnFileRemovesItsTempDir(t *testing.T) {
	var seen string
	boom := errors.New("boom")
	err := onFile("probe", "", func(_ context.Context, db string) error {
		seen = db
		if err := os.WriteFile(db, []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("onFile returned %v, want run's error", err)
	}
	if filepath.Base(seen) != "lifeline.db" {
		t.Fatalf("run got %q, want a lifeline.db in a temp dir", seen)
	}
	if _, err := os.Stat(filepath.Dir(seen)); !os.IsNotExist(err) {
		t.Fatalf("the temp dir %s is still there (%v)", filepath.Dir(seen), err)
	}
}

func TestOnFileUsesTheGivenFile(t *testing.T) {
	want := filepath.Join(t.TempDir(), "mine.db")
	var got string
	if err := onFile("probe", want, func(_ context.Context, db string) error { got = db; return nil }); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("run got %q, want %q", got, want)
	}
}
