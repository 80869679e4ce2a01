package lifelinetest

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// testOutboxSettlements checks the settlements a relay uses besides ack
// and a plain failure: a failure with a backoff (FailEvent.RetryAfter), a
// permanent one (FailEvent.Permanent), a claim given back unused
// (FailEvent.Release) and a renewed lease (RenewEvent).
func testOutboxSettlements(t *testing.T, h Harness) {
	fx := newFixture(t, h)
	host := lifeline.System("delivery")
	names := []string{"slow", "flaky", "gone", "unused"}
	err := fx.st.Update(fx.ctx, func(tx store.Tx) error {
		for i, n := range names {
			if err := tx.AppendEvent(fx.ctx, store.OutboxEvent{ID: fmt.Sprintf("evt_%s_%s", fx.co.ID, n), CompanyID: fx.co.ID,
				Kind: lifeline.EventDeleteAudio, SubjectID: "rec_" + n, Payload: "{}", CreatedAt: fx.svc.Now().Add(time.Duration(i))}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	id := func(n string) string { return fmt.Sprintf("evt_%s_%s", fx.co.ID, n) }
	// claim claims until nothing is left and returns this company's events
	// by name (suites may share a database).
	claim := func() map[string]lifeline.OutboxEvent {
		t.Helper()
		out := map[string]lifeline.OutboxEvent{}
		for {
			claimed, err := fx.svc.ClaimEvents(fx.ctx, host, time.Minute, 1000)
			wantErr(t, "ClaimEvents", err)
			if len(claimed) == 0 {
				return out
			}
			for _, e := range claimed {
				for _, n := range names {
					if e.ID == id(n) {
						out[n] = e
					}
				}
			}
		}
	}
	first := claim()
	if len(first) != 4 {
		t.Fatalf("first claim took %d of the 4 events", len(first))
	}
	do := func(what string, op lifeline.FailEvent, want ...error) {
		t.Helper()
		_, err := lifeline.Do(fx.ctx, fx.svc, host, op)
		wantErr(t, what, err, want...)
	}
	if err := fx.svc.RenewEvent(fx.ctx, host, id("slow"), first["slow"].LeaseToken, 0); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("RenewEvent for no time: %v, want invalid", err)
	}
	wantErr(t, "RenewEvent", fx.svc.RenewEvent(fx.ctx, host, id("slow"), first["slow"].LeaseToken, 10*time.Minute))
	do("FailEvent with a negative backoff", lifeline.FailEvent{ID: id("flaky"), Token: first["flaky"].LeaseToken, RetryAfter: -time.Second}, errs.ErrInvalid)
	do("FailEvent with a backoff", lifeline.FailEvent{ID: id("flaky"), Token: first["flaky"].LeaseToken, Reason: "503", RetryAfter: 5 * time.Minute})
	do("FailEvent, permanent", lifeline.FailEvent{ID: id("gone"), Token: first["gone"].LeaseToken, Reason: "410 Gone", Permanent: true})
	do("FailEvent, released", lifeline.FailEvent{ID: id("unused"), Token: first["unused"].LeaseToken, Reason: "ignored", Release: true})

	dead, err := fx.svc.DeadEvents(fx.ctx, host, fx.co.ID)
	wantErr(t, "DeadEvents", err)
	if len(dead) != 1 || dead[0].ID != id("gone") || dead[0].LastError != "410 Gone" || dead[0].Attempts != 1 {
		t.Errorf("dead events %+v, want the gone one alone, at attempt 1, with its reason", dead)
	}
	// Two minutes on: every first lease ended; the renewed one and the
	// backoff hold, so only the released event comes back, at attempt 1.
	fx.clk.Add(2 * time.Minute)
	second := claim()
	if len(second) != 1 || second["unused"].Attempts != 1 || second["unused"].LastError != "" {
		t.Errorf("claim after 2 minutes: %+v, want the released event alone at attempt 1 with no reason", second)
	}
	wantErr(t, "AckEvent", fx.svc.AckEvent(fx.ctx, host, id("unused"), second["unused"].LeaseToken))
	// Six minutes on, the backoff is over.
	fx.clk.Add(4 * time.Minute)
	third := claim()
	if len(third) != 1 || third["flaky"].Attempts != 2 || third["flaky"].LastError != "503" {
		t.Errorf("claim after 6 minutes: %+v, want the failed event alone at attempt 2", third)
	}
	wantErr(t, "AckEvent of the renewed lease", fx.svc.AckEvent(fx.ctx, host, id("slow"), first["slow"].LeaseToken))
	wantErr(t, "AckEvent", fx.svc.AckEvent(fx.ctx, host, id("flaky"), third["flaky"].LeaseToken))
	if left := fx.pendingEvents(); len(left) != 0 {
		t.Errorf("%d events pending at the end", len(left))
	}
}
