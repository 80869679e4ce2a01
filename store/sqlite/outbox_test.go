package sqlite_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// TestOutboxSurvivesReopen appends events, claims some and acknowledges
// all but one of those, and closes the store as a crashed consumer would
// leave it. Reopened on the same file, the unacknowledged event stays
// leased until its lease ends, then comes again with a second attempt;
// every event appended is delivered.
func TestOutboxSurvivesReopen(t *testing.T) {
	ctx := context.Background()
	st, path := openStore(t)
	t0 := time.Date(2026, 3, 2, 9, 30, 0, 123456789, time.UTC)
	const lease = time.Minute
	var appended []string
	err := st.Update(ctx, func(tx store.Tx) error {
		appended = appended[:0]
		for i := range 10 {
			e := store.OutboxEvent{
				ID: fmt.Sprintf("evt-%02d", 9-i), CompanyID: "cmp-1", Kind: "recording.delete-audio",
				SubjectID: fmt.Sprintf("rec-%d", i), Payload: `{"n":` + fmt.Sprint(i) + `}`, CreatedAt: t0.Add(time.Duration(i)),
			}
			if err := tx.AppendEvent(ctx, e); err != nil {
				return err
			}
			appended = append(appended, e.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	claim := func(st *sqlite.Store, now time.Time, token string, limit int) []store.OutboxEvent {
		t.Helper()
		var got []store.OutboxEvent
		err := st.Update(ctx, func(tx store.Tx) (err error) {
			got, err = tx.ClaimEvents(ctx, now, now.Add(lease), token, limit, 5)
			return err
		})
		if err != nil {
			t.Fatalf("ClaimEvents: %v", err)
		}
		return got
	}
	ack := func(st *sqlite.Store, e store.OutboxEvent, now time.Time) {
		t.Helper()
		if err := st.Update(ctx, func(tx store.Tx) error { return tx.AckEvent(ctx, e.ID, e.LeaseToken, now) }); err != nil {
			t.Fatalf("AckEvent(%s): %v", e.ID, err)
		}
	}
	delivered := map[string]int{}
	first := claim(st, t0, "run-1", 4)
	for _, e := range first[:3] {
		ack(st, e, t0.Add(time.Second))
		delivered[e.ID]++
	}
	lost := first[3]
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}

	st, err = sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	// Half-way through the lease the event is still the lost consumer's.
	rest := claim(st, t0.Add(lease/2), "run-2", 100)
	if slices.ContainsFunc(rest, func(e store.OutboxEvent) bool { return e.ID == lost.ID }) {
		t.Errorf("event %s claimed again while its lease from before the reopen runs", lost.ID)
	}
	if len(rest) != 6 {
		t.Errorf("claim after reopening = %d events, want the 6 never claimed", len(rest))
	}
	for _, e := range rest {
		ack(st, e, t0.Add(lease/2+time.Second))
		delivered[e.ID]++
	}
	again := claim(st, t0.Add(lease), "run-3", 100)
	want := lost
	want.Attempts, want.LeaseUntil, want.LeaseToken = 2, t0.Add(2*lease), "run-3"
	if diff := cmp.Diff([]store.OutboxEvent{want}, again); diff != "" {
		t.Errorf("claim when the lease from before the reopen ends (-want +got):\n%s", diff)
	}
	for _, e := range again {
		ack(st, e, t0.Add(lease+time.Second))
		delivered[e.ID]++
	}

	for _, id := range appended {
		if delivered[id] != 1 {
			t.Errorf("event %s delivered %d times, want once", id, delivered[id])
		}
	}
	var pending int
	err = st.View(ctx, func(tx store.Tx) (err error) {
		pending, err = tx.CountPendingEvents(ctx, "cmp-1")
		return err
	})
	if err != nil || pending != 0 {
		t.Errorf("CountPendingEvents at the end = %d, %v; want 0", pending, err)
	}
}
