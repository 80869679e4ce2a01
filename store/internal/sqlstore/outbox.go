package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// eventCols are the outbox columns an OutboxEvent maps; seq, the append
// order, is the table's own and only orders claims.
var eventCols = []string{
	"id", "company_id", "kind", "subject_id", "payload", "created_at",
	"attempts", "lease_until", "lease_token", "acked_at", "dead_at", "last_error",
}

func (q *Queries) buildOutbox() {
	q.add("appendEvent", q.sb.Insert("outbox").Columns(eventCols...).Values(make([]any, len(eventCols))...))
	sel := q.sb.Select(eventCols...).From("outbox")
	q.add("getEvent", sel.Where("id = ?", nil))
	// Claim candidates: every event neither acknowledged nor dead whose
	// lease is over, oldest first. The literal zeros match the partial
	// index outbox_pending. There is deliberately no "after seq" cursor: a
	// transaction that took a lower seq may commit after one that took a
	// higher, and a cursor would skip its events for good.
	claim := sel.Where("acked_at = 0 AND dead_at = 0 AND lease_until <= ?", nil).OrderBy("seq").Suffix("LIMIT ?", nil)
	if q.d.SkipLocked {
		// Concurrent claimers pass over each other's candidates instead
		// of queueing behind them.
		claim = claim.Suffix("FOR UPDATE SKIP LOCKED")
	}
	q.add("claimCandidates", claim)
	q.add("leaseEvent", q.sb.Update("outbox").Set("lease_until", nil).Set("lease_token", nil).
		Set("attempts", sq.Expr("attempts + 1")).Where("id = ?", nil))
	q.add("parkEvent", q.sb.Update("outbox").Set("dead_at", nil).Where("id = ?", nil))
	// Ack and fail act only on the claim whose token they carry, while the
	// event is neither acknowledged nor dead. An event never claimed, or
	// freed by a failure, has the empty token, which nothing may present.
	const current = "id = ? AND lease_token = ? AND lease_token <> '' AND acked_at = 0 AND dead_at = 0"
	q.add("ackEvent", q.sb.Update("outbox").Set("acked_at", nil).Where(current, nil, nil))
	q.add("failEvent", q.sb.Update("outbox").Set("lease_until", nil).Set("lease_token", sq.Expr("''")).
		Set("last_error", nil).Where(current, nil, nil))
	q.add("renewEvent", q.sb.Update("outbox").Set("lease_until", nil).Where(current, nil, nil))
	q.add("releaseEvent", q.sb.Update("outbox").Set("lease_until", sq.Expr("0")).Set("lease_token", sq.Expr("''")).
		Set("attempts", sq.Expr("attempts - 1")).Where(current, nil, nil))
	// The literal last_error <> '' matches the partial index
	// outbox_failed_subject.
	q.add("scrubEventErrors", q.sb.Update("outbox").Set("last_error", sq.Expr("''")).
		Where("subject_id = ? AND last_error <> ''", nil))
	q.add("parkSpentEvent", q.sb.Update("outbox").Set("dead_at", nil).Where("id = ? AND attempts >= ?", nil, nil))
	q.add("eventExists", q.sb.Select("1").From("outbox").Where("id = ?", nil))
	// The literal dead_at <> 0 matches the partial index outbox_dead.
	q.add("deadEvents", sel.Where("company_id = ? AND dead_at <> 0 AND id > ?", nil, nil).OrderBy("id").Suffix("LIMIT ?", nil))
	q.add("countPending", q.sb.Select("COUNT(*)").From("outbox").Where("acked_at = 0 AND dead_at = 0"))
	q.add("countCompanyPending", q.sb.Select("COUNT(*)").From("outbox").Where("acked_at = 0 AND dead_at = 0 AND company_id = ?", nil))
}

