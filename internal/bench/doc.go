// Package bench measures lifeline against a floor: hand-written SQL that
// writes exactly the rows the facade writes (users, numbers, licenses,
// pools, recording plans, audit, outbox), each statement prepared once on
// one dedicated connection, in the same kind of transaction (BEGIN
// IMMEDIATE on SQLite, SERIALIZABLE on PostgreSQL), with the same DSN, in
// the same binary.
//
// A [Pair] is two databases seeded identically: the facade runs on one, the
// floor on the other. TestFloorWritesTheFacadeRows proves, operation by
// operation, that both end with the same table contents (random ids
// mapped); the benchmarks run both sides interleaved, operation by
// operation, alternating which goes first, and report the ratio as the
// x-floor metric:
//
//	go test -run '^$' -bench . ./internal/bench
//
// The many-user set-ups (sweeps, bulk deletes, list pages) are seeded with
// set-based SQL ([Clone]), identically on both sides. PostgreSQL
// benchmarks and tests run when the PostgreSQL binaries are installed (see
// internal/pgtest); under CI=true the tests fail without them.
package bench
