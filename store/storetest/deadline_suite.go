package storetest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
)

// DefaultDeadlineCalls is the number of writes, and of reads, the Deadlines
// group issues when [Config.DeadlineCalls] is 0.
const DefaultDeadlineCalls = 1000

// deadlineTests check the promise that a context ending at any moment never
// leaves a write half-done or misreported, nor a connection unusable.
func deadlineTests(cfg Config) []namedTest {
	calls := cfg.DeadlineCalls
	if calls <= 0 {
		calls = DefaultDeadlineCalls
	}
	if testing.Short() {
		calls = max(calls/4, 1)
	}
	return []namedTest{
		{"AllOrNothing", func(t *testing.T, h Harness) { RunDeadlineStorm(t, h.NewStore(t), calls) }},
		{"BusyStore", testDeadlineBusyStore},
	}
}

// testDeadlineBusyStore checks that a call honours its deadline while it
// waits for the store: with a write and more reads than a pool has
// connections held open, a write and a read under a 50 ms deadline return
// within 2 s (an error, or success if the store had room), and the write
// is in the store exactly when it returned nil.
func testDeadlineBusyStore(t *testing.T, h Harness) {
	const holders = 64
	st := h.NewStore(t)
	bg := context.Background()
	release := make(chan struct{})
	var once sync.Once
	free := func() { once.Do(func() { close(release) }) }
	defer free()
	updateIn, viewIn := make(chan struct{}, 1), make(chan struct{}, holders)
	holdErrs := make(chan error, holders+1)
	var wg sync.WaitGroup
	waitIn := func(in chan struct{}, who string) {
		t.Helper()
		select {
		case <-in:
		case err := <-holdErrs:
			t.Fatalf("a holder ended before the calls under test: %v", err)
		case <-time.After(10 * time.Second):
			t.Fatalf("the %s did not start within 10 s", who)
		}
	}
	// The writing holder goes first and is waited for: on a store whose
	// writes and reads share one pool (PostgreSQL), readers that took
	// every connection first would keep it out until the end.
	wg.Go(func() {
		holdErrs <- st.Update(bg, func(store.Tx) error { updateIn <- struct{}{}; <-release; return nil })
	})
	waitIn(updateIn, "writing holder")
	for range holders {
		wg.Go(func() {
			holdErrs <- st.View(bg, func(store.Tx) error { viewIn <- struct{}{}; <-release; return nil })
		})
	}
	waitIn(viewIn, "reading holders")
	time.Sleep(100 * time.Millisecond) // let the other holders take what connections there are
	// Whatever the calls under test do, the holders let go 5 s from now
	// (counted from here: on a loaded machine the holders take a while to
	// get in, and must not be sent home before the calls run).
	timer := time.AfterFunc(5*time.Second, free)
	defer timer.Stop()

	c := licensing.Company{ID: UID("busy"), Name: "Busy", Tier: licensing.Standard}
	var writeErr error
	for _, call := range []struct {
		name string
		do   func(ctx context.Context) error
	}{
		{"Update", func(ctx context.Context) error {
			writeErr = st.Update(ctx, func(tx store.Tx) error { return tx.InsertCompany(ctx, c) })
			return writeErr
		}},
		{"View", func(ctx context.Context) error {
			return st.View(ctx, func(tx store.Tx) error {
				if _, err := tx.GetCompany(ctx, c.ID); err != nil && !errors.Is(err, errs.ErrNotFound) {
					return err
				}
				return nil
			})
		}},
	} {
		ctx, cancel := context.WithTimeout(bg, 50*time.Millisecond)
		start := time.Now()
		err := call.do(ctx)
		took := time.Since(start)
		cancel()
		t.Logf("%s under a 50 ms deadline on a busy store: %v after %v", call.name, err, took.Round(time.Millisecond))
		if took > 2*time.Second {
			t.Errorf("%s under a 50 ms deadline returned after %v: it waited for the store past its deadline", call.name, took.Round(time.Millisecond))
		}
	}
	free()
	wg.Wait()
	close(holdErrs)
	for err := range holdErrs {
		if err != nil {
			t.Errorf("a holder with a background context failed: %v", err)
		}
	}
	err := st.View(bg, func(tx store.Tx) error { _, err := tx.GetCompany(bg, c.ID); return err })
	switch {
	case writeErr == nil && err != nil:
		t.Errorf("the write returned nil but GetCompany gives %v", err)
	case writeErr != nil && !errors.Is(err, errs.ErrNotFound):
		t.Errorf("the write returned %v but GetCompany gives %v, want not found", writeErr, err)
	}
}

