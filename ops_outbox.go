package lifeline

import (
	"context"
	"time"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

// The outbox operations, declared once. They are the host's delivery
// loop's: only a system principal trusted across companies runs them.
var (
	specClaimEvents = declare("outbox.claim", "", true)
	specAckEvent    = declare("outbox.ack", "", true)
	specFailEvent   = declare("outbox.fail", "", true)
	specDeadEvents  = declare("outbox.list-dead", "", false)
	specRenewEvent  = declare("outbox.renew", "", true)
)

// DefaultMaxAttempts is how many times an event is handed out before it is
// parked as dead.
const DefaultMaxAttempts = 8

// ClaimEvents hands out up to Limit outbox events for delivery, each under
// a lease of Lease: until the lease ends no other claim gets it. Deliver
// each, then AckEvent it with the Lease token it carries (LeaseToken), or
// FailEvent it; an event neither acknowledged nor failed comes back when
// its lease ends. Delivery is at least once: consumers deduplicate on the
// event's ID. An event handed out MaxAttempts times without an ack is
// parked dead (DeadEvents lists it) instead.
type ClaimEvents struct {
	Lease       time.Duration
	Limit       int
	MaxAttempts int
}

// Spec implements Operation.
func (ClaimEvents) Spec() OpSpec { return specClaimEvents }

func (x ClaimEvents) prepare(context.Context, *Service) (step[[]OutboxEvent], error) {
	if x.Lease < time.Second || x.Lease > 24*time.Hour {
		return nil, errs.E(errs.Invalid, specClaimEvents.Name, "lease %s: give 1s to 24h", x.Lease).
			Say("A claim on events must last from one second to one day.")
	}
	if x.Limit <= 0 || x.Limit > 1000 {
		return nil, errs.E(errs.Invalid, specClaimEvents.Name, "limit %d: give 1 to 1000", x.Limit).
			Say("Claim 1 to 1000 events at a time.")
	}
	if x.MaxAttempts == 0 {
		x.MaxAttempts = DefaultMaxAttempts
	}
	if x.MaxAttempts < 1 {
		return nil, errs.E(errs.Invalid, specClaimEvents.Name, "max attempts %d must be positive", x.MaxAttempts).
			Say("An event must be tried at least once before it is set aside.")
	}
	return func(o *op) ([]OutboxEvent, error) {
		if err := o.authorizeOutbox(); err != nil {
			return nil, err
		}
		// A fresh token per attempt: a retried transaction never reuses
		// one a rolled-back attempt handed out.
		return o.tx.ClaimEvents(o.ctx, o.now, o.now.Add(x.Lease), newID("lease_"), x.Limit, x.MaxAttempts)
	}, nil
}

// authorizeOutbox lets only a system principal trusted across companies
// through: the outbox holds every company's events.
func (o *op) authorizeOutbox() error { return o.authorizeGlobalSystem("delivers the outbox") }

// ClaimEvents claims events for delivery. See [ClaimEvents].
func (s *Service) ClaimEvents(ctx context.Context, actor Actor, lease time.Duration, limit int) ([]OutboxEvent, error) {
	return Do(ctx, s, actor, ClaimEvents{Lease: lease, Limit: limit})
}

// AckEvent acknowledges a delivered event. It is refused as a conflict when
// the lease the token names has ended and the event was handed out again
// (the other delivery will acknowledge it).
type AckEvent struct {
	ID    string
	Token string
}

// Spec implements Operation.
func (AckEvent) Spec() OpSpec { return specAckEvent }

func (x AckEvent) prepare(context.Context, *Service) (step[struct{}], error) {
	return func(o *op) (struct{}, error) {
		if err := o.authorizeOutbox(); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, o.tx.AckEvent(o.ctx, x.ID, x.Token, o.now)
	}, nil
}

// AckEvent acknowledges a delivered event. See [AckEvent].
func (s *Service) AckEvent(ctx context.Context, actor Actor, id, token string) error {
	_, err := Do(ctx, s, actor, AckEvent{ID: id, Token: token})
	return err
}

// FailEvent reports a failed delivery: the event's lease ends now, so the
// next claim hands it out again, unless it has had MaxAttempts attempts,
// when it is parked dead.
//
// Reason is kept for an operator reading dead events. It is usually a
// downstream error's text, so it is never refused, which would lose the
// failure and keep the event from ever being parked: it is cut to
// [MaxEventReason] bytes and every character lifeline's text policy refuses is replaced,
// a newline or tab by a space and anything else (a bidirectional control,
// a zero-width character, invalid UTF-8) by U+FFFD.
//
// RetryAfter, when positive, keeps the event from the next claims for
// that long (a backoff). Permanent parks the event dead at once, whatever
// its attempts: the failure will not go away by retrying (a webhook
// endpoint answered 410 Gone). Release gives the claim back unused: the
// event was never handed over (its deliverer is stopping), so the attempt
// is not counted, no reason is recorded and the next claim takes it.
type FailEvent struct {
	ID          string
	Token       string
	Reason      string
	MaxAttempts int
	RetryAfter  time.Duration
	Permanent   bool
	Release     bool
}

// MaxEventReason is the most bytes of a delivery failure's reason that
// FailEvent keeps: enough for a downstream error's message, not for a
// response body.
const MaxEventReason = 300

// Spec implements Operation.
func (FailEvent) Spec() OpSpec { return specFailEvent }

func (x FailEvent) prepare(context.Context, *Service) (step[struct{}], error) {
	if x.MaxAttempts == 0 {
		x.MaxAttempts = DefaultMaxAttempts
	}
	if x.RetryAfter < 0 || x.RetryAfter > 24*time.Hour {
		return nil, errs.E(errs.Invalid, specFailEvent.Name, "retry after %s: give 0 to 24h", x.RetryAfter).
			Say("The wait before a delivery is tried again must be between zero and one day.")
	}
	reason := text.Sanitize(errs.ClipAt(x.Reason, MaxEventReason))
	return func(o *op) (struct{}, error) {
		if err := o.authorizeOutbox(); err != nil {
			return struct{}{}, err
		}
		switch {
		case x.Release:
			return struct{}{}, o.tx.ReleaseEvent(o.ctx, x.ID, x.Token, o.now)
		case x.Permanent:
			// One attempt is always spent: the claim counted it.
			return struct{}{}, o.tx.FailEvent(o.ctx, x.ID, x.Token, reason, o.now, 1)
		case x.RetryAfter > 0:
			return struct{}{}, o.tx.RetryEvent(o.ctx, x.ID, x.Token, reason, o.now, o.now.Add(x.RetryAfter), x.MaxAttempts)
		}
		return struct{}{}, o.tx.FailEvent(o.ctx, x.ID, x.Token, reason, o.now, x.MaxAttempts)
	}, nil
}

// FailEvent reports a failed delivery. See [FailEvent].
func (s *Service) FailEvent(ctx context.Context, actor Actor, id, token, reason string) error {
	_, err := Do(ctx, s, actor, FailEvent{ID: id, Token: token, Reason: reason})
	return err
}

// DeadEvents lists a company's dead events: those handed out too often
// without an acknowledgement, for an operator to look at.
type DeadEvents struct {
	CompanyID string
	AfterID   string
	Limit     int
}

// Spec implements Operation.
func (DeadEvents) Spec() OpSpec { return specDeadEvents }

func (x DeadEvents) prepare(context.Context, *Service) (step[[]OutboxEvent], error) {
	limit := x.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	return func(o *op) ([]OutboxEvent, error) {
		if err := o.authorizeOutbox(); err != nil {
			return nil, err
		}
		return o.tx.ListDeadEvents(o.ctx, x.CompanyID, x.AfterID, limit)
	}, nil
}

// DeadEvents lists dead events. See [DeadEvents].
func (s *Service) DeadEvents(ctx context.Context, actor Actor, companyID string) ([]OutboxEvent, error) {
	return Do(ctx, s, actor, DeadEvents{CompanyID: companyID})
}

// RenewEvent extends a claim whose delivery takes longer than its lease:
// the lease now ends Lease from now. It is refused as a conflict, as
// AckEvent is, when the lease was claimed again (the deliverer should
// then give up: another holds the event).
type RenewEvent struct {
	ID    string
	Token string
	Lease time.Duration
}

// Spec implements Operation.
func (RenewEvent) Spec() OpSpec { return specRenewEvent }

func (x RenewEvent) prepare(context.Context, *Service) (step[struct{}], error) {
	if x.Lease < time.Second || x.Lease > 24*time.Hour {
		return nil, errs.E(errs.Invalid, specRenewEvent.Name, "lease %s: give 1s to 24h", x.Lease).
			Say("A claim on events must last from one second to one day.")
	}
	return func(o *op) (struct{}, error) {
		if err := o.authorizeOutbox(); err != nil {
			return struct{}{}, err
		}
		return struct{}{}, o.tx.RenewEvent(o.ctx, x.ID, x.Token, o.now, o.now.Add(x.Lease))
	}, nil
}

// RenewEvent extends a claim's lease. See [RenewEvent].
func (s *Service) RenewEvent(ctx context.Context, actor Actor, id, token string, lease time.Duration) error {
	_, err := Do(ctx, s, actor, RenewEvent{ID: id, Token: token, Lease: lease})
	return err
}
