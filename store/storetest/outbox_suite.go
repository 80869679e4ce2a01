package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// outboxTests exercise store.Outbox.
//
// ClaimEvents takes events of every company, so these subtests look only
// at their own company's events and leave none of them pending: each ends
// with every event it appended acknowledged or dead, so that subtests
// sharing a store do not claim each other's.
var outboxTests = []namedTest{
	{"ClaimLeaseAck", testOutboxClaimLeaseAck},
	{"FailAndRedeliver", testOutboxFailAndRedeliver},
	{"DeadLetter", testOutboxDeadLetter},
	{"CountPending", testOutboxCountPending},
	{"FailedUpdateLeavesNoEvent", testOutboxFailedUpdate},
	{"ScrubEventErrors", testOutboxScrubEventErrors},
	{"RetryRenewRelease", testOutboxRetryRenewRelease},
}

// outboxSeed is one subtest's company on a store, seen through the outbox.
type outboxSeed struct {
	t       *testing.T
	ctx     context.Context
	st      store.Store
	company string
	n       int
}

func seedOutbox(t *testing.T, h Harness) *outboxSeed {
	return &outboxSeed{t: t, ctx: context.Background(), st: h.NewStore(t), company: UID("cmp_")}
}

// event returns a new event of the company, created a nanosecond after the
// previous one.
func (o *outboxSeed) event(kind string) store.OutboxEvent {
	o.n++
	subject := UID("rec_")
	return store.OutboxEvent{
		ID: UID("evt_"), CompanyID: o.company, Kind: kind, SubjectID: subject,
		Payload:   fmt.Sprintf(`{"recording_id":%q,"n":%d}`, subject, o.n),
		CreatedAt: epoch.Add(time.Duration(o.n)),
	}
}

