package relay

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
)

// Config configures a [Relay]. Service and Sink are required; every other
// field has a default.
type Config struct {
	// Service is the lifeline service whose outbox the relay delivers.
	Service *lifeline.Service
	// Actor runs the outbox operations; it must be a system principal
	// trusted across companies. Default: lifeline.System("relay").
	Actor lifeline.Actor
	// Sink receives every event.
	Sink Sink
	// Source is the CloudEvents source of the events. Default:
	// DefaultSource.
	Source string
	// Batch is how many events one claim takes, 1 to 1000. Default 100.
	Batch int
	// Concurrency is how many events of a batch are delivered at once.
	// Default 2. On PostgreSQL every acknowledgement is a serializable
	// transaction that conflicts with the claims of other relays: four
	// relays delivering 2 at once each ran 30 times faster than four
	// delivering 4 at once each, whose acknowledgements ran out of
	// retries and waited out their leases.
	Concurrency int
	// Lease is how long a claim keeps other relays off an event, 1s to
	// 24h; a delivery still running is renewed every third of it. Default
	// 30s.
	Lease time.Duration
	// MaxAttempts is how many deliveries an event gets before it is parked
	// dead. Default lifeline.DefaultMaxAttempts.
	MaxAttempts int
	// MinBackoff and MaxBackoff bound the wait before an event that failed
	// is tried again. Defaults 1s and 10m; MaxBackoff is at most 24h.
	MinBackoff, MaxBackoff time.Duration
	// Idle is the wait before the next claim when the outbox had nothing
	// to deliver or could not be read. Default 1s.
	Idle time.Duration
	// StopGrace is how long deliveries already handed to the sink may run
	// on once Run's context ends. Default 10s.
	StopGrace time.Duration
	// Clock is read for the relay's waits (idle, lease renewal, stop
	// grace). The outbox itself reads the Service's clock. Default: the
	// real clock.
	Clock clock.Clock
	// Random returns a number in [0, 1) for the backoff's jitter. Default:
	// math/rand/v2's Float64.
	Random func() float64
	// Logger receives the relay's failures. Default: slog.Default().
	Logger *slog.Logger
}

// Stats counts what a relay did since it was made.
type Stats struct {
	// Claimed counts events claimed; Delivered, those the sink took and
	// the outbox acknowledged.
	Claimed, Delivered int64
	// Retried counts failed deliveries set to be tried again after a
	// backoff; Dead, failures that parked the event (permanent, or its
	// last attempt).
	Retried, Dead int64
	// Released counts claims given back unused because the relay stopped.
	Released int64
	// LeaseLost counts deliveries whose lease another relay took (their
	// outcome is left to that relay), and acknowledgements refused for
	// that reason (the event was delivered twice).
	LeaseLost int64
	// SettleErrors counts acknowledgements or failures the outbox could
	// not record; those events come back when their lease ends.
	SettleErrors int64
}

// Relay delivers the outbox of a lifeline service to a [Sink]. See the
// package documentation.
type Relay struct {
	cfg Config
	log *slog.Logger

	claimed, delivered, retried, dead, released, leaseLost, settleErrors atomic.Int64
}

// New checks cfg, fills in its defaults and returns the relay.
func New(cfg Config) (*Relay, error) {
	const op = "relay.New"
	if cfg.Service == nil {
		return nil, errs.E(errs.Invalid, op, "no service: give the lifeline service whose outbox to deliver")
	}
	if cfg.Sink == nil {
		return nil, errs.E(errs.Invalid, op, "no sink: give where the events go")
	}
	if cfg.Actor == (lifeline.Actor{}) {
		cfg.Actor = lifeline.System("relay")
	}
	if !cfg.Actor.IsSystem() || cfg.Actor.SystemCompany() != "" {
		return nil, errs.E(errs.Invalid, op, "the relay's actor must be a system principal trusted across companies")
	}
	if cfg.Source == "" {
		cfg.Source = DefaultSource
	}
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	def(&cfg.Lease, 30*time.Second)
	def(&cfg.MinBackoff, time.Second)
	def(&cfg.MaxBackoff, 10*time.Minute)
	def(&cfg.Idle, time.Second)
	def(&cfg.StopGrace, 10*time.Second)
	if cfg.Batch == 0 {
		cfg.Batch = 100
	}
	if cfg.Concurrency == 0 {
		cfg.Concurrency = 2
	}
	if cfg.MaxAttempts == 0 {
		cfg.MaxAttempts = lifeline.DefaultMaxAttempts
	}
	switch {
	case cfg.Batch < 1 || cfg.Batch > 1000:
		return nil, errs.E(errs.Invalid, op, "batch %d: give 1 to 1000", cfg.Batch)
	case cfg.Concurrency < 1:
		return nil, errs.E(errs.Invalid, op, "concurrency %d must be positive", cfg.Concurrency)
	case cfg.Lease < time.Second || cfg.Lease > 24*time.Hour:
		return nil, errs.E(errs.Invalid, op, "lease %s: give 1s to 24h", cfg.Lease)
	case cfg.MaxAttempts < 1:
		return nil, errs.E(errs.Invalid, op, "max attempts %d must be positive", cfg.MaxAttempts)
	case cfg.MinBackoff < 0 || cfg.MaxBackoff < cfg.MinBackoff || cfg.MaxBackoff > 24*time.Hour:
		return nil, errs.E(errs.Invalid, op, "backoff %s to %s: give a minimum up to a maximum of at most 24h", cfg.MinBackoff, cfg.MaxBackoff)
	case cfg.Idle < 0 || cfg.StopGrace < 0:
		return nil, errs.E(errs.Invalid, op, "the idle wait and the stop grace must not be negative")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.New()
	}
	if cfg.Random == nil {
		cfg.Random = rand.Float64
	}
	log := cfg.Logger
	if log == nil {
		log = slog.Default()
	}
	return &Relay{cfg: cfg, log: log}, nil
}