func scanEvent(s interface{ Scan(...any) error }) (store.OutboxEvent, error) {
	var e store.OutboxEvent
	var created, lease, acked, dead int64
	err := s.Scan(&e.ID, &e.CompanyID, &e.Kind, &e.SubjectID, &e.Payload, &created,
		&e.Attempts, &lease, &e.LeaseToken, &acked, &dead, &e.LastError)
	e.CreatedAt, e.LeaseUntil, e.AckedAt, e.DeadAt = fromNanos(created), fromNanos(lease), fromNanos(acked), fromNanos(dead)
	return e, err
}

// setInstant refuses an instant the outbox could not record: 0 nanoseconds
// (the zero time, or the Unix epoch itself) is how a column says "unset",
// so an event acknowledged or parked at it would stay pending.
func setInstant(op, name string, at time.Time) error {
	if nanos(at) == 0 {
		return errs.E(errs.Invalid, op, "%s must be a set instant after the Unix epoch's first nanosecond", errs.Phrase(name))
	}
	return nil
}

// AppendEvent implements store.Outbox.
func (t *Tx) AppendEvent(ctx context.Context, e store.OutboxEvent) error {
	_, err := t.exec(ctx, "store.AppendEvent", "appendEvent",
		e.ID, e.CompanyID, e.Kind, e.SubjectID, e.Payload, nanos(e.CreatedAt),
		e.Attempts, nanos(e.LeaseUntil), e.LeaseToken, nanos(e.AckedAt), nanos(e.DeadAt), e.LastError)
	return err
}

// ClaimEvents implements store.Outbox. It reads the oldest claimable
// events (on PostgreSQL locking them, passing over those another claimer
// holds locked), then leases each one, or parks it dead if it has had
// maxAttempts attempts. Parked events do not count against limit: while a
// round parks some, another round fills the free places. A maxAttempts
// below 1 parks nothing; a limit below 1 claims nothing. The lease must end
// after now, and now must be a set instant.
func (t *Tx) ClaimEvents(ctx context.Context, now, until time.Time, token string, limit, maxAttempts int) ([]store.OutboxEvent, error) {
	const op = "store.ClaimEvents"
	if err := setInstant(op, "now", now); err != nil {
		return nil, err
	}
	if !until.After(now) {
		return nil, errs.E(errs.Invalid, op, "the lease must end after now")
	}
	if token == "" {
		return nil, errs.E(errs.Invalid, op, "the lease token must not be empty")
	}
	var out []store.OutboxEvent
	for len(out) < limit {
		want := limit - len(out)
		candidates, err := queryList(ctx, t, op, "claimCandidates", []any{nanos(now), want}, scanEvent)
		if err != nil {
			return nil, err
		}
		parked := 0
		for _, e := range candidates {
			if maxAttempts > 0 && e.Attempts >= maxAttempts {
				if _, err := t.exec(ctx, op, "parkEvent", nanos(now), e.ID); err != nil {
					return nil, err
				}
				parked++
				continue
			}
			if _, err := t.exec(ctx, op, "leaseEvent", nanos(until), token, e.ID); err != nil {
				return nil, err
			}
			e.Attempts++
			e.LeaseUntil, e.LeaseToken = fromNanos(nanos(until)), token
			out = append(out, e)
		}
		if parked == 0 || len(candidates) < want {
			break
		}
	}
	return out, nil
}

// settle runs an ack or fail statement on the claim token names and tells
// a missing event (NotFound) from one that holds no such claim (Conflict).
func (t *Tx) settle(ctx context.Context, op, name, id, token string, args ...any) error {
	n, err := t.execCount(ctx, op, name, args...)
	if err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	var one int
	err = t.queryRow(ctx, op, "eventExists", id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return errs.E(errs.NotFound, op, "%s does not exist", ref("outbox event", id))
	}
	if err != nil {
		return t.q.fail(op, err)
	}
	return errs.E(errs.Conflict, op,
		"%s holds no lease with that token: the lease was claimed again, failed, or the event is acknowledged or dead",
		ref("outbox event", id))
}

