// Package storetest is the conformance suite of the store contract: what
// every lifeline store must do, checked below the facade.
//
// [RunConformance] runs one subtest per behaviour against stores a [Harness]
// makes: round trips of every repository, error kinds, rollback of a failed
// transaction, text no backend can encode refused alike, and a storm of
// writes and reads under random 0–4 ms deadlines after which no failed
// write has committed, no committed write is missing and no connection is
// stuck. The facade's own specification, run on the same stores, is
// package lifelinetest.
//
// Every method of every interface of package store, required or optional,
// is called by a case: the suite's own test (TestEveryMethodCovered) lists
// the interfaces' methods by reflection and fails on one that no case
// reachable from RunConformance calls. A case of an optional upgrade
// (store.Search, store.Exclusive and the rest) checks that the store has it
// first and is skipped otherwise. [WithoutUpgrades] hides every upgrade of
// a store, to run the facade's fallbacks over it.
//
// # Using it for a new store
//
// A store's own test is a few lines:
//
//	func TestConformance(t *testing.T) {
//		stores := storetest.HarnessFunc(func(t *testing.T) store.Store {
//			st, err := mystore.Open(t.Context(), dsnFor(t))
//			if err != nil {
//				t.Fatal(err)
//			}
//			t.Cleanup(func() { st.Close() })
//			return st
//		})
//		storetest.RunConformance(t, stores, storetest.Config{})
//		lifelinetest.Run(t, stores, lifelinetest.Config{Sequences: 1000})
//	}
//
// The helpers it exports (UID, FreshLocal, WantErr, ...) are shared with
// lifelinetest.
package storetest
