package relay_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/internal/crashtest"
	"github.com/lifeline-go/lifeline/relay"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// crashChildEnv names the directory a relay child process works in.
const crashChildEnv = "LIFELINE_RELAY_CRASH_CHILD"

// fileSink appends each delivered event's id to a file, one line each,
// and reports the count on standard output when report is set. Each
// delivery takes latency first, as a network round trip would, so that a
// kill finds deliveries under way.
type fileSink struct {
	mu      sync.Mutex
	f       *os.File
	n       atomic.Int64
	report  bool
	latency time.Duration
}

func (s *fileSink) Deliver(_ context.Context, e *relay.CloudEvent) error {
	time.Sleep(s.latency)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.f.WriteString(e.ID + "\n"); err != nil {
		return err
	}
	n := s.n.Add(1)
	if s.report {
		fmt.Printf("delivered:%d\n", n)
	}
	return nil
}

func openFileSink(t *testing.T, path string, report bool) *fileSink {
	t.Helper()
	f, err := os.OpenFile(path, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return &fileSink{f: f, report: report}
}

// TestCrashChild is the relay the crash test kills: it runs only as that
// test's child process.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashChildEnv)
	if dir == "" {
		t.Skip("runs as TestRelayKilledMidBatch's child process")
	}
	st, err := sqlite.Open(bg, filepath.Join(dir, "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	sink := openFileSink(t, filepath.Join(dir, "delivered"), true)
	sink.latency = 5 * time.Millisecond
	r := newRelay(t, relay.Config{Service: newService(t, st, nil), Sink: sink,
		Batch: 50, Concurrency: 4, Lease: time.Second})
	if err := r.Run(bg); err != nil {
		t.Fatal(err)
	}
}

// TestRelayKilledMidBatch SIGKILLs a relay process in the middle of a
// batch, then runs a relay again on the same database: every event is
// delivered, none is lost or parked. Those the killed relay delivered but
// had not acknowledged are delivered twice (at least once).
func TestRelayKilledMidBatch(t *testing.T) {
	const events = 600
	dir := t.TempDir()
	st, err := sqlite.Open(bg, filepath.Join(dir, "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	for i := 0; i < events; i += 100 {
		batch := make([]lifeline.OutboxEvent, 0, 100)
		for j := i; j < i+100; j++ {
			batch = append(batch, event("cmp_a", j))
		}
		appendEvents(t, st, batch...)
	}
	killedAt := crashtest.KillAfter(t, "TestCrashChild", crashChildEnv+"="+dir, "delivered:", 170)
	left := pending(t, st)
	if left == 0 || left == events {
		t.Fatalf("%d of %d events pending after the kill: the relay was not killed mid-way", left, events)
	}

	// The restarted relay waits out the killed one's leases (1s) and
	// delivers the rest.
	sink := openFileSink(t, filepath.Join(dir, "delivered"), false)
	ctx, stop := context.WithCancel(bg)
	r := newRelay(t, relay.Config{Service: newService(t, st, nil), Sink: sink, Idle: 50 * time.Millisecond, Lease: time.Second})
	done := make(chan error)
	go func() { done <- r.Run(ctx) }()
	deadline := time.Now().Add(15 * time.Second)
	for pending(t, st) > 0 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := pending(t, st); n != 0 {
		t.Fatalf("%d events still pending after the restart", n)
	}
	b, err := os.ReadFile(filepath.Join(dir, "delivered"))
	if err != nil {
		t.Fatal(err)
	}
	times := map[string]int{}
	for _, id := range strings.Fields(string(b)) {
		times[id]++
	}
	twice := 0
	for j := range events {
		id := event("cmp_a", j).ID
		if times[id] == 0 {
			t.Errorf("event %s was never delivered", id)
		}
		twice += times[id] - 1
	}
	if s := r.Stats(); s.Dead != 0 {
		t.Errorf("the restarted relay parked %d events", s.Dead)
	}
	t.Logf("killed after %d deliveries with %d events pending; %d delivered again after the restart", killedAt, left, twice)
}
