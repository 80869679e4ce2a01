package lifelinetest

import (
	"context"
	"sync"

	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// faultStore wraps a store so that a test can make one read fail: while a
// fault is set, every transaction's GetUser of the user it names calls the
// fault instead of (or before) the store. It passes on no optional
// interface (store.SingleReader and the rest), so the facade takes the
// plain path, through View and Update.
type faultStore struct {
	store.Store
	mu     sync.Mutex
	userID string
	fault  func(ctx context.Context, tx store.Tx, id string) (lifecycle.User, error)
}

// failUser makes GetUser of userID run fault until clear is called.
func (s *faultStore) failUser(userID string, fault func(ctx context.Context, tx store.Tx, id string) (lifecycle.User, error)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.userID, s.fault = userID, fault
}

// clear removes the fault.
func (s *faultStore) clear() { s.failUser("", nil) }

func (s *faultStore) faultFor(id string) func(ctx context.Context, tx store.Tx, id string) (lifecycle.User, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fault == nil || id != s.userID {
		return nil
	}
	return s.fault
}

// Update implements store.Store.
func (s *faultStore) Update(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.Update(ctx, func(tx store.Tx) error { return fn(faultTx{Tx: tx, s: s}) })
}

// View implements store.Store.
func (s *faultStore) View(ctx context.Context, fn func(store.Tx) error) error {
	return s.Store.View(ctx, func(tx store.Tx) error { return fn(faultTx{Tx: tx, s: s}) })
}

type faultTx struct {
	store.Tx
	s *faultStore
}

// GetUser implements store.Users, failing as the store's fault says.
func (t faultTx) GetUser(ctx context.Context, id string) (lifecycle.User, error) {
	if f := t.s.faultFor(id); f != nil {
		return f(ctx, t.Tx, id)
	}
	return t.Tx.GetUser(ctx, id)
}
