package storetest

import (
	"context"
	"testing"

	"github.com/lifeline-go/lifeline/store"
)

// WithoutUpgrades wraps the stores h makes so that they pass on no
// optional upgrade: the store is only a store.Store (no SingleReader,
// Exclusive or Checkpointer) and its transactions only a store.Tx (no
// UserBatchReader, UserPoolReader, ExtensionReader, NumberPager, Search or
// SearchExplainer). Run the facade's suite (lifelinetest) over it to check
// the facade's fallbacks for a store that has none of them; upgrades a
// store implements are checked by [RunConformance] itself.
func WithoutUpgrades(h Harness) Harness {
	return HarnessFunc(func(t *testing.T) store.Store { return plainStore{h.NewStore(t)} })
}

// plainStore is a store.Store and nothing more.
type plainStore struct{ s store.Store }

// plainTx is a store.Tx and nothing more.
type plainTx struct{ store.Tx }

func (p plainStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return p.s.Update(ctx, func(tx store.Tx) error { return fn(plainTx{tx}) })
}

func (p plainStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return p.s.View(ctx, func(tx store.Tx) error { return fn(plainTx{tx}) })
}

func (p plainStore) Close() error { return p.s.Close() }
