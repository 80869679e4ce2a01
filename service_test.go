package lifeline_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// TestNewRefusesOptionsThatWouldFailLater checks that New refuses, as
// invalid input, options with which the first operation would panic or run
// for hours.
func TestNewRefusesOptionsThatWouldFailLater(t *testing.T) {
	st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "opts.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for _, c := range []struct {
		name string
		opt  lifeline.Option
	}{
		{"WithClock(nil)", lifeline.WithClock(nil)},
		{"WithLogger(nil)", lifeline.WithLogger(nil)},
		{"MaxUint32 KiB of hash memory", lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 1<<32 - 1, Threads: 1})},
		{"MaxUint32 hash passes", lifeline.WithHashParams(lifeline.HashParams{Time: 1<<32 - 1, MemoryKiB: 64, Threads: 1})},
		{"255 hash threads", lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 255})},
		{"no hash passes", lifeline.WithHashParams(lifeline.HashParams{MemoryKiB: 64, Threads: 1})},
		{"a negative quarantine", lifeline.WithQuarantine(-1)},
	} {
		if _, err := lifeline.New(st, c.opt); !errs.Is(err, errs.Invalid) {
			t.Errorf("New with %s: %v, want an invalid-input error", c.name, err)
		}
	}
	if _, err := lifeline.New(st, lifeline.WithHashParams(lifeline.HashParams{Time: lifeline.MaxHashTime, MemoryKiB: 64, Threads: 1})); err != nil {
		t.Errorf("New at the bounds: %v", err)
	}
}
