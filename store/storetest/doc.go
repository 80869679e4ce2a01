// Package storetest is the conformance suite every lifeline store must pass.
//
// [RunConformance] runs one subtest per behaviour against stores a [Harness]
// makes: the store contract of package store on its own (round trips,
// error kinds, rollback of a failed transaction), then the lifeline facade
// on top of the store (every lifecycle operation, numbers, licenses, user
// transfer, concurrent writers) and finally a model-based state machine
// (pgregory.net/rapid) that drives random operation sequences through the
// facade and, after every step, checks the invariants of DESIGN.md against a
// plain in-memory model: no lost numbers, licenses conserved, quarantine
// honoured, nothing half-done, anonymized forever and with nothing personal
// left.
//
// # What the suite promises
//
// A store that passes behaves as the store contract documents, with the
// error kinds it documents, and every facade operation on it gives the
// result and the error kind DESIGN.md's tables give. Every subtest works
// inside its own company, so one database can host all of them; the phone
// numbers the suite adds come from valid US (+1 650, +1 800) and GB
// (+44 20 79) ranges and are unique within the test process.
//
// # Using it for a new store
//
// A store's own test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		storetest.RunConformance(t, storetest.HarnessFunc(func(t *testing.T) store.Store {
//			st, err := mystore.Open(t.Context(), dsnFor(t))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { st.Close() })
//			return st
//		}), storetest.Config{Sequences: 1000})
//	}
//
// The state machine runs [Config.Sequences] random sequences (see [Config]
// for how that interacts with rapid's -rapid.checks flag).
package storetest
