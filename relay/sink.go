package relay

import (
	"context"
	"errors"
)

// Sink hands an event over to where it leaves the process: a handler in
// the same process ([Func]), a NATS JetStream stream ([JetStream]), an
// HTTP endpoint ([Webhooks]). Deliver returns nil only once the receiver
// has taken the event (for JetStream, once the server acknowledged the
// publish); any error means "not delivered, try again later" unless it is
// [Permanent]. Deliver may be called again with the same event after a
// success whose acknowledgement was lost: receivers deduplicate on
// CloudEvent.ID. Deliver must return when ctx ends.
type Sink interface {
	Deliver(ctx context.Context, e *CloudEvent) error
}

// Func is a Sink that calls an in-process handler.
type Func func(ctx context.Context, e *CloudEvent) error

// Deliver implements Sink.
func (f Func) Deliver(ctx context.Context, e *CloudEvent) error { return f(ctx, e) }

// permanentError marks a failure retrying will not cure.
type permanentError struct{ err error }

func (p *permanentError) Error() string { return p.err.Error() }
func (p *permanentError) Unwrap() error { return p.err }

// Permanent marks err as a failure retrying will not cure (the endpoint is
// gone, the event is malformed for its receiver): the relay parks the
// event among the dead events at once, with err's text as the reason,
// instead of retrying it. Permanent(nil) is nil.
func Permanent(err error) error {
	if err == nil {
		return nil
	}
	return &permanentError{err}
}

// IsPermanent reports whether err, or an error it wraps, was marked with
// [Permanent].
func IsPermanent(err error) bool {
	var p *permanentError
	return errors.As(err, &p)
}
