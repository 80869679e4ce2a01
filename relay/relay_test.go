package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/relay"
	"github.com/lifeline-go/lifeline/store"
)

var quiet = slog.New(slog.DiscardHandler)

func newRelay(t *testing.T, cfg relay.Config) *relay.Relay {
	t.Helper()
	if cfg.Logger == nil {
		cfg.Logger = quiet
	}
	r, err := relay.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func runOnce(t *testing.T, r *relay.Relay) int {
	t.Helper()
	n, err := r.RunOnce(bg)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBackoff checks the waits by hand: 1s doubled per attempt, capped at
// 8s, less up to half of it at random.
func TestBackoff(t *testing.T) {
	svc, _ := newSQLite(t, nil)
	for _, c := range []struct {
		random  float64
		attempt int
		want    time.Duration
	}{
		{0, 1, time.Second}, {0, 2, 2 * time.Second}, {0, 3, 4 * time.Second}, {0, 4, 8 * time.Second},
		{0, 5, 8 * time.Second}, {0, 60, 8 * time.Second},
		{0.5, 1, 750 * time.Millisecond}, {0.5, 4, 6 * time.Second},
		{0.999, 3, 2*time.Second + 2*time.Millisecond},
	} {
		r := newRelay(t, relay.Config{Service: svc, Sink: relay.Func(nil), MinBackoff: time.Second, MaxBackoff: 8 * time.Second,
			Random: func() float64 { return c.random }})
		if got := r.Backoff(c.attempt); got != c.want {
			t.Errorf("Backoff(%d) with random %v = %s, want %s", c.attempt, c.random, got, c.want)
		}
	}
}

// TestRetryThenDead fails an event on every delivery: it comes back after
// 1s, 2s and 4s (never earlier), and its fourth failure parks it dead with
// the sink's error as the reason.
func TestRetryThenDead(t *testing.T) {
	mock := clock.NewMock()
	mock.Set(start.Add(time.Hour))
	svc, st := newSQLite(t, mock)
	var tries atomic.Int32
	r := newRelay(t, relay.Config{Service: svc, Clock: mock, MaxAttempts: 4, MinBackoff: time.Second, MaxBackoff: time.Minute,
		Random: func() float64 { return 0 },
		Sink: relay.Func(func(context.Context, *relay.CloudEvent) error {
			tries.Add(1)
			return errors.New("carrier answered 503")
		})})
	e := event("cmp_a", 1)
	appendEvents(t, st, e)
	if n := runOnce(t, r); n != 1 {
		t.Fatalf("first claim took %d events, want 1", n)
	}
	for _, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		mock.Add(wait - time.Millisecond)
		if n := runOnce(t, r); n != 0 {
			t.Fatalf("a claim %s before the %s backoff ended took %d events", time.Millisecond, wait, n)
		}
		mock.Add(time.Millisecond)
		if n := runOnce(t, r); n != 1 {
			t.Fatalf("a claim once the %s backoff ended took %d events, want 1", wait, n)
		}
	}
	if got := tries.Load(); got != 4 {
		t.Errorf("the sink was called %d times, want 4", got)
	}
	dead, ok := deadEvent(t, st, "cmp_a", e.ID)
	if !ok {
		t.Fatal("the event is not dead after its fourth failure")
	}
	if dead.LastError != "carrier answered 503" || dead.Attempts != 4 {
		t.Errorf("dead event: reason %q after %d attempts, want %q after 4", dead.LastError, dead.Attempts, "carrier answered 503")
	}
	if s := r.Stats(); s.Retried != 3 || s.Dead != 1 || s.Delivered != 0 {
		t.Errorf("stats %+v, want 3 retried and 1 dead", s)
	}
}

// TestPermanentIsDeadAtOnce parks an event whose sink says retrying will
// not help, at its first attempt, with the reason.
func TestPermanentIsDeadAtOnce(t *testing.T) {
	svc, st := newSQLite(t, nil)
	r := newRelay(t, relay.Config{Service: svc, Sink: relay.Func(func(context.Context, *relay.CloudEvent) error {
		return relay.Permanent(errors.New("the endpoint answered 410 Gone"))
	})})
	e := event("cmp_a", 1)
	appendEvents(t, st, e)
	runOnce(t, r)
	dead, ok := deadEvent(t, st, "cmp_a", e.ID)
	if !ok || dead.LastError != "the endpoint answered 410 Gone" || dead.Attempts != 1 {
		t.Fatalf("after a permanent failure: dead %v, reason %q, attempts %d; want dead, the sink's reason, 1 attempt", ok, dead.LastError, dead.Attempts)
	}
}

// TestEnvelope delivers one event of each kind and reads the CloudEvents
// JSON as a receiver in another language would: as a plain JSON object.
func TestEnvelope(t *testing.T) {
	svc, st := newSQLite(t, nil)
	var mu sync.Mutex
	var got []map[string]any
	r := newRelay(t, relay.Config{Service: svc, Source: "https://pbx.example/lifeline", Concurrency: 1,
		Sink: relay.Func(func(_ context.Context, e *relay.CloudEvent) error {
			var m map[string]any
			if err := json.Unmarshal(e.JSON(), &m); err != nil {
				return err
			}
			mu.Lock()
			got = append(got, m)
			mu.Unlock()
			return nil
		})})
	appendEvents(t, st,
		lifeline.OutboxEvent{ID: "evt_1", CompanyID: "cmp_a", Kind: lifeline.EventDeleteAudio, SubjectID: "rec_9",
			Payload: `{"owner_id":"usr_7"}`, CreatedAt: start},
		lifeline.OutboxEvent{ID: "evt_2", CompanyID: "cmp_a", Kind: lifeline.EventWelcomeEmail, SubjectID: "usr_7",
			Payload: `{}`, CreatedAt: start.Add(1500 * time.Millisecond)})
	runOnce(t, r)
	want := []map[string]any{
		{"specversion": "1.0", "id": "evt_1", "source": "https://pbx.example/lifeline", "type": "recording.delete-audio",
			"time": "2026-05-04T08:00:00Z", "subject": "rec_9", "datacontenttype": "application/json", "companyid": "cmp_a",
			"data": map[string]any{"company_id": "cmp_a", "subject_id": "rec_9", "owner_id": "usr_7"}},
		{"specversion": "1.0", "id": "evt_2", "source": "https://pbx.example/lifeline", "type": "user.welcome-email",
			"time": "2026-05-04T08:00:01.5Z", "subject": "usr_7", "datacontenttype": "application/json", "companyid": "cmp_a",
			"data": map[string]any{"company_id": "cmp_a", "subject_id": "usr_7"}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("CloudEvents (-want +got):\n%s", diff)
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events pending after delivery, want 0", n)
	}
}

// TestStopReleasesUnsent stops the relay while it delivers the first of
// three events: that one is acknowledged, the two never handed over are
// given back with their attempt, so the next claim sees them at attempt 1.
func TestStopReleasesUnsent(t *testing.T) {
	svc, st := newSQLite(t, nil)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	var sent []string
	r := newRelay(t, relay.Config{Service: svc, Concurrency: 1, Sink: relay.Func(func(_ context.Context, e *relay.CloudEvent) error {
		sent = append(sent, e.ID)
		cancel()
		return nil
	})})
	appendEvents(t, st, event("cmp_a", 1), event("cmp_a", 2), event("cmp_a", 3))
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{event("cmp_a", 1).ID}, sent); diff != "" {
		t.Errorf("sent (-want +got):\n%s", diff)
	}
	if s := r.Stats(); s.Delivered != 1 || s.Released != 2 {
		t.Errorf("stats %+v, want 1 delivered and 2 released", s)
	}
	got, err := svc.ClaimEvents(bg, system, time.Minute, 10)
	if err != nil {
		t.Fatal(err)
	}
	var attempts []int
	for _, e := range got {
		attempts = append(attempts, e.Attempts)
	}
	if diff := cmp.Diff([]int{1, 1}, attempts); diff != "" {
		t.Errorf("attempts of the released events at their next claim (-want +got):\n%s", diff)
	}
}

// TestStopGrace stops the relay during a delivery that never ends by
// itself: after StopGrace the delivery is cancelled and the event
// released, not lost.
func TestStopGrace(t *testing.T) {
	svc, st := newSQLite(t, nil)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	r := newRelay(t, relay.Config{Service: svc, StopGrace: 50 * time.Millisecond, Sink: relay.Func(func(dctx context.Context, e *relay.CloudEvent) error {
		cancel()
		<-dctx.Done()
		return dctx.Err()
	})})
	appendEvents(t, st, event("cmp_a", 1))
	if err := r.Run(ctx); err != nil {
		t.Fatal(err)
	}
	if s := r.Stats(); s.Released != 1 {
		t.Errorf("stats %+v, want 1 released", s)
	}
	if n := pending(t, st); n != 1 {
		t.Errorf("%d events pending, want the released one", n)
	}
}

// TestRenewKeepsLongDelivery runs a delivery of 2.5 leases: the relay
// renews the lease, so a second relay claims nothing meanwhile and the
// first acknowledges the event.
func TestRenewKeepsLongDelivery(t *testing.T) {
	svc, st := newSQLite(t, nil)
	release := make(chan struct{})
	r := newRelay(t, relay.Config{Service: svc, Lease: time.Second, Sink: relay.Func(func(context.Context, *relay.CloudEvent) error {
		<-release
		return nil
	})})
	other := newRelay(t, relay.Config{Service: svc, Lease: time.Second, Sink: relay.Func(func(context.Context, *relay.CloudEvent) error {
		t.Error("a second relay got the event while the first still delivered it")
		return nil
	})})
	appendEvents(t, st, event("cmp_a", 1))
	done := make(chan int)
	go func() { n, _ := r.RunOnce(bg); done <- n }()
	for range 5 {
		time.Sleep(500 * time.Millisecond)
		runOnce(t, other)
	}
	close(release)
	<-done
	if s := r.Stats(); s.Delivered != 1 || s.LeaseLost != 0 {
		t.Errorf("stats %+v, want 1 delivered and no lease lost", s)
	}
}

// unavailableAcks is a store whose first acknowledgements fail as a
// PostgreSQL store's do once conflicting transactions ran out of retries.
type unavailableAcks struct {
	store.Store
	failures atomic.Int32
}

type unavailableAckTx struct {
	store.Tx
	s *unavailableAcks
}

func (s *unavailableAcks) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(unavailableAckTx{tx, s}) })
}

func (tx unavailableAckTx) AckEvent(ctx context.Context, id, token string, now time.Time) error {
	if tx.s.failures.Add(-1) >= 0 {
		return errs.E(errs.Unavailable, "test.AckEvent", "gave up after 10 tries: concurrent transactions kept conflicting")
	}
	return tx.Tx.AckEvent(ctx, id, token, now)
}

// TestAckRetriedWhenUnavailable has the store refuse the first three
// acknowledgements as unavailable: the relay offers the outcome again and
// the event is acknowledged, not left to come back when its lease ends.
func TestAckRetriedWhenUnavailable(t *testing.T) {
	_, st := newSQLite(t, nil)
	flaky := &unavailableAcks{Store: st}
	flaky.failures.Store(3)
	r := newRelay(t, relay.Config{Service: newService(t, flaky, nil),
		Sink: relay.Func(func(context.Context, *relay.CloudEvent) error { return nil })})
	appendEvents(t, st, event("cmp_a", 1))
	runOnce(t, r)
	if s := r.Stats(); s.Delivered != 1 || s.SettleErrors != 0 {
		t.Errorf("stats %+v, want 1 delivered and no outcome lost", s)
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events pending, want 0", n)
	}
}
