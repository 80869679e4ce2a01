package relay

import (
	"context"
	"fmt"
	"strings"

	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// JetStream is a Sink that publishes each event to a NATS JetStream
// stream, on the subject "<Prefix>.<companyid>.<type>" (such as
// "lifeline.cmp_a.recording.delete-audio"), with the event's id as
// Nats-Msg-Id: the stream drops a redelivery that arrives within its
// duplicate window (StreamConfig.Duplicates, two minutes by default). A
// redelivery comes after the relay's Lease (a relay that died) or after
// its backoff (an acknowledgement lost on the way back), so keep the
// window longer than both Lease and MaxBackoff, or accept that a late
// redelivery is stored twice and deduplicated by its consumer. The body is the CloudEvents JSON,
// with the header Content-Type: application/cloudevents+json. Deliver
// returns nil only once the server acknowledged the publish, so an event
// is acknowledged in the outbox only once it is stored in the stream.
type JetStream struct {
	// JS publishes; the stream taking Prefix's subjects must exist.
	JS jetstream.JetStream
	// Prefix starts every subject. Default "lifeline".
	Prefix string
}

// Deliver implements Sink.
func (s *JetStream) Deliver(ctx context.Context, e *CloudEvent) error {
	prefix := s.Prefix
	if prefix == "" {
		prefix = "lifeline"
	}
	if !subjectToken(e.CompanyID) {
		return Permanent(fmt.Errorf("the company id %.40q cannot be a NATS subject token", e.CompanyID))
	}
	msg := nats.NewMsg(prefix + "." + e.CompanyID + "." + e.Type)
	msg.Header.Set("Content-Type", ContentType)
	msg.Data = e.JSON()
	if _, err := s.JS.PublishMsg(ctx, msg, jetstream.WithMsgID(e.ID)); err != nil {
		return fmt.Errorf("publishing to NATS JetStream: %w", err)
	}
	return nil
}

// subjectToken reports whether s is one NATS subject token.
func subjectToken(s string) bool {
	return s != "" && !strings.ContainsAny(s, ". \t\r\n*>")
}
