package postgres_test

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

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/postgres"
)

// errPlanted is what a writer's callback returns to roll its events back.
var errPlanted = errors.New("the writer rolls back on purpose")

// claimRecord is one successful ClaimEvents call of the outbox test.
type claimRecord struct {
	reader     int
	token      string
	now, until time.Time
	// began and ended bound the attempt that committed, in wall time.
	began, ended time.Time
	ids          []string
}

// TestOutboxWritersAndReaders has 8 writers append events in transactions
// of their own, some held open a few milliseconds before they commit, so
// that commits land out of seq order, while 2 readers, each on its own
// connection pool as separate processes would be, claim them with 40 ms
// leases and acknowledge them, now and then too slowly (the lease runs out
// and the other reader takes the event over). When the writers are done
// the readers drain the outbox. Then every committed event was delivered
// and acknowledged exactly once, no event that was rolled back appeared,
// and no two claims of one event held running leases at once.
func TestOutboxWritersAndReaders(t *testing.T) {
	const (
		writers       = 8
		readers       = 2
		txsPerWriter  = 30
		lease         = 40 * time.Millisecond
		claimLimit    = 5
		maxAttempts   = 1000
		slowDelivery  = 60 * time.Millisecond // longer than a lease
		slowOneInEach = 25
	)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	dsn := pgtest.NewDatabase(t)
	wst := openStore(t, dsn, postgres.WithMaxConns(writers))
	rst := make([]*postgres.Store, readers)
	for i := range rst {
		rst[i] = openStore(t, dsn, postgres.WithMaxConns(2))
	}
	company := "cmp-outbox"

	var (
		mu         sync.Mutex
		committed  = map[string]bool{} // event id -> its writer's Update returned nil
		rolledBack = map[string]bool{}
		claims     []claimRecord
		acks       = map[string][]string{} // event id -> tokens whose ack succeeded
		lateAcks   atomic.Int64            // acks refused: the lease was claimed again
		writersWG  sync.WaitGroup
		readersWG  sync.WaitGroup
		writing    atomic.Bool
	)
	writing.Store(true)
	for w := range writers {
		writersWG.Go(func() {
			for i := range txsPerWriter {
				events := make([]store.OutboxEvent, 1+rand.IntN(3))
				for j := range events {
					events[j] = store.OutboxEvent{
						ID: fmt.Sprintf("evt-%d-%03d-%d", w, i, j), CompanyID: company, Kind: "recording.delete-audio",
						SubjectID: fmt.Sprintf("rec-%d-%d", w, i), Payload: "{}", CreatedAt: time.Now(),
					}
				}
				hold := time.Duration(0)
				if rand.IntN(3) == 0 {
					hold = time.Duration(1+rand.IntN(8)) * time.Millisecond
				}
				fail := rand.IntN(10) == 0
				err := wst.Update(ctx, func(tx store.Tx) error {
					for _, e := range events {
						if err := tx.AppendEvent(ctx, e); err != nil {
							return err
						}
					}
					// The events have their seq; others commit meanwhile.
					time.Sleep(hold)
					if fail {
						return errPlanted
					}
					return nil
				})
				mu.Lock()
				for _, e := range events {
					if err == nil {
						committed[e.ID] = true
					} else {
						rolledBack[e.ID] = true
					}
				}
				mu.Unlock()
				if err != nil && !errors.Is(err, errPlanted) {
					t.Errorf("writer %d: %v", w, err)
				}
			}
		})
	}
	for r := range readers {
		readersWG.Go(func() {
			st := rst[r]
			for n := 0; ; n++ {
				if ctx.Err() != nil {
					t.Errorf("reader %d: %v before the outbox drained", r, ctx.Err())
					return
				}
				rec := claimRecord{reader: r, token: fmt.Sprintf("r%d-%d", r, n)}
				var got []store.OutboxEvent
				err := st.Update(ctx, func(tx store.Tx) (err error) {
					rec.began = time.Now()
					rec.now = rec.began
					rec.until = rec.now.Add(lease)
					got, err = tx.ClaimEvents(ctx, rec.now, rec.until, rec.token, claimLimit, maxAttempts)
					return err
				})
				rec.ended = time.Now()
				if err != nil {
					t.Errorf("reader %d: ClaimEvents: %v", r, err)
					return
				}
				if len(got) == 0 {
					done := !writing.Load()
					var pending int
					err := st.View(ctx, func(tx store.Tx) (err error) {
						pending, err = tx.CountPendingEvents(ctx, company)
						return err
					})
					if err != nil {
						t.Errorf("reader %d: CountPendingEvents: %v", r, err)
						return
					}
					if done && pending == 0 {
						return
					}
					time.Sleep(time.Millisecond)
					continue
				}
				for _, e := range got {
					rec.ids = append(rec.ids, e.ID)
				}
				mu.Lock()
				claims = append(claims, rec)
				mu.Unlock()
				for _, e := range got {
					if rand.IntN(slowOneInEach) == 0 {
						time.Sleep(slowDelivery)
					}
					err := st.Update(ctx, func(tx store.Tx) error { return tx.AckEvent(ctx, e.ID, rec.token, time.Now()) })
					switch {
					case err == nil:
						mu.Lock()
						acks[e.ID] = append(acks[e.ID], rec.token)
						mu.Unlock()
					case errors.Is(err, errs.ErrConflict):
						lateAcks.Add(1) // the other reader took it over
					default:
						t.Errorf("reader %d: AckEvent: %v", r, err)
						return
					}
				}
			}
		})
	}
	writersWG.Wait()
	writing.Store(false)
	readersWG.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// Every committed event was delivered and acknowledged exactly once;
	// nothing rolled back was ever claimed.
	claimed := map[string][]claimRecord{}
	for _, c := range claims {
		for _, id := range c.ids {
			claimed[id] = append(claimed[id], c)
		}
	}
	redelivered := 0
	for id := range committed {
		if len(claimed[id]) == 0 {
			t.Errorf("event %s was committed but never delivered", id)
		}
		if len(claimed[id]) > 1 {
			redelivered++
		}
		if len(acks[id]) != 1 {
			t.Errorf("event %s acknowledged %d times (tokens %v), want once", id, len(acks[id]), acks[id])
		}
	}
	for id := range claimed {
		if !committed[id] {
			t.Errorf("event %s was claimed but its transaction rolled back", id)
		}
	}
	// No two claims of an event held running leases at once, so no two
	// readers acknowledged it while both held a valid lease.
	for id, cs := range claimed {
		slices.SortFunc(cs, func(a, b claimRecord) int { return a.now.Compare(b.now) })
		for i := 1; i < len(cs); i++ {
			if cs[i].now.Before(cs[i-1].until) {
				t.Errorf("event %s: claim %s at %v while claim %s held it until %v",
					id, cs[i].token, cs[i].now.Format(time.StampMicro), cs[i-1].token, cs[i-1].until.Format(time.StampMicro))
			}
		}
	}
	// Claims whose committing attempts overlapped in time, by different
	// readers, each with events: SKIP LOCKED let the second pass over the
	// first's locked rows instead of waiting for them. Their sets must be
	// disjoint.
	overlapping := 0
	for i, a := range claims {
		for _, b := range claims[i+1:] {
			if a.reader == b.reader || !a.began.Before(b.ended) || !b.began.Before(a.ended) {
				continue
			}
			overlapping++
			for _, id := range a.ids {
				if slices.Contains(b.ids, id) {
					t.Errorf("event %s in overlapping claims %s and %s", id, a.token, b.token)
				}
			}
		}
	}
	var retries int64
	for _, st := range append(rst, wst) {
		retries += st.Retries()
	}
	t.Logf("%d events committed, %d rolled back; %d claims, %d pairs of concurrent claims by the two readers returned disjoint non-empty sets; "+
		"%d events redelivered after a lease ran out, %d acks refused as late; %d serialization retries",
		len(committed), len(rolledBack), len(claims), overlapping, redelivered, lateAcks.Load(), retries)
	if len(committed) == 0 {
		t.Error("no event was committed")
	}
}