// DeadlineReport is what [RunDeadlineStorm] observed.
type DeadlineReport struct {
	Writes   int // writes issued under a short deadline
	WritesOK int // of them, those that returned nil
	// WritesFailed is every write that returned an error: WritesExpired
	// had a context that was already over when the call was made,
	// WritesCutShort had theirs end while they ran (or waited to run),
	// WritesUnavailable failed with errs.Unavailable on a live context
	// (contention: allowed, as long as nothing was written), and the rest
	// are counted in Spurious.
	WritesFailed      int
	WritesExpired     int
	WritesCutShort    int
	WritesUnavailable int

	Reads       int // reads issued under a short deadline
	ReadsOK     int
	ReadsFailed int

	// Probes is how many calls with a 10 s timeout the storm mixed in.
	Probes int

	// The violations; every one must be 0.
	FailedButCommitted  int // returned an error, yet the company or its office is in the store
	CommittedButMissing int // returned nil, yet the company or its office is missing or wrong
	TornReads           int // a read saw the company without its office or the office without it
	Spurious            int // a short-deadline call failed while its context was still live
	ProbesFailed        int // a probe failed: the storm left the store unusable for a while
	Stuck               int // a call with a live context failed after the storm

	// Overshoot is how long after their deadline the short-deadline calls
	// that have one returned: the median, the 99th percentile and the
	// longest. Logged, not checked: it depends on the machine.
	Overshoot [3]time.Duration

	Storm, Verify, After time.Duration
}

