package lifeline

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// Service is the facade services and portals call. Every method that
// changes something runs as one store transaction, reads the clock once, and
// appends an audit record; a method that fails changes nothing. A Service is
// safe for concurrent use.
type Service struct {
	st         store.Store
	clock      clock.Clock
	policy     lifecycle.Policy
	quarantine numbers.Quarantine
	log        *slog.Logger
	hash       HashParams
}

// Option configures [New].
type Option func(*Service)

// WithClock sets the clock the service reads time from (default: the real
// clock). Tests and examples pass a clock.Mock to move time.
func WithClock(c clock.Clock) Option { return func(s *Service) { s.clock = c } }

// WithPolicy sets the deletion policy (default lifecycle.DefaultPolicy()).
func WithPolicy(p lifecycle.Policy) Option { return func(s *Service) { s.policy = p } }

// WithQuarantine sets how long a reserved number stays away from anyone but
// its last holder (default 7 days; 0 allowed).
func WithQuarantine(d time.Duration) Option {
	return func(s *Service) { s.quarantine = numbers.Quarantine{Period: d} }
}

// WithLogger sets the logger (default slog.Default()).
func WithLogger(l *slog.Logger) Option { return func(s *Service) { s.log = l } }

// WithHashParams sets the cost of password and PIN hashing (default
// [DefaultHashParams]). Lower it only in tests.
func WithHashParams(p HashParams) Option { return func(s *Service) { s.hash = p } }

// New returns a Service on st. It refuses an invalid policy, quarantine or
// hash cost with an errs.Invalid error.
func New(st store.Store, opts ...Option) (*Service, error) {
	if st == nil {
		return nil, errs.E(errs.Invalid, "lifeline.New", "no store given")
	}
	s := &Service{
		st:         st,
		clock:      clock.New(),
		policy:     lifecycle.DefaultPolicy(),
		quarantine: numbers.DefaultQuarantine(),
		log:        slog.Default(),
		hash:       DefaultHashParams(),
	}
	for _, o := range opts {
		o(s)
	}
	if err := s.policy.Validate(); err != nil {
		return nil, err
	}
	if err := s.quarantine.Validate(); err != nil {
		return nil, err
	}
	if err := s.hash.validate(); err != nil {
		return nil, err
	}
	return s, nil
}

// Policy returns the deletion policy in force.
func (s *Service) Policy() lifecycle.Policy { return s.policy }

// Now returns the service clock's current time, in UTC.
func (s *Service) Now() time.Time { return s.clock.Now().UTC() }

// op is one operation's context: who acts, when, in which transaction.
type op struct {
	name  string
	actor Actor
	now   time.Time
	tx    store.Tx
}

// update runs fn as one write transaction after checking the actor; the
// clock is read once, before the transaction, so a retried transaction sees
// the same instant.
func (s *Service) update(ctx context.Context, name string, actor Actor, fn func(ctx context.Context, o *op) error) error {
	if err := actor.validate(name); err != nil {
		return err
	}
	o := &op{name: name, actor: actor, now: s.Now()}
	err := s.st.Update(ctx, func(tx store.Tx) error {
		o.tx = tx
		return fn(ctx, o)
	})
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelDebug, "lifeline: operation refused", slog.String("op", name),
			slog.String("actor", actor.ID), slog.String("kind", errs.KindOf(err).String()), slog.String("error", err.Error()))
	}
	return err
}

// view runs fn in a read-only transaction.
func (s *Service) view(ctx context.Context, name string, actor Actor, fn func(ctx context.Context, o *op) error) error {
	if err := actor.validate(name); err != nil {
		return err
	}
	o := &op{name: name, actor: actor, now: s.Now()}
	return s.st.View(ctx, func(tx store.Tx) error {
		o.tx = tx
		return fn(ctx, o)
	})
}

// audit appends one record stamped with the operation's actor and instant.
func (o *op) audit(ctx context.Context, r store.AuditRecord) error {
	r.At = o.now
	r.ActorID = o.actor.ID
	r.ActorRole = string(o.actor.Role)
	r.OnBehalfOf = o.actor.OnBehalfOf
	if r.Action == "" {
		r.Action = o.name
	}
	_, err := o.tx.AppendAudit(ctx, r)
	return err
}

func newID(prefix string) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("lifeline: reading random bytes: " + err.Error())
	}
	return prefix + hex.EncodeToString(b[:])
}
