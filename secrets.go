package lifeline

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"sync/atomic"

	"golang.org/x/crypto/argon2"

	"github.com/lifeline-go/lifeline/errs"
)

// HashParams is the cost of the argon2id hash that passwords and voicemail
// PINs are stored as. Nothing else of a secret is ever stored.
type HashParams struct {
	// Time is the number of passes over memory.
	Time uint32
	// MemoryKiB is the memory used, in KiB.
	MemoryKiB uint32
	// Threads is the parallelism.
	Threads uint8
}

// DefaultHashParams returns OWASP's argon2id recommendation: 2 passes over
// 19 MiB, one thread.
func DefaultHashParams() HashParams { return HashParams{Time: 2, MemoryKiB: 19 * 1024, Threads: 1} }

// Bounds of HashParams: past them one hash takes minutes or gigabytes.
const (
	MaxHashTime      = 64
	MaxHashMemoryKiB = 1 << 20 // 1 GiB
	MaxHashThreads   = 64
)

func (p HashParams) validate() error {
	if p.Time < 1 || p.MemoryKiB < 8 || p.Threads < 1 {
		return errs.E(errs.Invalid, "lifeline.New", "hash params %+v: time, memory (>= 8 KiB) and threads must be positive", p)
	}
	if p.Time > MaxHashTime || p.MemoryKiB > MaxHashMemoryKiB || p.Threads > MaxHashThreads {
		return errs.E(errs.Invalid, "lifeline.New", "hash params %+v: at most %d passes, %d KiB and %d threads", p, MaxHashTime, MaxHashMemoryKiB, MaxHashThreads)
	}
	return nil
}

// hashSecret returns a PHC string: $argon2id$v=19$m=..,t=..,p=..$salt$hash.
func (p HashParams) hashSecret(secret string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic("lifeline: reading random bytes: " + err.Error())
	}
	key := argon2.IDKey([]byte(secret), salt, p.Time, p.MemoryKiB, p.Threads, 32)
	enc := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, p.MemoryKiB, p.Time, p.Threads,
		enc.EncodeToString(salt), enc.EncodeToString(key))
}

// verifySecret reports whether secret matches a hash from hashSecret, using
// the parameters recorded in the hash.
func verifySecret(hash, secret string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false
	}
	var p HashParams
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &p.MemoryKiB, &p.Time, &p.Threads); err != nil || p.validate() != nil {
		return false
	}
	enc := base64.RawStdEncoding
	salt, err1 := enc.DecodeString(parts[4])
	want, err2 := enc.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false
	}
	got := argon2.IDKey([]byte(secret), salt, p.Time, p.MemoryKiB, p.Threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}

// MaxHashConcurrency bounds [WithHashConcurrency].
const MaxHashConcurrency = 4096

// hashLimit bounds how many argon2id computations (hashing and verifying)
// a Service runs at once. Each holds the hash's memory (19 MiB at the
// default cost) for its duration, so without a bound a login storm of n
// requests holds n times that: a slot is taken before the computation and
// given back after it, and a caller waits for one.
type hashLimit struct {
	slots chan struct{}
	// done counts finished computations, for [Service.HashStats].
	done atomic.Int64
}

func newHashLimit(n int) *hashLimit { return &hashLimit{slots: make(chan struct{}, n)} }

// run runs f in a slot, waiting for one until ctx ends. A caller that gives
// up gets an errs.Unavailable error that wraps ctx's error, so errors.Is
// with context.Canceled or context.DeadlineExceeded sees why.
func (l *hashLimit) run(ctx context.Context, op string, f func()) error {
	if err := ctx.Err(); err != nil {
		return errs.Tell(errs.Wrap(errs.Unavailable, op, err, "the request ended before the password could be checked"),
			"The request ended before the password could be checked. Try again.")
	}
	select {
	case l.slots <- struct{}{}:
	case <-ctx.Done():
		return errs.Tell(errs.Wrap(errs.Unavailable, op, ctx.Err(), "too many passwords are being checked at once, and the request ended while waiting; try again"),
			"Too many people are signing in at once, and the request ended while it waited. Try again.")
	}
	defer func() {
		<-l.slots
		l.done.Add(1)
	}()
	f()
	return nil
}

// hashSecret hashes secret at the service's cost, in a slot of its hash
// limit. Never call it inside a transaction: it would hold the store's
// writer for the hash, and for the wait before it.
func (s *Service) hashSecret(ctx context.Context, op, secret string) (string, error) {
	var h string
	err := s.hashes.run(ctx, op, func() { h = s.hash.hashSecret(secret) })
	return h, err
}

// verifySecret checks secret against hash, in a slot of the service's hash
// limit. An empty hash (no secret set) is checked against a dummy hash, so
// that the call costs the same whether or not there was anything to match;
// it never matches.
func (s *Service) verifySecret(ctx context.Context, op, hash, secret string) (bool, error) {
	ok := false
	err := s.hashes.run(ctx, op, func() {
		if hash == "" {
			verifySecret(s.dummyHash(), secret)
			return
		}
		ok = verifySecret(hash, secret)
	})
	return ok, err
}

// dummyHash returns a hash of a random secret at the service's cost, made
// once: what a password is checked against when there is no user or no
// password, so that a refusal takes as long as a wrong password does.
func (s *Service) dummyHash() string {
	s.dummyOnce.Do(func() {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			panic("lifeline: reading random bytes: " + err.Error())
		}
		s.dummy = s.hash.hashSecret(string(b))
	})
	return s.dummy
}

// HashStats describes a Service's password hashing.
type HashStats struct {
	// Limit is how many hashes may run at once ([WithHashConcurrency]).
	Limit int
	// Running is how many run now.
	Running int
	// Done counts the hashes and verifications finished since the Service
	// was made, refused or matching alike.
	Done int64
}

// HashStats reports the service's password hashing: its limit, how many
// hashes run now and how many have finished. A host can export it as a
// metric; tests count with it that a refused sign-in did the same work as
// an accepted one.
func (s *Service) HashStats() HashStats {
	return HashStats{Limit: cap(s.hashes.slots), Running: len(s.hashes.slots), Done: s.hashes.done.Load()}
}