// AckEvent implements store.Outbox. A lease that ran out but was not
// claimed again still accepts its token: the delivery happened, and no
// other claimer holds the event. The event keeps the lease that
// delivered it.
func (t *Tx) AckEvent(ctx context.Context, id, token string, now time.Time) error {
	const op = "store.AckEvent"
	if err := setInstant(op, "now", now); err != nil {
		return err
	}
	return t.settle(ctx, op, "ackEvent", id, token, nanos(now), id, token)
}

// FailEvent implements store.Outbox. The event's lease is cleared (zero
// LeaseUntil, empty LeaseToken), so the next claim takes it and the old
// token is refused from then on. A maxAttempts below 1 parks nothing.
func (t *Tx) FailEvent(ctx context.Context, id, token, reason string, now time.Time, maxAttempts int) error {
	return t.failEvent(ctx, "store.FailEvent", id, token, reason, now, time.Time{}, maxAttempts)
}

// RetryEvent implements store.Outbox: FailEvent whose lease ends at
// retryAt instead of at once.
func (t *Tx) RetryEvent(ctx context.Context, id, token, reason string, now, retryAt time.Time, maxAttempts int) error {
	return t.failEvent(ctx, "store.RetryEvent", id, token, reason, now, retryAt, maxAttempts)
}

func (t *Tx) failEvent(ctx context.Context, op, id, token, reason string, now, retryAt time.Time, maxAttempts int) error {
	if err := setInstant(op, "now", now); err != nil {
		return err
	}
	until := int64(0)
	if retryAt.After(now) {
		until = nanos(retryAt)
	}
	if err := t.settle(ctx, op, "failEvent", id, token, until, reason, id, token); err != nil {
		return err
	}
	if maxAttempts < 1 {
		return nil
	}
	_, err := t.exec(ctx, op, "parkSpentEvent", nanos(now), id, maxAttempts)
	return err
}

// RenewEvent implements store.Outbox.
func (t *Tx) RenewEvent(ctx context.Context, id, token string, now, until time.Time) error {
	const op = "store.RenewEvent"
	if err := setInstant(op, "now", now); err != nil {
		return err
	}
	if !until.After(now) {
		return errs.E(errs.Invalid, op, "the lease must end after now")
	}
	return t.settle(ctx, op, "renewEvent", id, token, nanos(until), id, token)
}

// ReleaseEvent implements store.Outbox.
func (t *Tx) ReleaseEvent(ctx context.Context, id, token string, now time.Time) error {
	const op = "store.ReleaseEvent"
	if err := setInstant(op, "now", now); err != nil {
		return err
	}
	return t.settle(ctx, op, "releaseEvent", id, token, id, token)
}

// ScrubEventErrors implements store.Outbox.
func (t *Tx) ScrubEventErrors(ctx context.Context, subjectID string) error {
	_, err := t.exec(ctx, "store.ScrubEventErrors", "scrubEventErrors", subjectID)
	return err
}

// ListDeadEvents implements store.Outbox. A limit below 1 returns nothing.
func (t *Tx) ListDeadEvents(ctx context.Context, companyID, afterID string, limit int) ([]store.OutboxEvent, error) {
	if limit < 1 {
		return nil, nil
	}
	return queryList(ctx, t, "store.ListDeadEvents", "deadEvents", []any{companyID, afterID, limit}, scanEvent)
}

// CountPendingEvents implements store.Outbox. An empty companyID counts
// every company's events.
func (t *Tx) CountPendingEvents(ctx context.Context, companyID string) (int, error) {
	const op = "store.CountPendingEvents"
	var n int
	var err error
	if companyID == "" {
		err = t.queryRow(ctx, op, "countPending").Scan(&n)
	} else {
		err = t.queryRow(ctx, op, "countCompanyPending", companyID).Scan(&n)
	}
	if err != nil {
		return 0, t.q.fail(op, err)
	}
	return n, nil
}
