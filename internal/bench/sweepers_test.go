package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/store/postgres"
)

// Sizes of TestFourSweepersOnePostgres.
const (
	sweepers   = 4
	sweepUsers = 2000
)

// TestFourSweepersOnePostgres runs four instances, each with its own store
// and connection pool, running RunSweeper against one PostgreSQL database
// holding sweepUsers due users, as a provider's replicas would: every user
// is anonymized exactly once (one audit record and one outbox event each,
// and the runs' logged counts add up), the store retries are counted and
// none (the instances take turns, never fight over the same users), and
// the four's time against one sweeper alone on a copy of the same
// database is logged: taking turns, the best they can do is one sweeper's
// rate, and a wall-clock bound would fail on a busy machine.
func TestFourSweepersOnePostgres(t *testing.T) {
	ctx := t.Context()
	dsn := pgtest.NewDatabase(t)
	srv, err := pgtest.Shared(ctx) // started by NewDatabase
	if err != nil {
		t.Fatal(err)
	}
	seed, err := openPostgres(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	var name string
	if err := seed.DB.QueryRowContext(ctx, "SELECT current_database()").Scan(&name); err != nil {
		t.Fatal(err)
	}
	w, err := Seed(ctx, seed.Svc, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	// Deleted an hour ago, so due on the real clock the sweepers run on.
	if _, err := Clone(ctx, seed.DB, true, w.Template, "swp", sweepUsers, time.Now().Add(-time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := seed.Close(); err != nil {
		t.Fatal(err)
	}
	p, err := copyPostgres(ctx, Backends[2], srv, dsn, name, w)
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()

	// One sweeper alone, on the copy.
	alone, err := lifeline.New(p.Floor.Store)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	rep, err := alone.Sweep(ctx)
	one := time.Since(start)
	if err != nil || rep.Anonymized != sweepUsers {
		t.Fatalf("one sweeper: %+v, %v", rep, err)
	}

	// Four instances on the original.
	runCtx, stop := context.WithCancel(ctx)
	defer stop()
	type instance struct {
		st  *postgres.Store
		log bytes.Buffer
		err error
	}
	insts := make([]*instance, sweepers)
	svcs := make([]*lifeline.Service, sweepers)
	for i := range insts {
		in := &instance{}
		insts[i] = in
		if in.st, err = postgres.Open(ctx, dsn); err != nil {
			t.Fatal(err)
		}
		defer in.st.Close()
		if svcs[i], err = lifeline.New(in.st, lifeline.WithLogger(slog.New(slog.NewJSONHandler(&in.log, &slog.HandlerOptions{Level: slog.LevelDebug})))); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	start = time.Now()
	for i, in := range insts {
		wg.Go(func() { in.err = svcs[i].RunSweeper(runCtx, 50*time.Millisecond, lifeline.SweepOptions{}) })
	}
	for {
		var left int
		if err := p.Lifeline.DB.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE state = 'deleted'`).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	four := time.Since(start)
	stop()
	wg.Wait()

	var retries int64
	anonymized, runs, skipped := 0, 0, 0
	for i, in := range insts {
		if !errors.Is(in.err, context.Canceled) {
			t.Errorf("instance %d: RunSweeper returned %v, want context.Canceled", i, in.err)
		}
		retries += in.st.Retries()
		dec := json.NewDecoder(&in.log)
		for dec.More() {
			var line struct {
				Msg        string
				Anonymized int
			}
			if err := dec.Decode(&line); err != nil {
				t.Fatal(err)
			}
			switch line.Msg {
			case "lifeline: sweep", "lifeline: sweep stopped: the sweeper's context ended":
				runs++
				anonymized += line.Anonymized
			case "lifeline: sweep skipped: another instance is sweeping":
				skipped++
			default:
				t.Errorf("instance %d logged %q", i, line.Msg)
			}
		}
	}
	var users, records, events, twice int
	err = p.Lifeline.DB.QueryRowContext(ctx, `SELECT
  (SELECT COUNT(*) FROM users WHERE id LIKE 'usr_swp%' AND state = 'anonymized'),
  (SELECT COUNT(*) FROM audit WHERE user_id LIKE 'usr_swp%' AND action = 'user.anonymize'),
  (SELECT COUNT(*) FROM outbox WHERE subject_id LIKE 'usr_swp%' AND kind = 'user.anonymized'),
  (SELECT COUNT(*) FROM (SELECT user_id FROM audit WHERE action = 'user.anonymize' GROUP BY user_id HAVING COUNT(*) > 1) AS t)`).
		Scan(&users, &records, &events, &twice)
	if err != nil {
		t.Fatal(err)
	}
	if users != sweepUsers || records != sweepUsers || events != sweepUsers || twice != 0 || anonymized != sweepUsers {
		t.Errorf("%d users anonymized, %d audit records, %d events, %d users with more than one record, %d counted by the runs' logs; want %d, %d, %d, 0, %d",
			users, records, events, twice, anonymized, sweepUsers, sweepUsers, sweepUsers, sweepUsers)
	}
	t.Logf("%d sweepers: %v for %d users (%d runs that swept, %d skipped, %d store retries); one sweeper alone: %v (x%.2f)",
		sweepers, four.Round(time.Millisecond), sweepUsers, runs, skipped, retries, one.Round(time.Millisecond), four.Seconds()/one.Seconds())
	// The instances take turns, so none waits on another's rows: a store
	// retry would be two sweepers fighting over the same users, which is
	// what costs throughput. The wall-clock ratio above is a measurement
	// for the log (it moves with the machine's load); docs/PERFORMANCE.md
	// reports it.
	if retries != 0 {
		t.Errorf("%d store retries among %d sweepers: want none, the instances take turns instead of fighting over the same users", retries, sweepers)
	}
}