// Stats returns what the relay did so far.
func (r *Relay) Stats() Stats {
	return Stats{
		Claimed: r.claimed.Load(), Delivered: r.delivered.Load(), Retried: r.retried.Load(), Dead: r.dead.Load(),
		Released: r.released.Load(), LeaseLost: r.leaseLost.Load(), SettleErrors: r.settleErrors.Load(),
	}
}

// Backoff returns the wait before attempt+1 of an event whose attempt-th
// delivery failed: MinBackoff doubled for each attempt after the first,
// capped at MaxBackoff, of which a random half is taken off (jitter, so
// that events failing together do not come back together). It is between
// half of that cap and the cap itself.
func (r *Relay) Backoff(attempt int) time.Duration {
	d := r.cfg.MinBackoff
	for i := 1; i < attempt && d < r.cfg.MaxBackoff; i++ {
		d *= 2
	}
	d = min(d, r.cfg.MaxBackoff)
	return d - time.Duration(r.cfg.Random()*float64(d/2))
}

// Run delivers the outbox until ctx ends, then returns nil once every
// event it had claimed is settled: acknowledged, failed, or released for
// the next claim. Failures to read or write the outbox are logged and
// retried after the idle wait; Run returns an error only if the relay's
// actor is refused.
func (r *Relay) Run(ctx context.Context) error {
	for {
		n, err := r.RunOnce(ctx)
		if ctx.Err() != nil {
			return nil
		}
		if errors.Is(err, errs.ErrForbidden) || errors.Is(err, errs.ErrUnauthenticated) {
			return err
		}
		if err != nil {
			r.log.Error("relay: claiming outbox events failed", "err", err)
		}
		if err != nil || n < r.cfg.Batch {
			t := r.cfg.Clock.Timer(r.cfg.Idle)
			select {
			case <-ctx.Done():
				t.Stop()
				return nil
			case <-t.C:
			}
		}
	}
}

// RunOnce claims one batch, delivers it and settles every event of it. It
// returns how many events it claimed. Once ctx ends, events not yet handed
// to the sink are released; those handed over get StopGrace to finish.
func (r *Relay) RunOnce(ctx context.Context) (int, error) {
	if ctx.Err() != nil {
		return 0, nil
	}
	// A claim is never cut off half-way: its events would stay leased,
	// unseen, until their lease ended.
	events, err := lifeline.Do(context.WithoutCancel(ctx), r.cfg.Service, r.cfg.Actor, lifeline.ClaimEvents{
		Lease: r.cfg.Lease, Limit: r.cfg.Batch, MaxAttempts: r.cfg.MaxAttempts,
	})
	if err != nil {
		return 0, err
	}
	r.claimed.Add(int64(len(events)))
	work := make(chan lifeline.OutboxEvent)
	var wg sync.WaitGroup
	for range min(r.cfg.Concurrency, len(events)) {
		wg.Go(func() {
			for e := range work {
				r.handle(ctx, e)
			}
		})
	}
	for _, e := range events {
		work <- e
	}
	close(work)
	wg.Wait()
	return len(events), nil
}

// settleTries is how many times an outcome is offered to a store that
// answers it is unavailable.
const settleTries = 5

var (
	errStopped   = errors.New("the relay stopped before the delivery finished")
	errLeaseLost = errors.New("another relay claimed the event: its lease ran out")
)

