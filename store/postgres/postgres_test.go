package postgres_test

import (
	"testing"

	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/storetest"
)

// TestConformance runs the whole conformance suite on one fresh database.
// Every subtest gets a store of its own (its own connection pool) on that
// database; the suite keeps the subtests' data apart by company and number.
func TestConformance(t *testing.T) {
	dsn := newDatabase(t)
	storetest.RunConformance(t, storetest.HarnessFunc(func(t *testing.T) store.Store {
		return openStore(t, dsn)
	}), storetest.Config{DeadlineCalls: 3000})
}