func (o *outboxSeed) append(events ...store.OutboxEvent) {
	o.t.Helper()
	err := o.st.Update(o.ctx, func(tx store.Tx) error {
		for _, e := range events {
			if err := tx.AppendEvent(o.ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		o.t.Fatalf("AppendEvent: %v", err)
	}
}

// claim claims and returns the company's events among those claimed.
func (o *outboxSeed) claim(now, until time.Time, token string, limit, maxAttempts int) []store.OutboxEvent {
	o.t.Helper()
	var got []store.OutboxEvent
	err := o.st.Update(o.ctx, func(tx store.Tx) (err error) {
		got, err = tx.ClaimEvents(o.ctx, now, until, token, limit, maxAttempts)
		return err
	})
	if err != nil {
		o.t.Fatalf("ClaimEvents: %v", err)
	}
	if len(got) > limit {
		o.t.Fatalf("ClaimEvents with limit %d returned %d events", limit, len(got))
	}
	return slices.DeleteFunc(got, func(e store.OutboxEvent) bool { return e.CompanyID != o.company })
}

func (o *outboxSeed) ack(id, token string, now time.Time) error {
	return o.st.Update(o.ctx, func(tx store.Tx) error { return tx.AckEvent(o.ctx, id, token, now) })
}

func (o *outboxSeed) fail(id, token, reason string, now time.Time, maxAttempts int) error {
	return o.st.Update(o.ctx, func(tx store.Tx) error { return tx.FailEvent(o.ctx, id, token, reason, now, maxAttempts) })
}

func (o *outboxSeed) pending(companyID string) int {
	o.t.Helper()
	var n int
	err := o.st.View(o.ctx, func(tx store.Tx) (err error) {
		n, err = tx.CountPendingEvents(o.ctx, companyID)
		return err
	})
	if err != nil {
		o.t.Fatalf("CountPendingEvents: %v", err)
	}
	return n
}

func (o *outboxSeed) dead(afterID string, limit int) []store.OutboxEvent {
	o.t.Helper()
	var got []store.OutboxEvent
	err := o.st.View(o.ctx, func(tx store.Tx) (err error) {
		got, err = tx.ListDeadEvents(o.ctx, o.company, afterID, limit)
		return err
	})
	if err != nil {
		o.t.Fatalf("ListDeadEvents: %v", err)
	}
	return got
}

// leased returns e as a claim with token until until leaves it.
func leased(e store.OutboxEvent, attempts int, until time.Time, token string) store.OutboxEvent {
	e.Attempts, e.LeaseUntil, e.LeaseToken = attempts, until, token
	return e
}

func eventIDs(events []store.OutboxEvent) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.ID
	}
	return out
}

func testOutboxClaimLeaseAck(t *testing.T, h Harness) {
	o := seedOutbox(t, h)
	e1, e2, e3 := o.event("recording.delete-audio"), o.event("number.release"), o.event("email.send")
	o.append(e1, e2)
	o.append(e3)
	err := o.st.Update(o.ctx, func(tx store.Tx) error { return tx.AppendEvent(o.ctx, e2) })
	WantErr(t, "AppendEvent with a taken id", err, errs.ErrConflict)

	now := epoch.Add(time.Hour)
	lease := 30*time.Second + 1
	// Oldest first, in append order (the ids are random), at most limit.
	got := o.claim(now, now.Add(lease), "tok-1", 2, 5)
	want := []store.OutboxEvent{leased(e1, 1, now.Add(lease), "tok-1"), leased(e2, 1, now.Add(lease), "tok-1")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("first claim, limit 2 (-want +got):\n%s", diff)
	}
	for _, e := range got {
		inUTC(t, "claimed event", e.CreatedAt, e.LeaseUntil)
	}
	got = o.claim(now.Add(time.Second), now.Add(time.Second+lease), "tok-2", 100, 5)
	if diff := cmp.Diff([]store.OutboxEvent{leased(e3, 1, now.Add(time.Second+lease), "tok-2")}, got); diff != "" {
		t.Errorf("second claim, during the first's lease (-want +got):\n%s", diff)
	}
	if got := o.claim(now.Add(lease-1), now.Add(2*lease), "tok-x", 100, 5); len(got) != 0 {
		t.Errorf("claim 1ns before the leases end = %v, want nothing", eventIDs(got))
	}

	// The first lease ends: its events come again, with a second attempt.
	again := now.Add(lease)
	got = o.claim(again, again.Add(lease), "tok-3", 100, 5)
	want = []store.OutboxEvent{leased(e1, 2, again.Add(lease), "tok-3"), leased(e2, 2, again.Add(lease), "tok-3")}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("claim when the first lease ends (-want +got):\n%s", diff)
	}

	WantErr(t, "AckEvent with the token of a lease claimed again", o.ack(e1.ID, "tok-1", again), errs.ErrConflict)
	WantErr(t, "AckEvent with a wrong token", o.ack(e1.ID, "tok-2", again), errs.ErrConflict)
	WantErr(t, "AckEvent with an empty token", o.ack(e1.ID, "", again), errs.ErrConflict)
	WantErr(t, "AckEvent of a missing event", o.ack(UID("evt_"), "tok-3", again), errs.ErrNotFound)
	WantErr(t, "AckEvent with the current token", o.ack(e1.ID, "tok-3", again.Add(1)))
	WantErr(t, "AckEvent of an acknowledged event", o.ack(e1.ID, "tok-3", again.Add(2)), errs.ErrConflict)
	WantErr(t, "AckEvent within its lease", o.ack(e3.ID, "tok-2", again.Add(3)))
	WantErr(t, "AckEvent", o.ack(e2.ID, "tok-3", again.Add(4)))

	if got := o.claim(again.Add(time.Hour), again.Add(2*time.Hour), "tok-4", 100, 5); len(got) != 0 {
		t.Errorf("claim after every event was acknowledged = %v, want nothing", eventIDs(got))
	}
	if n := o.pending(o.company); n != 0 {
		t.Errorf("CountPendingEvents after acknowledging everything = %d, want 0", n)
	}
}