// TestOutboxClaimPassesOverLockedEvents shows what FOR UPDATE SKIP LOCKED
// does: while one reader's claim transaction holds its events locked and
// uncommitted, another reader's claim neither waits for it nor takes the
// same events; it gets the next ones at once.
func TestOutboxClaimPassesOverLockedEvents(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	a, b := openStore(t, dsn), openStore(t, dsn)
	var all []string
	err := a.Update(ctx, func(tx store.Tx) error {
		all = all[:0]
		for i := range 10 {
			e := store.OutboxEvent{ID: fmt.Sprintf("evt-%02d", i), CompanyID: "cmp-1", Kind: "email.send", Payload: "{}", CreatedAt: time.Now()}
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			all = append(all, e.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	eventIDs := func(events []store.OutboxEvent) []string {
		out := make([]string, len(events))
		for i, e := range events {
			out[i] = e.ID
		}
		return out
	}

	holding, release := make(chan []string, 1), make(chan struct{})
	var once sync.Once
	var aGot []store.OutboxEvent
	aDone := make(chan error, 1)
	go func() {
		aDone <- a.Update(ctx, func(tx store.Tx) (err error) {
			aGot, err = tx.ClaimEvents(ctx, now, now.Add(time.Minute), "A", 5, 10)
			if err == nil {
				once.Do(func() { holding <- eventIDs(aGot); <-release })
			}
			return err
		})
	}()
	held := <-holding
	bctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	var bGot []store.OutboxEvent
	started := time.Now()
	err = b.Update(bctx, func(tx store.Tx) (err error) {
		bGot, err = tx.ClaimEvents(bctx, now, now.Add(time.Minute), "B", 5, 10)
		return err
	})
	took := time.Since(started)
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("a claim beside a transaction holding claimed events: %v after %v", err, took)
	}
	if diff := cmp.Diff(all[5:], eventIDs(bGot)); diff != "" {
		t.Errorf("claim beside a transaction holding %v (-want +got):\n%s", held, diff)
	}
	if err := <-aDone; err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(all[:5], eventIDs(aGot)); diff != "" {
		t.Errorf("the holding claim, once committed (-want +got):\n%s", diff)
	}
	t.Logf("the second claim returned in %v while the first held %d events locked; the first committed after %d retries",
		took, len(held), a.Retries())
}
