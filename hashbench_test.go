package lifeline

import (
	"context"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// setPasswordInTx is SetPassword as it was before the runner: argon2 runs
// inside the transaction, holding SQLite's one writer for the hash's
// duration. It exists only to measure what moving the hash out bought.
type setPasswordInTx struct{ SetPassword }

func (x setPasswordInTx) prepare(ctx context.Context, s *Service) (step[User], error) {
	return userStep(x.UserID, func(_ *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		st, err := u.Status.Apply(lifecycle.EventSetPassword)
		if err != nil {
			return u, "", "", err
		}
		u.Status = st
		u.PasswordHash = s.hash.hashSecret(x.Password)
		return u, "password set", "", nil
	}), nil
}

// BenchmarkWriteWhileSettingPasswords measures an unrelated write
// (SetDevices on another user) while another goroutine sets passwords with
// the default argon2id cost, with the hash inside the write transaction (as
// before the runner) and outside it (now). It reports the median and 99th
// percentile latency of the unrelated write.
//
//	go test -run='^$' -bench=WriteWhileSettingPasswords -benchtime=200x -count=3 .
func BenchmarkWriteWhileSettingPasswords(b *testing.B) {
	for _, mode := range []struct {
		name string
		op   func(id string) Operation[User]
	}{
		{"hash=inside-tx", func(id string) Operation[User] {
			return setPasswordInTx{SetPassword{UserID: id, Password: "correct horse battery"}}
		}},
		{"hash=before-tx", func(id string) Operation[User] { return SetPassword{UserID: id, Password: "correct horse battery"} }},
	} {
		b.Run(mode.name, func(b *testing.B) {
			ctx := context.Background()
			st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "bench.db"))
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			svc, err := New(st)
			if err != nil {
				b.Fatal(err)
			}
			sys := System("bench")
			boot, err := svc.Bootstrap(ctx, sys, Bootstrap{AdminPassword: "correct horse battery staple", CompanyName: "Bench", Tier: "premium",
				Office: NewOffice{Name: "HQ", Country: "US"}, Admin: NewUser{Person: Person{FirstName: "A", LastName: "Dmin"}}})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := svc.SetPoolTotal(ctx, sys, boot.Office.ID, "seat", 10); err != nil {
				b.Fatal(err)
			}
			mk := func() string {
				u, err := svc.CreateUser(ctx, sys, NewUser{OfficeID: boot.Office.ID, Person: Person{FirstName: "Ada", LastName: "Lovelace"}})
				if err != nil {
					b.Fatal(err)
				}
				return u.ID
			}
			hashed, other := mk(), mk()
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
					}
					if _, err := Do(ctx, svc, sys, mode.op(hashed)); err != nil {
						b.Error(err)
						return
					}
				}
			})
			lat := make([]time.Duration, 0, b.N)
			b.ResetTimer()
			for i := range b.N {
				start := time.Now()
				if _, err := svc.SetDevices(ctx, sys, other, []string{"desk", string(rune('a' + i%26))}); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(start))
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
			slices.Sort(lat)
			b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		})
	}
}