func testOutboxFailAndRedeliver(t *testing.T, h Harness) {
	o := seedOutbox(t, h)
	e := o.event("number.release")
	never := o.event("email.send")
	o.append(e, never)
	WantErr(t, "AckEvent of an event never claimed", o.ack(never.ID, "tok-1", epoch), errs.ErrConflict)
	WantErr(t, "FailEvent of an event never claimed", o.fail(never.ID, "tok-1", "x", epoch, 5), errs.ErrConflict)
	WantErr(t, "FailEvent of a missing event", o.fail(UID("evt_"), "tok-1", "x", epoch, 5), errs.ErrNotFound)

	now := epoch.Add(time.Hour)
	got := o.claim(now, now.Add(time.Hour), "tok-1", 100, 5)
	if diff := cmp.Diff([]string{e.ID, never.ID}, eventIDs(got)); diff != "" {
		t.Fatalf("claim (-want +got):\n%s", diff)
	}
	WantErr(t, "AckEvent of never", o.ack(never.ID, "tok-1", now))
	WantErr(t, "FailEvent with a wrong token", o.fail(e.ID, "tok-2", "x", now, 5), errs.ErrConflict)
	const reason = "carrier answered 503 Service Unavailable"
	WantErr(t, "FailEvent", o.fail(e.ID, "tok-1", reason, now.Add(time.Second), 5))
	// The failure ended the lease: its token is refused, and the next claim,
	// long before the lease would have ended, takes the event again.
	WantErr(t, "AckEvent with the token of a failed lease", o.ack(e.ID, "tok-1", now.Add(2*time.Second)), errs.ErrConflict)
	WantErr(t, "FailEvent with the token of a failed lease", o.fail(e.ID, "tok-1", "x", now.Add(2*time.Second), 5), errs.ErrConflict)
	next := now.Add(3 * time.Second)
	got = o.claim(next, next.Add(time.Minute), "tok-2", 100, 5)
	want := leased(e, 2, next.Add(time.Minute), "tok-2")
	want.LastError = reason
	if diff := cmp.Diff([]store.OutboxEvent{want}, got); diff != "" {
		t.Errorf("claim after a failure (-want +got):\n%s", diff)
	}
	WantErr(t, "AckEvent after redelivery", o.ack(e.ID, "tok-2", next.Add(time.Second)))
	if n := o.pending(o.company); n != 0 {
		t.Errorf("CountPendingEvents at the end = %d, want 0", n)
	}
	if got := o.dead("", 100); len(got) != 0 {
		t.Errorf("ListDeadEvents = %v, want none", eventIDs(got))
	}
}

