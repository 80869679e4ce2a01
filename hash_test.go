package lifeline

import (
	"context"
	"errors"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

func TestHashSecret(t *testing.T) {
	p := HashParams{Time: 1, MemoryKiB: 64, Threads: 1}
	h := p.hashSecret("correct horse")
	if strings.Contains(h, "correct") || !strings.HasPrefix(h, "$argon2id$v=19$m=64,t=1,p=1$") {
		t.Fatalf("hash %q", h)
	}
	if h2 := p.hashSecret("correct horse"); h2 == h {
		t.Fatal("two hashes of one secret are equal: no salt")
	}
	if !verifySecret(h, "correct horse") || verifySecret(h, "correct horsf") || verifySecret("garbage", "x") {
		t.Fatal("verifySecret disagrees with hashSecret")
	}
}

// TestHashLimit checks the hash limit: never more hashes at once than the
// limit, a caller waits for a slot, and one whose context ends while it
// waits gets an errs.Unavailable error that wraps the context's error.
func TestHashLimit(t *testing.T) {
	const limit = 2
	l := newHashLimit(limit)
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			err := l.run(context.Background(), "test", func() {
				n := running.Add(1)
				for {
					m := most.Load()
					if n <= m || most.CompareAndSwap(m, n) {
						break
					}
				}
				time.Sleep(2 * time.Millisecond)
				running.Add(-1)
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if m := most.Load(); m > limit {
		t.Errorf("%d hashes ran at once; the limit is %d", m, limit)
	}
	if d := l.done.Load(); d != 16 {
		t.Errorf("done = %d, want 16", d)
	}

	s := &Service{hash: HashParams{Time: 1, MemoryKiB: 64, Threads: 1}, hashes: newHashLimit(1)}
	s.hashes.slots <- struct{}{} // someone else's hash holds the only slot
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	_, err := s.hashSecret(ctx, "user.set-password", "correct horse")
	if errs.KindOf(err) != errs.Unavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("hashing while the limit is full until the deadline: %v, want an unavailable error wrapping the deadline", err)
	}
	if _, err := s.verifySecret(ctx, "user.verify-password", "", "x"); errs.KindOf(err) != errs.Unavailable || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("verifying with an ended context: %v, want an unavailable error wrapping the deadline", err)
	}
	if st := s.HashStats(); st.Limit != 1 || st.Running != 1 || st.Done != 0 {
		t.Errorf("HashStats = %+v, want limit 1, 1 running, 0 done", st)
	}
	<-s.hashes.slots
	h, err := s.hashSecret(context.Background(), "user.set-password", "correct horse")
	if err != nil || !verifySecret(h, "correct horse") {
		t.Errorf("hashing with a free slot: %q, %v", h, err)
	}
	if ok, err := s.verifySecret(context.Background(), "user.verify-password", "", "correct horse"); ok || err != nil {
		t.Errorf("verifying against no hash: %t, %v; want false after a dummy check", ok, err)
	}
	if st := s.HashStats(); st.Running != 0 || st.Done != 2 {
		t.Errorf("HashStats = %+v, want 0 running, 2 done", st)
	}
}

// TestHashConcurrencyOption refuses a hash limit out of range.
func TestHashConcurrencyOption(t *testing.T) {
	st := struct{ store.Store }{}
	for _, n := range []int{0, -1, MaxHashConcurrency + 1} {
		if _, err := New(st, WithHashConcurrency(n)); errs.KindOf(err) != errs.Invalid {
			t.Errorf("WithHashConcurrency(%d): %v, want an invalid-input error", n, err)
		}
	}
	s, err := New(st)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := s.HashStats().Limit, runtime.GOMAXPROCS(0); got != want {
		t.Errorf("default hash limit %d, want GOMAXPROCS = %d", got, want)
	}
}
