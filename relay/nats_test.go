package relay_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/relay"
	"github.com/lifeline-go/lifeline/store/postgres"
)

// startJetStream starts a NATS server with JetStream in this process,
// storing in a temporary directory, and makes the stream LIFELINE on the
// subjects lifeline.>.
func startJetStream(t *testing.T) (jetstream.JetStream, jetstream.Stream) {
	t.Helper()
	ns, err := server.NewServer(&server.Options{Host: "127.0.0.1", Port: -1, JetStream: true,
		StoreDir: t.TempDir(), NoLog: true, NoSigs: true})
	if err != nil {
		t.Fatal(err)
	}
	ns.Start()
	t.Cleanup(func() { ns.Shutdown(); ns.WaitForShutdown() })
	if !ns.ReadyForConnections(10 * time.Second) {
		t.Fatal("the NATS server did not start")
	}
	nc, err := nats.Connect(ns.ClientURL())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(nc.Close)
	js, err := jetstream.New(nc)
	if err != nil {
		t.Fatal(err)
	}
	stream, err := js.CreateStream(bg, jetstream.StreamConfig{Name: "LIFELINE", Subjects: []string{"lifeline.>"},
		Duplicates: 2 * time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return js, stream
}

// streamMsg is a message read back from the stream.
type streamMsg struct {
	Subject, MsgID, ContentType string
	Event                       map[string]any
}

// readStream reads every message of the stream, in order.
func readStream(t *testing.T, stream jetstream.Stream) []streamMsg {
	t.Helper()
	info, err := stream.Info(bg)
	if err != nil {
		t.Fatal(err)
	}
	total := int(info.State.Msgs)
	cons, err := stream.OrderedConsumer(bg, jetstream.OrderedConsumerConfig{})
	if err != nil {
		t.Fatal(err)
	}
	var out []streamMsg
	for len(out) < total {
		batch, err := cons.Fetch(500, jetstream.FetchMaxWait(2*time.Second))
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for m := range batch.Messages() {
			n++
			var ev map[string]any
			if err := json.Unmarshal(m.Data(), &ev); err != nil {
				t.Fatalf("message %d is not JSON: %v", len(out), err)
			}
			out = append(out, streamMsg{Subject: m.Subject(), MsgID: m.Headers().Get(jetstream.MsgIDHeader),
				ContentType: m.Headers().Get("Content-Type"), Event: ev})
		}
		if n == 0 {
			t.Fatalf("read %d of the stream's %d messages, then nothing came", len(out), total)
		}
	}
	return out
}

// TestJetStreamSink publishes events with their id as Nats-Msg-Id: a
// redelivery is dropped by the stream, and an event whose publish the
// server did not acknowledge stays in the outbox.
func TestJetStreamSink(t *testing.T) {
	js, stream := startJetStream(t)
	svc, st := newSQLite(t, nil)
	sink := &relay.JetStream{JS: js}
	r := newRelay(t, relay.Config{Service: svc, Sink: sink, Concurrency: 1})
	appendEvents(t, st, event("cmp_a", 1), event("cmp_b", 2))
	runOnce(t, r)
	// A relay whose acknowledgement was lost publishes again.
	ce, err := relay.Envelope(relay.DefaultSource, event("cmp_a", 1))
	if err != nil {
		t.Fatal(err)
	}
	if err := sink.Deliver(bg, ce); err != nil {
		t.Fatal(err)
	}
	got := readStream(t, stream)
	var summary []string
	for _, m := range got {
		summary = append(summary, fmt.Sprintf("%s %s %s %s", m.Subject, m.MsgID, m.ContentType, m.Event["id"]))
	}
	want := []string{
		"lifeline.cmp_a.recording.delete-audio evt_cmp_a_000001 application/cloudevents+json evt_cmp_a_000001",
		"lifeline.cmp_b.recording.delete-audio evt_cmp_b_000002 application/cloudevents+json evt_cmp_b_000002",
	}
	if !slices.Equal(want, summary) {
		t.Errorf("stream holds\n%q\nwant\n%q", summary, want)
	}
	if n := pending(t, st); n != 0 {
		t.Errorf("%d events pending after delivery, want 0", n)
	}

	// No stream takes these subjects: the server never acknowledges, and
	// the event is retried, not acknowledged.
	lost := newRelay(t, relay.Config{Service: svc, Sink: &relay.JetStream{JS: js, Prefix: "nowhere"}})
	appendEvents(t, st, event("cmp_a", 3))
	runOnce(t, lost)
	if s := lost.Stats(); s.Delivered != 0 || s.Retried != 1 {
		t.Errorf("stats %+v publishing where no stream listens, want 1 retried, none delivered", s)
	}
	if n := pending(t, st); n != 1 {
		t.Errorf("%d events pending after an unacknowledged publish, want 1", n)
	}
}

// lossySink publishes through JetStream but reports a failure after the
// first publish of every 50th event, as if the acknowledgement were lost
// on the way back: the relay publishes again, and the stream deduplicates.
type lossySink struct {
	relay.JetStream
	seen  sync.Map
	n     atomic.Int64
	lost  atomic.Int64
	calls atomic.Int64
}

func (s *lossySink) Deliver(ctx context.Context, e *relay.CloudEvent) error {
	s.calls.Add(1)
	if err := s.JetStream.Deliver(ctx, e); err != nil {
		return err
	}
	if _, again := s.seen.LoadOrStore(e.ID, true); !again && s.n.Add(1)%50 == 0 {
		s.lost.Add(1)
		return errors.New("the publish acknowledgement was lost")
	}
	return nil
}

// TestFourRelaysPostgres has 8 writers append events to one PostgreSQL
// outbox while 4 relays, each with its own connections, deliver it to one
// JetStream stream: every event is in the stream exactly once, none lost,
// and the relays shared the work. LIFELINE_RELAY_FULL=1 runs 10 000 events
// instead of 2 000.
func TestFourRelaysPostgres(t *testing.T) {
	const writers, relays = 8, 4
	events := 2000
	if os.Getenv("LIFELINE_RELAY_FULL") == "1" {
		events = 10000
	}
	dsn := pgtest.NewDatabase(t)
	js, stream := startJetStream(t)
	open := func(conns int) *postgres.Store {
		st, err := postgres.Open(bg, dsn, postgres.WithMaxConns(conns))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	sink := &lossySink{JetStream: relay.JetStream{JS: js}}
	ctx, stop := context.WithCancel(bg)
	defer stop()
	var rs []*relay.Relay
	var relayStores []*postgres.Store
	var running sync.WaitGroup
	for range relays {
		rst := open(10)
		relayStores = append(relayStores, rst)
		r := newRelay(t, relay.Config{Service: newService(t, rst, nil), Sink: sink,
			MinBackoff: 10 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, Idle: 20 * time.Millisecond})
		rs = append(rs, r)
		running.Go(func() {
			if err := r.Run(ctx); err != nil {
				t.Error(err)
			}
		})
	}
	began := time.Now()
	var written sync.WaitGroup
	for w := range writers {
		st := open(1)
		written.Go(func() {
			company := fmt.Sprintf("cmp_%d", w)
			for i := 0; i < events/writers; i += 10 {
				batch := make([]lifeline.OutboxEvent, 0, 10)
				for j := i; j < min(i+10, events/writers); j++ {
					batch = append(batch, event(company, j))
				}
				appendEvents(t, st, batch...)
			}
		})
	}
	written.Wait()
	check := open(1)
	deadline := time.Now().Add(2 * time.Minute)
	for pending(t, check) > 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d events still pending after 2 minutes", pending(t, check))
		}
		time.Sleep(20 * time.Millisecond)
	}
	elapsed := time.Since(began)
	stop()
	running.Wait()

	got := readStream(t, stream)
	seen := map[string]int{}
	for _, m := range got {
		seen[m.MsgID]++
		if m.Event["id"] != m.MsgID {
			t.Fatalf("message with Nats-Msg-Id %s carries the event %v", m.MsgID, m.Event["id"])
		}
	}
	for w := range writers {
		for j := range events / writers {
			id := event(fmt.Sprintf("cmp_%d", w), j).ID
			if seen[id] != 1 {
				t.Errorf("event %s is in the stream %d times, want once", id, seen[id])
			}
			delete(seen, id)
		}
	}
	if len(got) != events || len(seen) != 0 {
		t.Errorf("the stream holds %d messages (%d not written), want %d", len(got), len(seen), events)
	}
	var total relay.Stats
	var each []int64
	working := 0
	for _, r := range rs {
		s := r.Stats()
		each = append(each, s.Delivered)
		if s.Delivered > 0 {
			working++
		}
		total.Delivered += s.Delivered
		total.Retried += s.Retried
		total.LeaseLost += s.LeaseLost
		total.Dead += s.Dead
		total.SettleErrors += s.SettleErrors
	}
	// On a loaded machine one relay may lose every claim race for a
	// while; sharing needs two at least.
	if working < 2 {
		t.Errorf("relays delivered %v: they did not share the work", each)
	}
	if total.Delivered != int64(events) || total.Dead != 0 {
		t.Errorf("relays acknowledged %d and parked %d events, want %d and none", total.Delivered, total.Dead, events)
	}
	var retries int64
	for _, st := range relayStores {
		retries += st.Retries()
	}
	t.Logf("%d events, %d relays (delivering %v): %s, %.0f events/s; %d publishes, %d acknowledgements lost and retried; "+
		"%d transactions retried after a serialization failure, %d outcomes not recorded",
		events, relays, each, elapsed.Round(time.Millisecond), float64(events)/elapsed.Seconds(), sink.calls.Load(), sink.lost.Load(), retries, total.SettleErrors)
}