func testOutboxDeadLetter(t *testing.T, h Harness) {
	const maxAttempts = 2
	o := seedOutbox(t, h)
	expires, fails := o.event("recording.delete-audio"), o.event("number.release")
	o.append(expires, fails)
	now := epoch.Add(time.Hour)
	step := func() time.Time { now = now.Add(time.Minute); return now }

	// Attempt 1 of both: one fails, one's consumer vanishes.
	claimed := o.claim(step(), now.Add(10*time.Second), "tok-1", 100, maxAttempts)
	if diff := cmp.Diff([]string{expires.ID, fails.ID}, eventIDs(claimed)); diff != "" {
		t.Fatalf("claim 1 (-want +got):\n%s", diff)
	}
	WantErr(t, "FailEvent at attempt 1", o.fail(fails.ID, "tok-1", "timeout", now, maxAttempts))
	// Attempt 2 of both: one fails again and is parked at once.
	claimed = o.claim(step(), now.Add(10*time.Second), "tok-2", 100, maxAttempts)
	if diff := cmp.Diff([]string{expires.ID, fails.ID}, eventIDs(claimed)); diff != "" {
		t.Fatalf("claim 2 (-want +got):\n%s", diff)
	}
	failedAt := now
	WantErr(t, "FailEvent at the last attempt", o.fail(fails.ID, "tok-2", "timeout again", failedAt, maxAttempts))
	WantErr(t, "AckEvent of a parked event", o.ack(fails.ID, "tok-2", now), errs.ErrConflict)
	// The other's lease ends unacknowledged: the next claim parks it and
	// does not return it.
	parkedAt := step()
	if got := o.claim(parkedAt, now.Add(10*time.Second), "tok-3", 100, maxAttempts); len(got) != 0 {
		t.Errorf("claim of events out of attempts = %v, want nothing", eventIDs(got))
	}
	WantErr(t, "AckEvent of an event parked by a claim", o.ack(expires.ID, "tok-2", now), errs.ErrConflict)
	if got := o.claim(step(), now.Add(10*time.Second), "tok-4", 100, maxAttempts); len(got) != 0 {
		t.Errorf("claim after parking = %v, want nothing", eventIDs(got))
	}

	wantFails := fails
	wantFails.Attempts, wantFails.DeadAt, wantFails.LastError = 2, failedAt, "timeout again"
	wantExpires := leased(expires, 2, parkedAt.Add(-time.Minute).Add(10*time.Second), "tok-2")
	wantExpires.DeadAt = parkedAt
	want := []store.OutboxEvent{wantFails, wantExpires}
	if want[0].ID > want[1].ID {
		want[0], want[1] = want[1], want[0]
	}
	// A failed lease is cleared; the one that ran out is kept as it was.
	if diff := cmp.Diff(want, o.dead("", 100)); diff != "" {
		t.Errorf("ListDeadEvents, by id (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[:1], o.dead("", 1)); diff != "" {
		t.Errorf("ListDeadEvents with limit 1 (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(want[1:], o.dead(want[0].ID, 100)); diff != "" {
		t.Errorf("ListDeadEvents after the first (-want +got):\n%s", diff)
	}
	if n := o.pending(o.company); n != 0 {
		t.Errorf("CountPendingEvents with only dead events = %d, want 0", n)
	}
	other := seedOutbox(t, h)
	if got := other.dead("", 100); len(got) != 0 {
		t.Errorf("ListDeadEvents of another company = %v, want none", eventIDs(got))
	}
}

func testOutboxCountPending(t *testing.T, h Harness) {
	o := seedOutbox(t, h)
	other := &outboxSeed{t: t, ctx: o.ctx, st: o.st, company: UID("cmp_")}
	if n := o.pending(o.company); n != 0 {
		t.Errorf("CountPendingEvents of a company without events = %d, want 0", n)
	}
	mine := []store.OutboxEvent{o.event("a"), o.event("b"), o.event("c")}
	o.append(mine...)
	other.append(other.event("a"))
	if n := o.pending(o.company); n != 3 {
		t.Errorf("CountPendingEvents = %d, want 3", n)
	}
	if n := o.pending(other.company); n != 1 {
		t.Errorf("CountPendingEvents of the other company = %d, want 1", n)
	}
	now := epoch.Add(time.Hour)
	// One claim takes both companies' events.
	var claimed []store.OutboxEvent
	err := o.st.Update(o.ctx, func(tx store.Tx) (err error) {
		claimed, err = tx.ClaimEvents(o.ctx, now, now.Add(time.Minute), "tok-1", 100, 5)
		return err
	})
	WantErr(t, "ClaimEvents", err)
	claimed = slices.DeleteFunc(claimed, func(e store.OutboxEvent) bool { return e.CompanyID != o.company && e.CompanyID != other.company })
	if len(claimed) != 4 {
		t.Fatalf("claimed %d events, want 4", len(claimed))
	}
	if n := o.pending(o.company); n != 3 {
		t.Errorf("CountPendingEvents with every event leased = %d, want 3 (leased events are pending)", n)
	}
	for i, e := range claimed {
		WantErr(t, "AckEvent", o.ack(e.ID, "tok-1", now.Add(time.Duration(i+1))))
	}
	if n := o.pending(o.company); n != 0 {
		t.Errorf("CountPendingEvents after acknowledging = %d, want 0", n)
	}
	if n := o.pending(other.company); n != 0 {
		t.Errorf("CountPendingEvents of the other company after acknowledging = %d, want 0", n)
	}
}

func testOutboxFailedUpdate(t *testing.T, h Harness) {
	o := seedOutbox(t, h)
	e := o.event("recording.delete-audio")
	err := o.st.Update(o.ctx, func(tx store.Tx) error {
		if err := tx.AppendEvent(o.ctx, e); err != nil {
			return err
		}
		return errPlanted
	})
	if !errors.Is(err, errPlanted) {
		t.Fatalf("Update returned %v, want the callback's error unchanged", err)
	}
	// A store error after the append rolls it back too.
	taken := o.event("email.send")
	o.append(taken)
	err = o.st.Update(o.ctx, func(tx store.Tx) error {
		if err := tx.AppendEvent(o.ctx, e); err != nil {
			return err
		}
		return tx.AppendEvent(o.ctx, taken)
	})
	WantErr(t, "Update whose second append conflicts", err, errs.ErrConflict)

	if n := o.pending(o.company); n != 1 {
		t.Errorf("CountPendingEvents = %d, want 1 (the rolled-back events are not there)", n)
	}
	now := epoch.Add(time.Hour)
	got := o.claim(now, now.Add(time.Minute), "tok-1", 100, 5)
	if diff := cmp.Diff([]string{taken.ID}, eventIDs(got)); diff != "" {
		t.Errorf("claim after failed appends (-want +got):\n%s", diff)
	}
	for _, c := range got {
		WantErr(t, "AckEvent", o.ack(c.ID, "tok-1", now))
	}
	WantErr(t, "AckEvent of a rolled-back event", o.ack(e.ID, "tok-1", now), errs.ErrNotFound)
}

// testOutboxScrubEventErrors: the failure reasons of the events about one
// subject are emptied, every other field and every other subject's event
// stays as it was.
func testOutboxScrubEventErrors(t *testing.T, h Harness) {
	o := seedOutbox(t, h)
	about, other := o.event("user.welcome-email"), o.event("user.welcome-email")
	o.append(about, other)
	now := epoch.Add(time.Hour)
	claimed := o.claim(now, now.Add(10*time.Second), "tok-1", 100, 1)
	if diff := cmp.Diff([]string{about.ID, other.ID}, eventIDs(claimed)); diff != "" {
		t.Fatalf("claim (-want +got):\n%s", diff)
	}
	WantErr(t, "FailEvent", o.fail(about.ID, "tok-1", "550 no such mailbox <jane.doe@example.com>", now, 1))
	WantErr(t, "FailEvent", o.fail(other.ID, "tok-1", "550 no such mailbox <john.roe@example.com>", now, 1))
	WantErr(t, "ScrubEventErrors", o.st.Update(o.ctx, func(tx store.Tx) error { return tx.ScrubEventErrors(o.ctx, about.SubjectID) }))
	WantErr(t, "ScrubEventErrors of a subject without events",
		o.st.Update(o.ctx, func(tx store.Tx) error { return tx.ScrubEventErrors(o.ctx, UID("usr_")) }))

	wantAbout, wantOther := about, other
	wantAbout.Attempts, wantAbout.DeadAt = 1, now
	wantOther.Attempts, wantOther.DeadAt, wantOther.LastError = 1, now, "550 no such mailbox <john.roe@example.com>"
	want := []store.OutboxEvent{wantAbout, wantOther}
	if want[0].ID > want[1].ID {
		want[0], want[1] = want[1], want[0]
	}
	if diff := cmp.Diff(want, o.dead("", 100)); diff != "" {
		t.Errorf("dead events after ScrubEventErrors of one subject (-want +got):\n%s", diff)
	}
}

// testOutboxRetryRenewRelease checks the three ways a relay settles a
// claim besides ack and fail: a failure with a backoff (RetryEvent), a
// longer lease for a slow delivery (RenewEvent), and a claim given back
// unused when the relay stops (ReleaseEvent).
func testOutboxRetryRenewRelease(t *testing.T, h Harness) {
	o := seedOutbox(t, h)
	slow, flaky, unused := o.event("recording.delete-audio"), o.event("number.released"), o.event("user.welcome-email")
	o.append(slow, flaky, unused)
	t0 := epoch.Add(time.Hour)
	got := o.claim(t0, t0.Add(time.Minute), "tok-a", 100, 5)
	if diff := cmp.Diff([]string{slow.ID, flaky.ID, unused.ID}, eventIDs(got)); diff != "" {
		t.Fatalf("claim (-want +got):\n%s", diff)
	}
	renew := func(id, token string, now, until time.Time) error {
		return o.st.Update(o.ctx, func(tx store.Tx) error { return tx.RenewEvent(o.ctx, id, token, now, until) })
	}
	retry := func(id, token, reason string, now, at time.Time) error {
		return o.st.Update(o.ctx, func(tx store.Tx) error { return tx.RetryEvent(o.ctx, id, token, reason, now, at, 5) })
	}
	release := func(id, token string, now time.Time) error {
		return o.st.Update(o.ctx, func(tx store.Tx) error { return tx.ReleaseEvent(o.ctx, id, token, now) })
	}
	WantErr(t, "RenewEvent with a wrong token", renew(slow.ID, "tok-b", t0, t0.Add(time.Hour)), errs.ErrConflict)
	WantErr(t, "RenewEvent to an instant not after now", renew(slow.ID, "tok-a", t0, t0), errs.ErrInvalid)
	WantErr(t, "RenewEvent of a missing event", renew(UID("evt_"), "tok-a", t0, t0.Add(time.Hour)), errs.ErrNotFound)
	WantErr(t, "RenewEvent", renew(slow.ID, "tok-a", t0, t0.Add(10*time.Minute)))
	WantErr(t, "RetryEvent", retry(flaky.ID, "tok-a", "503", t0, t0.Add(5*time.Minute)))
	WantErr(t, "RetryEvent with the token it cleared", retry(flaky.ID, "tok-a", "503", t0, t0.Add(5*time.Minute)), errs.ErrConflict)
	WantErr(t, "ReleaseEvent", release(unused.ID, "tok-a", t0))
	WantErr(t, "ReleaseEvent with the token it cleared", release(unused.ID, "tok-a", t0), errs.ErrConflict)

	// Two minutes on, every first lease has ended: only the released event
	// is claimable, at its first attempt again.
	t1 := t0.Add(2 * time.Minute)
	got = o.claim(t1, t1.Add(time.Hour), "tok-b", 100, 5)
	if diff := cmp.Diff([]store.OutboxEvent{leased(unused, 1, t1.Add(time.Hour), "tok-b")}, got); diff != "" {
		t.Errorf("claim after the first lease (-want +got):\n%s", diff)
	}
	// After the backoff the failed event comes back, at its second attempt.
	t2 := t0.Add(5*time.Minute + time.Second)
	got = o.claim(t2, t2.Add(time.Minute), "tok-c", 100, 5)
	want := leased(flaky, 2, t2.Add(time.Minute), "tok-c")
	want.LastError = "503"
	if diff := cmp.Diff([]store.OutboxEvent{want}, got); diff != "" {
		t.Errorf("claim after the backoff (-want +got):\n%s", diff)
	}
	// The renewed lease still holds its token.
	WantErr(t, "AckEvent of the renewed lease", o.ack(slow.ID, "tok-a", t2))
	WantErr(t, "AckEvent of the released event's new claim", o.ack(unused.ID, "tok-b", t2))
	WantErr(t, "AckEvent of the retried event", o.ack(flaky.ID, "tok-c", t2))
	if n := o.pending(o.company); n != 0 {
		t.Errorf("CountPendingEvents at the end = %d, want 0", n)
	}
}