// RunDeadlineStorm issues calls writes and calls reads on st from four
// goroutines, each call under a random deadline of 0 to 4 ms (some already
// over when the call is made) or a context cancelled from another goroutine
// after a random 0 to 4 ms. Every write inserts a fresh company and one
// office in one transaction, so a cancellation can land between the two
// statements; every read looks up a company and its offices. About one call
// in ten is followed by a probe, a write or read with a 10 s timeout, which
// must succeed: a connection the storm broke must not be handed out again.
//
// Afterwards, with contexts that do not end, it checks the store's promise:
// a write that returned nil left both rows, a write that returned an error
// left neither, no read saw one row without the other, and no call failed
// while its context was live. It then runs writes and more concurrent reads
// than any pool has connections, each under a 10 s timeout, which must all
// succeed and see those writes: a connection left inside a transaction, or
// broken, fails them or shows them an old snapshot.
//
// The test fails on any violation, and also when no short-deadline write
// succeeded or none was cut short while it ran (the deadlines would then
// prove nothing). It logs the counts and returns them, so a store's own test
// can check more on the same store.
func RunDeadlineStorm(t *testing.T, st store.Store, calls int) DeadlineReport {
	const (
		workers    = 4
		maxDelay   = 4 * time.Millisecond
		probeEvery = 10               // one call in probeEvery is followed by a probe
		patient    = 10 * time.Second // the probes' and the final checks' timeout
		chunk      = 250              // companies checked per read transaction when verifying
	)
	seed1, seed2 := rand.Uint64(), rand.Uint64()
	prefix := UID("dl") + "-"
	company := func(id string) licensing.Company {
		return licensing.Company{ID: prefix + id, Name: "Deadline " + id, Tier: licensing.Standard}
	}
	office := func(id string) licensing.Office {
		return licensing.Office{ID: prefix + id + "-office", CompanyID: prefix + id, Name: "HQ", Country: "US", PriceLevel: "standard"}
	}
	write := func(ctx context.Context, id string) error {
		return st.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertCompany(ctx, company(id)); err != nil {
				return err
			}
			return tx.InsertOffice(ctx, office(id))
		})
	}
	// patientWrite is write for a live context: it tries again after
	// errs.Unavailable (contention, which changes nothing), a few times.
	patientWrite := func(ctx context.Context, id string) error {
		for try := 1; ; try++ {
			err := write(ctx, id)
			if try == 5 || errs.KindOf(err) != errs.Unavailable || ctx.Err() != nil {
				return err
			}
		}
	}
	// read looks a company up and reports whether it saw it without its
	// office or the office without it.
	read := func(ctx context.Context, id string) (torn bool, err error) {
		err = st.View(ctx, func(tx store.Tx) error {
			_, gerr := tx.GetCompany(ctx, prefix+id)
			if gerr != nil && !errors.Is(gerr, errs.ErrNotFound) {
				return gerr
			}
			offices, lerr := tx.ListOffices(ctx, prefix+id)
			if lerr != nil {
				return lerr
			}
			torn = (gerr == nil) != (len(offices) == 1)
			return nil
		})
		return torn && err == nil, err
	}
	stormID := func(i int) string { return fmt.Sprintf("s%d", i) }

	type outcome struct {
		id     string
		issued bool
		err    error
	}
	var (
		rep      = DeadlineReport{Writes: calls, Reads: calls}
		outcomes = make([]outcome, calls) // the short-deadline writes, by number
		probes   []outcome                // the probe writes
		nextW    atomic.Int64
		nextR    atomic.Int64
		mu       sync.Mutex // guards rep, probes, overs and samples while goroutines run
		samples  []string
		overs    []time.Duration
	)
	sample := func(format string, args ...any) {
		if len(samples) < 10 {
			samples = append(samples, fmt.Sprintf(format, args...))
		}
	}
	// shortCtx returns the context of one storm call: 5% already over,
	// 20% cancelled from another goroutine after a random delay, the rest
	// with a deadline drawn uniformly from 0 to 4 ms.
	shortCtx := func(r *rand.Rand) (context.Context, context.CancelFunc) {
		d := time.Duration(r.Int64N(int64(maxDelay) + 1))
		switch p := r.IntN(100); {
		case p < 5:
			return context.WithDeadline(context.Background(), time.Now())
		case p < 25:
			ctx, cancel := context.WithCancel(context.Background())
			timer := time.AfterFunc(d, cancel)
			return ctx, func() { timer.Stop(); cancel() }
		default:
			return context.WithTimeout(context.Background(), d)
		}
	}
	// pick returns a company a read looks up: one whose write was issued,
	// is under way or is still to come.
	pick := func(r *rand.Rand) string {
		return stormID(r.IntN(int(min(nextW.Load()+1, int64(calls)))))
	}
	probe := func(r *rand.Rand, w, n int) {
		ctx, cancel := context.WithTimeout(context.Background(), patient)
		defer cancel()
		if r.IntN(2) == 0 {
			id := fmt.Sprintf("p%d-%d", w, n)
			err := patientWrite(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			rep.Probes++
			probes = append(probes, outcome{id: id, issued: true, err: err})
			if err != nil {
				rep.ProbesFailed++
				sample("probe write %s failed: %v", id, err)
			}
			return
		}
		id := pick(r)
		torn, err := read(ctx, id)
		mu.Lock()
		defer mu.Unlock()
		rep.Probes++
		if err != nil {
			rep.ProbesFailed++
			sample("probe read of %s failed: %v", id, err)
		}
		if torn {
			rep.TornReads++
			sample("probe read of %s saw the company and its offices disagree", id)
		}
	}

	start := time.Now()
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(seed1, seed2+uint64(w)))
			for n := 0; ; n++ {
				// A write or a read, at random, until both are used up.
				i, doWrite := -1, r.IntN(2) == 0
				if doWrite {
					if i = int(nextW.Add(1)) - 1; i >= calls {
						doWrite = false
					}
				}
				if !doWrite {
					if i = int(nextR.Add(1)) - 1; i >= calls {
						if i = int(nextW.Add(1)) - 1; i >= calls {
							return
						}
						doWrite = true
					}
				}
				ctx, cancel := shortCtx(r)
				wasOver := ctx.Err() != nil
				// stillLive reports whether ctx was still live when the call
				// returned: not done, and its deadline not passed by the
				// clock. Under load a context's timer fires late, so a
				// dial that saw the deadline pass (and says "i/o
				// timeout") can return while ctx.Err() is still nil.
				stillLive := func() bool {
					d, ok := ctx.Deadline()
					return ctx.Err() == nil && (!ok || time.Now().Before(d))
				}
				overshoot := func() {
					if d, ok := ctx.Deadline(); ok && !wasOver {
						over := max(time.Since(d), 0)
						mu.Lock()
						overs = append(overs, over)
						mu.Unlock()
					}
				}
				if doWrite {
					err := write(ctx, stormID(i))
					live := stillLive()
					overshoot()
					cancel()
					outcomes[i] = outcome{id: stormID(i), issued: true, err: err}
					if err != nil {
						mu.Lock()
						switch {
						case wasOver:
							rep.WritesExpired++
						case !live:
							rep.WritesCutShort++
						case errs.KindOf(err) == errs.Unavailable:
							rep.WritesUnavailable++
						default:
							rep.Spurious++
							sample("write %d failed on a live context: %v", i, err)
						}
						mu.Unlock()
					}
				} else {
					id := pick(r)
					torn, err := read(ctx, id)
					live := stillLive()
					overshoot()
					cancel()
					mu.Lock()
					if err == nil {
						rep.ReadsOK++
					} else {
						rep.ReadsFailed++
						if live {
							rep.Spurious++
							sample("read of %s failed on a live context: %v", id, err)
						}
					}
					if torn {
						rep.TornReads++
						sample("read of %s saw the company and its offices disagree", id)
					}
					mu.Unlock()
				}
				if r.IntN(probeEvery) == 0 {
					probe(r, w, n)
				}
			}
		})
	}
	wg.Wait()
	rep.Storm = time.Since(start)
	if len(overs) > 0 {
		slices.Sort(overs)
		rep.Overshoot = [3]time.Duration{overs[len(overs)/2], overs[len(overs)*99/100], overs[len(overs)-1]}
	}

	// Check every write with contexts that do not end.
	start = time.Now()
	bg := context.Background()
	all := slices.Concat(outcomes, probes)
	for lo := 0; lo < len(all); lo += chunk {
		hi := min(lo+chunk, len(all))
		err := st.View(bg, func(tx store.Tx) error {
			for _, o := range all[lo:hi] {
				if !o.issued {
					return errors.New("a write was never issued")
				}
				c, cerr := tx.GetCompany(bg, prefix+o.id)
				if cerr != nil && !errors.Is(cerr, errs.ErrNotFound) {
					return cerr
				}
				offs, lerr := tx.ListOffices(bg, prefix+o.id)
				if lerr != nil {
					return lerr
				}
				_, oerr := tx.GetOffice(bg, office(o.id).ID)
				if oerr != nil && !errors.Is(oerr, errs.ErrNotFound) {
					return oerr
				}
				hasCompany, hasOffice := cerr == nil, oerr == nil
				storm := o.id[0] == 's'
				if o.err == nil {
					if storm {
						rep.WritesOK++
					}
					if !hasCompany || !hasOffice || c != company(o.id) || len(offs) != 1 || offs[0] != office(o.id) {
						rep.CommittedButMissing++
						sample("write %s returned nil but the store has company=%v office=%v offices=%v", o.id, hasCompany, hasOffice, offs)
					}
					continue
				}
				if storm {
					rep.WritesFailed++
				}
				if hasCompany || hasOffice || len(offs) != 0 {
					rep.FailedButCommitted++
					sample("write %s returned %q but the store has company=%v office=%v", o.id, o.err, hasCompany, hasOffice)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatalf("verifying writes %d..%d: %v", lo, hi-1, err)
		}
	}
	rep.Verify = time.Since(start)

	// No connection may be left stuck: writes, then more concurrent reads
	// than a pool has connections (each holding its transaction a moment so
	// the reads spread over every connection), then writes again; every one
	// must succeed and the reads must see the writes made before them.
	start = time.Now()
	const afterWrites, afterReads = 8, 24
	ctx, cancel := context.WithTimeout(bg, patient)
	defer cancel()
	var stuck []string
	note := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		rep.Stuck++
		if len(stuck) < 10 {
			stuck = append(stuck, fmt.Sprintf(format, args...))
		}
	}
	afterID := func(round, k int) string { return fmt.Sprintf("a%d-%d", round, k) }
	writeAll := func(round int) {
		var wg sync.WaitGroup
		for k := range afterWrites {
			wg.Go(func() {
				if err := patientWrite(ctx, afterID(round, k)); err != nil {
					note("write %s after the storm: %v", afterID(round, k), err)
				}
			})
		}
		wg.Wait()
	}
	writeAll(0)
	for k := range afterReads {
		wg.Go(func() {
			err := st.View(ctx, func(tx store.Tx) error {
				for j := range afterWrites {
					id := prefix + afterID(0, j)
					if _, err := tx.GetCompany(ctx, id); err != nil {
						return fmt.Errorf("company %s written before this read: %w", id, err)
					}
					offs, err := tx.ListOffices(ctx, id)
					if err != nil {
						return err
					}
					if len(offs) != 1 {
						return fmt.Errorf("company %s written before this read has %d offices, want 1", id, len(offs))
					}
				}
				select {
				case <-time.After(20 * time.Millisecond):
					return nil
				case <-ctx.Done():
					return ctx.Err()
				}
			})
			if err != nil {
				note("read %d after the storm: %v", k, err)
			}
		})
	}
	wg.Wait()
	writeAll(1)
	rep.After = time.Since(start)

	t.Logf("%d writes: %d ok, %d failed (%d with the context already over, %d cut short while running, %d unavailable); "+
		"%d reads: %d ok, %d failed; %d probes; storm %v, verify %v, after %v; "+
		"returned after the deadline by %v median, %v p99, %v at most (seeds %d, %d)",
		rep.Writes, rep.WritesOK, rep.WritesFailed, rep.WritesExpired, rep.WritesCutShort, rep.WritesUnavailable,
		rep.Reads, rep.ReadsOK, rep.ReadsFailed, rep.Probes,
		rep.Storm.Round(time.Millisecond), rep.Verify.Round(time.Millisecond), rep.After.Round(time.Millisecond),
		rep.Overshoot[0].Round(time.Microsecond), rep.Overshoot[1].Round(time.Microsecond), rep.Overshoot[2].Round(time.Microsecond), seed1, seed2)
	t.Logf("failed-but-committed %d, committed-but-missing %d, torn reads %d, spurious failures %d, failed probes %d, stuck after the storm %d",
		rep.FailedButCommitted, rep.CommittedButMissing, rep.TornReads, rep.Spurious, rep.ProbesFailed, rep.Stuck)
	for _, s := range samples {
		t.Log(s)
	}
	for _, s := range stuck {
		t.Log(s)
	}
	if rep.FailedButCommitted != 0 {
		t.Errorf("%d writes returned an error but their rows are in the store", rep.FailedButCommitted)
	}
	if rep.CommittedButMissing != 0 {
		t.Errorf("%d writes returned nil but their rows are not (all) in the store", rep.CommittedButMissing)
	}
	if rep.TornReads != 0 {
		t.Errorf("%d reads saw a write half done", rep.TornReads)
	}
	if rep.Spurious != 0 {
		t.Errorf("%d calls failed while their context was live", rep.Spurious)
	}
	if rep.ProbesFailed != 0 {
		t.Errorf("%d of %d probes (calls with a %v timeout) failed during the storm", rep.ProbesFailed, rep.Probes, patient)
	}
	if rep.Stuck != 0 {
		t.Errorf("%d calls after the storm failed: a connection was left stuck", rep.Stuck)
	}
	if rep.WritesOK == 0 || rep.WritesCutShort == 0 {
		t.Errorf("%d short-deadline writes succeeded and %d were cut short while running: the deadlines need both to prove anything",
			rep.WritesOK, rep.WritesCutShort)
	}
	return rep
}
