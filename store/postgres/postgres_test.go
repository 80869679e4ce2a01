package postgres_test

import (
	"testing"

	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/lifelinetest"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/storetest"
)

// TestConformance runs the store contract and the facade's specification
// on one fresh database. Every subtest gets a store of its own (its own
// connection pool) on that database; the suites keep the subtests' data
// apart by company and number.
func TestConformance(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	stores := storetest.HarnessFunc(func(t *testing.T) store.Store { return openStore(t, dsn) })
	storetest.RunConformance(t, stores, storetest.Config{DeadlineCalls: 3000})
	t.Run("Facade", func(t *testing.T) { lifelinetest.Run(t, stores, lifelinetest.Config{}) })
}
