// Package relay delivers lifeline's outbox: the events the facade writes
// in each operation's transaction (delete a recording's audio, release a
// number at the carrier, send an email) leave the process through it.
//
// A [Relay] claims a batch of events under a lease, wraps each in a
// CloudEvents 1.0 JSON envelope ([CloudEvent]) and hands it to a [Sink]:
// an in-process handler ([Func]), a NATS JetStream stream ([JetStream]) or
// HTTP endpoints signed per the Standard Webhooks specification
// ([Webhooks]). An event the sink took is acknowledged. One it refused is
// tried again after an exponential backoff with jitter ([Relay.Backoff]),
// and parked among the dead events (lifeline's DeadEvents lists them, with
// the last failure's text) once it had Config.MaxAttempts deliveries, or at
// once when the sink marks the failure [Permanent]. A delivery that runs
// longer than a third of its lease has its lease renewed, so no other
// relay takes the event meanwhile.
//
// # Delivery is at least once
//
// An event is acknowledged only after the sink returned, so a relay that
// dies between the two (or whose lease ran out) delivers the event again.
// Every envelope carries the outbox event's id, unchanged on every
// redelivery, as the CloudEvents id; JetStream deduplicates on it (it is
// the Nats-Msg-Id, within the stream's duplicate window) and webhooks
// carry it as webhook-id. Receivers deduplicate on it.
//
// # Stopping
//
// When Run's context ends the relay claims nothing more. Events it claimed
// but had not handed to the sink are released: their lease ends and the
// attempt is given back, so the next claim, by this relay restarted or by
// another, takes them as if never claimed. Deliveries already handed over
// get Config.StopGrace to finish and are then acknowledged or failed as
// usual; those still running are cancelled and released. Run returns once
// every claimed event is settled. A relay killed outright settles nothing:
// its events come back when their lease ends, and are delivered again.
//
// # Several relays
//
// On PostgreSQL any number of relays, in one process or many, share one
// database: claims skip the events another claim holds locked
// (FOR UPDATE SKIP LOCKED) and leases keep them apart. On SQLite the
// database file has one writer at a time, so run one relay per file;
// a second one is safe (claims are serialized) but adds nothing.
//
// # Events
//
// The CloudEvents type is the outbox event's kind, the subject the id it is
// about, and data a JSON object of ids only, never personal data (an email
// event names the user, whose address the host reads when sending). The
// extension attribute companyid names the company. [Catalog] lists every
// type; README.md in this directory shows it as a table a test keeps in
// step with the code.
package relay
