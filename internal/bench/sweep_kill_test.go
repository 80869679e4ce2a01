package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/lifeline-go/lifeline/internal/crashtest"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// sweepChildEnv names the database the child of TestSweepKilledMidway
// sweeps.
const sweepChildEnv = "LIFELINE_SWEEP_KILL_DB"

// Sizes of TestSweepKilledMidway: due users, users per batch, and how many
// the child must report anonymized before it is killed.
const (
	killDue   = 3000
	killBatch = 50
	killAfter = 600
)

// TestSweepKilledMidway sweeps killDue due users in a child process, in
// batches of killBatch at synchronous=FULL, kills it (SIGKILL) after it
// reported killAfter, and reopens the file: every user is whole — either
// still deleted with its personal data, licenses and no anonymization
// record, or anonymized with exactly one audit record and one outbox event
// and nothing personal left — and the anonymized ones are whole batches
// that include every one the child reported.
func TestSweepKilledMidway(t *testing.T) {
	if os.Getenv(sweepChildEnv) != "" {
		t.Skip("the child's side is TestSweepKilledChild")
	}
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sweep.db")
	side, err := openSQLite(ctx, path, sqlite.WithSynchronousNormal())
	if err != nil {
		t.Fatal(err)
	}
	w, err := Seed(ctx, side.Svc, 0, 1)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Clone(ctx, side.DB, false, w.Template, "kill", killDue, Start); err != nil {
		t.Fatal(err)
	}
	if err := side.Close(); err != nil {
		t.Fatal(err)
	}

	reported := crashtest.KillAfter(t, "TestSweepKilledChild", sweepChildEnv+"="+path, "anonymized ", killAfter)

	side, err = openSQLite(ctx, path)
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	defer side.Close()
	rows, err := side.DB.QueryContext(ctx, `SELECT u.id, u.state, u.first_name, u.email_key IS NOT NULL AND u.name_key <> '',
  (SELECT COUNT(*) FROM user_licenses l WHERE l.user_id = u.id),
  (SELECT COUNT(*) FROM audit a WHERE a.user_id = u.id AND a.action = 'user.anonymize'),
  (SELECT COUNT(*) FROM audit a WHERE a.user_id = u.id AND a.personal <> ''),
  (SELECT COUNT(*) FROM outbox e WHERE e.subject_id = u.id AND e.kind = 'user.anonymized')
FROM users u WHERE u.id LIKE 'usr_kill%'`)
	if err != nil {
		t.Fatal(err)
	}
	anonymized, deleted := 0, 0
	for rows.Next() {
		var id, state, first string
		var keys bool
		var licenses, records, personal, events int
		if err := rows.Scan(&id, &state, &first, &keys, &licenses, &records, &personal, &events); err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%s name=%q keys=%v licenses=%d anonymize-records=%d personal-records=%d events=%d", state, first, keys, licenses, records, personal, events)
		switch got {
		case `anonymized name="" keys=false licenses=0 anonymize-records=1 personal-records=0 events=1`:
			anonymized++
		case `deleted name="Template" keys=true licenses=1 anonymize-records=0 personal-records=1 events=0`:
			deleted++
		default:
			t.Errorf("user %s is half swept: %s", id, got)
		}
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if anonymized+deleted != killDue || anonymized < reported || anonymized%killBatch != 0 {
		t.Errorf("%d anonymized and %d deleted of %d, the child reported %d: want whole batches of %d, at least the reported ones",
			anonymized, deleted, killDue, reported, killBatch)
	}
	t.Logf("killed after %d reported; %d anonymized on disk, %d still due", reported, anonymized, deleted)
}

// TestSweepKilledChild is the child of TestSweepKilledMidway: it sweeps the
// file in batches of killBatch at synchronous=FULL, printing the count
// after every committed batch, until it is killed.
func TestSweepKilledChild(t *testing.T) {
	path := os.Getenv(sweepChildEnv)
	if path == "" {
		t.Skip("run by TestSweepKilledMidway")
	}
	ctx := context.Background()
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	clk := clock.NewMock()
	clk.Set(Start)
	svc, err := lifeline.New(st, lifeline.WithClock(clk))
	if err != nil {
		t.Fatal(err)
	}
	_, err = svc.SweepWith(ctx, lifeline.SweepOptions{BatchSize: killBatch,
		Progress: func(r lifeline.SweepReport) { fmt.Printf("anonymized %d\n", r.Anonymized) }})
	if err != nil {
		t.Fatal(err)
	}
}
