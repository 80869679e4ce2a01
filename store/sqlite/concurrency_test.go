package sqlite_test

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// TestEightWritersOneFile runs 8 goroutines, each with its own Store (its own
// connection pool, as separate processes would have) on one database file,
// through whole user lifecycles. No busy or locked error may surface.
func TestEightWritersOneFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "shared.db")
	admin := lifeline.System("test")
	cheap := lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1})

	first, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	setup, err := lifeline.New(first, cheap)
	if err != nil {
		t.Fatal(err)
	}
	company, err := setup.CreateCompany(ctx, admin, "Acme", licensing.Premium)
	if err != nil {
		t.Fatal(err)
	}
	office, err := setup.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: company.ID, Name: "HQ", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := setup.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 1000); err != nil {
		t.Fatal(err)
	}

	const writers, rounds = 8, 15
	var wg sync.WaitGroup
	failures := make(chan error, writers*rounds)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := sqlite.Open(ctx, path)
			if err != nil {
				failures <- err
				return
			}
			defer st.Close()
			svc, err := lifeline.New(st, cheap)
			if err != nil {
				failures <- err
				return
			}
			for r := range rounds {
				if err := lifecycleRound(ctx, svc, admin, office.ID, fmt.Sprintf("w%dr%d", w, r)); err != nil {
					failures <- err
				}
			}
		}()
	}
	wg.Wait()
	close(failures)
	for err := range failures {
		if sqlite.IsBusy(err) || errs.KindOf(err) == errs.Other {
			t.Errorf("a writer saw a backend error: %v", err)
		} else {
			t.Errorf("unexpected refusal: %v", err)
		}
	}
	users, err := setup.ListUsers(ctx, admin, lifeline.UserQuery{OfficeID: office.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(users) != writers*rounds {
		t.Fatalf("got %d users, want %d", len(users), writers*rounds)
	}
	pools, err := setup.ListPools(ctx, admin, office.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pools[0].Assigned != writers*rounds {
		t.Fatalf("seat pool %+v: want %d assigned (every user restored and live)", pools[0], writers*rounds)
	}
}

func lifecycleRound(ctx context.Context, svc *lifeline.Service, admin lifeline.Actor, officeID, tag string) error {
	u, err := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: officeID,
		Person: lifeline.Person{FirstName: "User", LastName: tag}, Email: tag + "@example.com"})
	if err != nil {
		return err
	}
	steps := []func() (lifeline.User, error){
		func() (lifeline.User, error) { return svc.SetPassword(ctx, admin, u.ID, "password-"+tag) },
		func() (lifeline.User, error) { return svc.Suspend(ctx, admin, u.ID) },
		func() (lifeline.User, error) { return svc.Reinstate(ctx, admin, u.ID) },
		func() (lifeline.User, error) { return svc.Reset(ctx, admin, u.ID, lifecycle.FieldsAll) },
		func() (lifeline.User, error) {
			return svc.Recycle(ctx, admin, u.ID, lifeline.Person{FirstName: "New", LastName: tag}, "")
		},
		func() (lifeline.User, error) { return svc.Delete(ctx, admin, u.ID) },
		func() (lifeline.User, error) { return svc.Restore(ctx, admin, u.ID, lifeline.RestoreOptions{}) },
	}
	for _, step := range steps {
		if _, err := step(); err != nil {
			if errors.Is(err, lifeline.ErrIllegalTransition) {
				return fmt.Errorf("%s: %w", tag, err)
			}
			return err
		}
	}
	return nil
}

// TestClosedStoreRefusesWrites checks that a write after Close fails at once
// instead of waiting for the writer connection, and that Close is idempotent.
func TestClosedStoreRefusesWrites(t *testing.T) {
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "closed.db"))
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatal(err)
	}
	if err := st.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	err = st.Update(ctx, func(store.Tx) error { return nil })
	if err == nil || errs.KindOf(err) != errs.Other {
		t.Fatalf("Update after Close: %v, want an error", err)
	}
}
