package relay_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

var (
	bg     = context.Background()
	system = lifeline.System("relay-test")
	start  = time.Date(2026, 5, 4, 8, 0, 0, 0, time.UTC)
)

// newSQLite opens a fresh SQLite outbox and a service on it reading clk
// (the real clock when nil).
func newSQLite(t *testing.T, clk clock.Clock) (*lifeline.Service, store.Store) {
	t.Helper()
	st, err := sqlite.Open(bg, filepath.Join(t.TempDir(), "relay.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newService(t, st, clk), st
}

func newService(t *testing.T, st store.Store, clk clock.Clock) *lifeline.Service {
	t.Helper()
	var opts []lifeline.Option
	if clk != nil {
		opts = append(opts, lifeline.WithClock(clk))
	}
	svc, err := lifeline.New(st, opts...)
	if err != nil {
		t.Fatal(err)
	}
	return svc
}

// event returns the n-th test event of company: a recording's audio to
// delete.
func event(company string, n int) lifeline.OutboxEvent {
	return lifeline.OutboxEvent{
		ID: fmt.Sprintf("evt_%s_%06d", company, n), CompanyID: company, Kind: lifeline.EventDeleteAudio,
		SubjectID: fmt.Sprintf("rec_%06d", n), Payload: `{"owner_id":"usr_1"}`,
		CreatedAt: start.Add(time.Duration(n) * time.Millisecond),
	}
}

// appendEvents writes events in one transaction, as an operation would.
func appendEvents(t testing.TB, st store.Store, events ...lifeline.OutboxEvent) {
	t.Helper()
	err := st.Update(bg, func(tx store.Tx) error {
		for _, e := range events {
			if err := tx.AppendEvent(bg, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// deadEvent returns the dead event id of company, if it is dead.
func deadEvent(t *testing.T, st store.Store, company, id string) (lifeline.OutboxEvent, bool) {
	t.Helper()
	var dead []lifeline.OutboxEvent
	err := st.View(bg, func(tx store.Tx) (err error) {
		dead, err = tx.ListDeadEvents(bg, company, "", 1000)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range dead {
		if e.ID == id {
			return e, true
		}
	}
	return lifeline.OutboxEvent{}, false
}

func pending(t *testing.T, st store.Store) int {
	t.Helper()
	var n int
	err := st.View(bg, func(tx store.Tx) (err error) {
		n, err = tx.CountPendingEvents(bg, "")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}
