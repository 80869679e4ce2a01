package lifeline

import (
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// Service is the facade services and portals call. Every method is a thin
// wrapper over one [Operation] run by one runner: it prepares the operation
// outside the transaction, authorizes the actor against lifeline's own role
// data, applies the rules, writes the audit trail from the operation's
// effects and commits, all in one store transaction that reads the clock
// once; an operation that fails changes nothing. A Service is safe for
// concurrent use.
type Service struct {
	st         store.Store
	clock      clock.Clock
	policy     lifecycle.Policy
	quarantine numbers.Quarantine
	log        *slog.Logger
	hash       HashParams
	hashN      int
	hashes     *hashLimit
	dummyOnce  sync.Once
	dummy      string
	// reads holds a *readStats per kind of read (readKey): see
	// Service.view.
	reads sync.Map
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

// WithHashConcurrency sets how many password and PIN hashes (and password
// checks) may run at once (default runtime.GOMAXPROCS(0), at least 1, at
// most [MaxHashConcurrency]). Each holds the hash's memory while it runs
// (19 MiB at [DefaultHashParams]), so n bounds the memory of hashing to n
// times that, however many people sign in at once; more callers wait their
// turn, and one whose context ends while it waits gets an errs.Unavailable
// error wrapping the context's error.
func WithHashConcurrency(n int) Option { return func(s *Service) { s.hashN = n } }

// New returns a Service on st. It refuses an invalid policy, quarantine or
// hash cost or hash concurrency with an errs.Invalid error.
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
		hashN:      runtime.GOMAXPROCS(0),
	}
	for _, o := range opts {
		o(s)
	}
	if s.clock == nil {
		return nil, errs.E(errs.Invalid, "lifeline.New", "WithClock(nil): give a clock, or leave the option out for the real one")
	}
	if s.log == nil {
		return nil, errs.E(errs.Invalid, "lifeline.New", "WithLogger(nil): give a logger, or leave the option out for slog.Default()")
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
	if s.hashN < 1 || s.hashN > MaxHashConcurrency {
		return nil, errs.E(errs.Invalid, "lifeline.New", "WithHashConcurrency(%d): allow from 1 to %d hashes at once", s.hashN, MaxHashConcurrency)
	}
	s.hashes = newHashLimit(s.hashN)
	return s, nil
}

// Policy returns the deletion policy in force.
func (s *Service) Policy() lifecycle.Policy { return s.policy }

// Now returns the service clock's current time, in UTC.
func (s *Service) Now() time.Time { return s.clock.Now().UTC() }

func newID(prefix string) string {
	var b [10]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("lifeline: reading random bytes: " + err.Error())
	}
	return prefix + hex.EncodeToString(b[:])
}
