package lifeline

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

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
