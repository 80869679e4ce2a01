// Package lifelinetest is the facade's own specification: what every
// lifeline operation does on a store, checked against every store.
//
// [Run] runs one subtest per behaviour against stores a [Harness] makes:
// every lifecycle operation, numbers, licenses, user transfer, concurrent
// writers, access (the role × operation × scope matrix, tenancy, proxy,
// previews), input hygiene, and finally a model-based state machine
// (pgregory.net/rapid) that drives random operation sequences through the
// facade, as the system and as random staff of every role and another
// company's admin, and after every step checks the invariants of DESIGN.md
// against a plain in-memory model: no lost numbers, licenses conserved,
// quarantine honoured, nothing half-done, no refused or out-of-scope
// operation changing anything, anonymized forever and with nothing
// personal left.
//
// What each role may do comes from the access oracle (internal/accessoracle),
// written by hand from DESIGN.md and the seeds, never from package access:
// the access matrix suite and the model both take their expected
// permission verdict from it, so a wrong matrix cell fails them.
//
// The model is split by capability (machine_users.go, machine_numbers.go,
// machine_licenses.go, machine_access.go), so a new capability adds its
// actions and its part of the model in a file of its own.
//
// The store contract itself is checked by package store/storetest; a
// store's test runs both:
//
//	func TestConformance(t *testing.T) {
//		stores := storetest.HarnessFunc(func(t *testing.T) store.Store { ... })
//		storetest.RunConformance(t, stores, storetest.Config{})
//		lifelinetest.Run(t, stores, lifelinetest.Config{Sequences: 1000})
//	}
package lifelinetest
