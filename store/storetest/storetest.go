package storetest

import (
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// Harness makes stores for the suite.
//
// NewStore returns a store the calling test may use. It may return the same
// store to several subtests as long as the data each subtest writes stays
// apart from the others': the suite scopes every subtest to its own company
// and its own phone numbers, so one database can host them all. NewStore
// must register the store's Close (and the removal of anything it created)
// with t.Cleanup, and call t.Fatal if it cannot make a store. The state
// machine calls NewStore once (once per [Config.Parallel] worker) and
// shares the store between the sequences it runs.
type Harness interface {
	NewStore(t *testing.T) store.Store
}

// HarnessFunc adapts a function to [Harness].
type HarnessFunc func(t *testing.T) store.Store

// NewStore calls f(t).
func (f HarnessFunc) NewStore(t *testing.T) store.Store { return f(t) }

// Config adjusts [RunConformance].
type Config struct {
	// DeadlineCalls is how many writes, and as many reads, the Deadlines
	// group issues under random 0–4 ms deadlines; 0 means
	// [DefaultDeadlineCalls]. Under -short it issues a quarter of them.
	DeadlineCalls int
}

// RunConformance runs the store contract against stores made by h: one
// subtest per behaviour, grouped as Store/..., Deadlines/... and so on.
// Optional upgrades the store lacks are skipped. The Close group runs last
// and closes the store it is given.
func RunConformance(t *testing.T, h Harness, cfg Config) {
	groups := []struct {
		name  string
		tests []namedTest
	}{
		{"Store", storeTests},
		{"Deadlines", deadlineTests(cfg)},
		{"Recordings", recordingTests},
		{"Outbox", outboxTests},
		{"Search", searchTests},
		{"Contract", contractTests},
		{"Close", closeTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) { tc.fn(t, h) })
			}
		})
	}
}

type namedTest struct {
	name string
	fn   func(t *testing.T, h Harness)
}

// epoch is the instant the suite's records carry; its nanoseconds check
// that stores keep full precision.
var epoch = time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)

// window is the default restore window.
const window = 72 * time.Hour

// Fataler is what the checks need of *testing.T and *rapid.T.
type Fataler interface {
	Helper()
	Fatalf(format string, args ...any)
}

// WantErr checks err against the wanted outcome: success when want is
// empty, else an error that errors.Is every wanted sentinel and that has a
// lifeline error kind (so it is never a raw backend error such as "database
// is locked").
func WantErr(t Fataler, what string, err error, want ...error) {
	t.Helper()
	if len(want) == 0 {
		if err != nil {
			t.Fatalf("%s: %v (kind %v), want success", what, err, errs.KindOf(err))
		}
		return
	}
	if err == nil {
		t.Fatalf("%s succeeded, want an error matching %v", what, describeErrs(want))
	}
	for _, w := range want {
		if !errors.Is(err, w) {
			t.Fatalf("%s: got %v (kind %v), want an error matching %v", what, err, errs.KindOf(err), describeErrs(want))
		}
	}
	if errs.KindOf(err) == errs.Other {
		t.Fatalf("%s: got %v, whose errs.KindOf is %q: want a typed refusal", what, err, errs.KindOf(err))
	}
}

func describeErrs(want []error) string {
	s := ""
	for i, w := range want {
		if i > 0 {
			s += " and "
		}
		if e, ok := w.(*errs.Error); ok {
			s += "errs.Err(" + e.Kind.String() + ")"
		} else {
			s += fmt.Sprintf("%q", w.Error())
		}
	}
	return s
}

// UID returns prefix followed by 16 random hex digits.
func UID(prefix string) string {
	var b [8]byte
	_, _ = crand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// Phone numbers. Every number the suite adds comes from one of these
// counters, so numbers never collide between subtests sharing a store; each
// counter starts at a random point of its range, so a database that keeps
// numbers from an earlier run is unlikely to collide either.
var (
	numberInit sync.Once
	usLocalSeq atomic.Uint64 // +1 650 [2-9]xx xxxx: 8 000 000 local numbers
	gbLocalSeq atomic.Uint64 // +44 20 79xx xxxx: 1 000 000 local numbers
	usFreeSeq  atomic.Uint64 // +1 800 [2-9]xx xxxx: 8 000 000 toll-free numbers
)

func initNumbers() {
	numberInit.Do(func() {
		usLocalSeq.Store(rand.Uint64N(8_000_000))
		gbLocalSeq.Store(rand.Uint64N(1_000_000))
		usFreeSeq.Store(rand.Uint64N(8_000_000))
	})
}

// FreshLocal returns a local number of country ("US" or "GB") that no other
// call returned in this process.
func FreshLocal(country string) string {
	initNumbers()
	for {
		var raw string
		switch country {
		case "US":
			raw = fmt.Sprintf("+1650%07d", 2_000_000+usLocalSeq.Add(1)%8_000_000)
		case "GB":
			raw = fmt.Sprintf("+442079%06d", gbLocalSeq.Add(1)%1_000_000)
		default:
			panic("storetest: no number range for country " + country)
		}
		if p, err := numbers.Parse(raw, ""); err == nil && p.Kind == numbers.KindLocal {
			return p.E164
		}
	}
}

// FreshTollFree returns a US toll-free number no other call returned.
func FreshTollFree() string {
	initNumbers()
	for {
		raw := fmt.Sprintf("+1800%07d", 2_000_000+usFreeSeq.Add(1)%8_000_000)
		if p, err := numbers.Parse(raw, ""); err == nil && p.Kind == numbers.KindTollFree {
			return p.E164
		}
	}
}

// UnusedNumber is a valid number that no call to FreshLocal returns: the
// suites ask for it to get "not found".
const UnusedNumber = "+442071234567"

// has reports whether the transactions of s's store implement the optional
// upgrade T (store.Search and the rest).
func has[T any](s *seeded) bool {
	s.t.Helper()
	var ok bool
	s.view("probing an upgrade", func(tx store.Tx) error { _, ok = tx.(T); return nil })
	return ok
}

// require skips the test unless the transactions of s's store implement
// the optional upgrade T. Called outside a transaction, so that the skip
// leaves none open.
func require[T any](s *seeded) {
	s.t.Helper()
	if !has[T](s) {
		s.t.Skipf("the store's transactions do not implement %v", reflect.TypeFor[T]())
	}
}