// handle delivers one claimed event and settles it.
func (r *Relay) handle(ctx context.Context, e lifeline.OutboxEvent) {
	if ctx.Err() != nil {
		r.settle(ctx, e, lifeline.FailEvent{Release: true}, &r.released)
		return
	}
	ce, err := Envelope(r.cfg.Source, e)
	if err != nil {
		r.settle(ctx, e, lifeline.FailEvent{Reason: err.Error(), Permanent: true}, &r.dead)
		return
	}
	dctx, cancel := context.WithCancelCause(context.WithoutCancel(ctx))
	defer cancel(nil)
	done := make(chan struct{})
	kept := make(chan struct{})
	go func() {
		defer close(kept)
		r.keep(ctx, e, done, cancel)
	}()
	err = r.cfg.Sink.Deliver(dctx, ce)
	close(done)
	<-kept
	cause := context.Cause(dctx)
	switch {
	case errors.Is(cause, errLeaseLost):
		r.leaseLost.Add(1)
	case err == nil:
		r.settle(ctx, e, lifeline.AckEvent{}, &r.delivered)
	case errors.Is(cause, errStopped):
		r.settle(ctx, e, lifeline.FailEvent{Release: true}, &r.released)
	case IsPermanent(err):
		r.settle(ctx, e, lifeline.FailEvent{Reason: err.Error(), Permanent: true}, &r.dead)
	case e.Attempts >= r.cfg.MaxAttempts:
		r.settle(ctx, e, lifeline.FailEvent{Reason: err.Error(), MaxAttempts: r.cfg.MaxAttempts}, &r.dead)
	default:
		r.settle(ctx, e, lifeline.FailEvent{Reason: err.Error(), MaxAttempts: r.cfg.MaxAttempts,
			RetryAfter: r.Backoff(e.Attempts)}, &r.retried)
	}
}

// keep renews e's lease while its delivery runs, until done closes. When
// the lease turns out lost, or ctx has ended StopGrace ago, it cancels the
// delivery with the reason.
func (r *Relay) keep(ctx context.Context, e lifeline.OutboxEvent, done <-chan struct{}, cancel context.CancelCauseFunc) {
	tick := r.cfg.Clock.Ticker(r.cfg.Lease / 3)
	defer tick.Stop()
	stop := ctx.Done()
	var grace <-chan time.Time
	for {
		select {
		case <-done:
			return
		case <-stop:
			stop = nil
			t := r.cfg.Clock.Timer(r.cfg.StopGrace)
			defer t.Stop()
			grace = t.C
		case <-grace:
			cancel(errStopped)
			return
		case <-tick.C:
			_, err := lifeline.Do(context.WithoutCancel(ctx), r.cfg.Service, r.cfg.Actor,
				lifeline.RenewEvent{ID: e.ID, Token: e.LeaseToken, Lease: r.cfg.Lease})
			if errors.Is(err, errs.ErrConflict) {
				cancel(errLeaseLost)
				return
			}
			if err != nil {
				r.log.Error("relay: renewing an event's lease failed", "event", e.ID, "err", err)
			}
		}
	}
}

// settle records the outcome of e's delivery: op is an AckEvent or a
// FailEvent, completed here with e's id and lease token. It runs even
// after ctx ended: an outcome not recorded would be redelivered.
func (r *Relay) settle(ctx context.Context, e lifeline.OutboxEvent, op any, count *atomic.Int64) {
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var err error
	// A store that gave up on conflicting transactions (errs.Unavailable)
	// is asked again a few times: an outcome not recorded costs a
	// redelivery once the lease ends.
	for try := 1; ; try++ {
		switch x := op.(type) {
		case lifeline.AckEvent:
			x.ID, x.Token = e.ID, e.LeaseToken
			_, err = lifeline.Do(sctx, r.cfg.Service, r.cfg.Actor, x)
		case lifeline.FailEvent:
			x.ID, x.Token = e.ID, e.LeaseToken
			_, err = lifeline.Do(sctx, r.cfg.Service, r.cfg.Actor, x)
		default:
			panic(fmt.Sprintf("relay: settling with %T", op))
		}
		if try == settleTries || !errors.Is(err, errs.ErrUnavailable) {
			break
		}
		t := r.cfg.Clock.Timer(time.Duration(try) * 50 * time.Millisecond)
		select {
		case <-sctx.Done():
			t.Stop()
		case <-t.C:
		}
	}
	switch {
	case err == nil:
		count.Add(1)
		if count == &r.dead {
			r.log.Warn("relay: an event was parked among the dead events", "event", e.ID, "type", e.Kind, "company", e.CompanyID)
		}
	case errors.Is(err, errs.ErrConflict):
		r.leaseLost.Add(1)
		r.log.Warn("relay: another relay holds the event now; it was delivered more than once", "event", e.ID)
	default:
		r.settleErrors.Add(1)
		r.log.Error("relay: recording a delivery's outcome failed; the event comes back when its lease ends", "event", e.ID, "err", err)
	}
}
