package licensing_test

import (
	"errors"
	"fmt"
	"maps"
	"slices"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"pgregory.net/rapid"
)

// world is the state a store would keep for one company: its pools and which
// user holds which licenses. The property test applies random operations to
// it through the package's functions and checks the invariants after each.
type world struct {
	company licensing.Company
	offices []licensing.Office
	types   []licensing.LicenseType
	pools   map[poolKey]licensing.Pool
	users   []*user
	// owned is the company's total per type, changed only by SetTotal.
	owned map[licensing.LicenseType]int
}

type poolKey struct {
	office string
	typ    licensing.LicenseType
}

type user struct {
	office string
	held   map[licensing.LicenseType]bool
}

func (w *world) office(id string) licensing.Office {
	for _, o := range w.offices {
		if o.ID == id {
			return o
		}
	}
	panic("no office " + id)
}

func (w *world) poolsOf(office string) map[licensing.LicenseType]licensing.Pool {
	m := make(map[licensing.LicenseType]licensing.Pool)
	for _, typ := range w.types {
		m[typ] = w.pools[poolKey{office, typ}]
	}
	return m
}

func (w *world) holders(office string, typ licensing.LicenseType) []*user {
	var hs []*user
	for _, u := range w.users {
		if u.office == office && u.held[typ] {
			hs = append(hs, u)
		}
	}
	return hs
}

func (w *world) check(t *rapid.T) {
	sums := make(map[licensing.LicenseType]int)
	for k, p := range w.pools {
		if err := p.Validate(); err != nil {
			t.Fatalf("pool %v: %v", k, err)
		}
		if p.Assigned < 0 || p.Assigned > p.Total {
			t.Fatalf("pool %v: %d of %d assigned", k, p.Assigned, p.Total)
		}
		if n := len(w.holders(k.office, k.typ)); p.Assigned != n {
			t.Fatalf("pool %v: %d assigned but %d users hold one", k, p.Assigned, n)
		}
		sums[k.typ] += p.Total
	}
	for _, typ := range w.types {
		if sums[typ] != w.owned[typ] {
			t.Fatalf("company owns %d %q licenses across pools, want %d (changed only by SetTotal)", sums[typ], typ, w.owned[typ])
		}
	}
}

func newWorld(t *rapid.T) *world {
	tier := rapid.SampledFrom([]licensing.Tier{licensing.Standard, licensing.Advanced, licensing.Premium}).Draw(t, "tier")
	w := &world{
		company: licensing.Company{ID: "c-1", Name: "Acme", Tier: tier},
		// Two price levels, and at each one offices in two countries, so
		// that a same-country move can still cross a price level.
		offices: []licensing.Office{
			{ID: "o-ber", CompanyID: "c-1", Name: "Berlin", Country: "DE", PriceLevel: "eu"},
			{ID: "o-par", CompanyID: "c-1", Name: "Paris", Country: "FR", PriceLevel: "eu"},
			{ID: "o-muc", CompanyID: "c-1", Name: "Munich", Country: "DE", PriceLevel: "us"},
			{ID: "o-nyc", CompanyID: "c-1", Name: "New York", Country: "US", PriceLevel: "us"},
		},
		types: []licensing.LicenseType{licensing.Seat, licensing.AIMeetings},
		pools: make(map[poolKey]licensing.Pool),
		owned: make(map[licensing.LicenseType]int),
	}
	for _, o := range w.offices {
		for _, typ := range w.types {
			total := rapid.IntRange(0, 4).Draw(t, fmt.Sprintf("total %s %s", o.ID, typ))
			w.pools[poolKey{o.ID, typ}] = licensing.Pool{OfficeID: o.ID, Type: typ, Total: total}
			w.owned[typ] += total
		}
	}
	return w
}

func TestPropertyLicensesConserved(t *testing.T) {
	t.Parallel()
	rapid.Check(t, func(t *rapid.T) {
		w := newWorld(t)
		officeIDs := make([]string, len(w.offices))
		for i, o := range w.offices {
			officeIDs[i] = o.ID
		}
		drawOffice := rapid.SampledFrom(officeIDs)
		drawType := rapid.SampledFrom(w.types)

		t.Repeat(map[string]func(*rapid.T){
			"SetTotal": func(t *rapid.T) {
				k := poolKey{drawOffice.Draw(t, "office"), drawType.Draw(t, "type")}
				p := w.pools[k]
				total := rapid.IntRange(-2, 8).Draw(t, "total")
				got, err := p.SetTotal(total)
				wantOK := total >= 0 && total >= p.Assigned
				if (err == nil) != wantOK {
					t.Fatalf("%+v.SetTotal(%d) = %v, want ok=%v", p, total, err, wantOK)
				}
				if err != nil {
					if got != p {
						t.Fatalf("failed SetTotal returned %+v, want the input %+v", got, p)
					}
					if total >= 0 && !errors.Is(err, licensing.ErrBelowAssigned) {
						t.Fatalf("SetTotal(%d) below assigned: %v does not match ErrBelowAssigned", total, err)
					}
					return
				}
				if got.Total != total || got.Assigned != p.Assigned {
					t.Fatalf("%+v.SetTotal(%d) = %+v", p, total, got)
				}
				w.owned[k.typ] += total - p.Total
				w.pools[k] = got
			},
			"Take": func(t *rapid.T) {
				k := poolKey{drawOffice.Draw(t, "office"), drawType.Draw(t, "type")}
				p := w.pools[k]
				got, err := p.Take()
				if (err == nil) != (p.Free() > 0) {
					t.Fatalf("%+v.Take() = %v with %d free", p, err, p.Free())
				}
				if err != nil {
					if got != p || !errors.Is(err, licensing.ErrNoFreeLicense) || !errors.Is(err, errs.ErrConflict) {
						t.Fatalf("failed Take returned %+v, %v; want the input %+v and a no-free-license conflict", got, err, p)
					}
					return
				}
				w.pools[k] = got
				w.users = append(w.users, &user{office: k.office, held: map[licensing.LicenseType]bool{k.typ: true}})
			},
			"Return": func(t *rapid.T) {
				k := poolKey{drawOffice.Draw(t, "office"), drawType.Draw(t, "type")}
				p := w.pools[k]
				hs := w.holders(k.office, k.typ)
				got, err := p.Return()
				if (err == nil) != (len(hs) > 0) {
					t.Fatalf("%+v.Return() = %v with %d holders", p, err, len(hs))
				}
				if err != nil {
					if got != p || !errors.Is(err, errs.ErrConflict) {
						t.Fatalf("failed Return returned %+v, %v; want the input %+v and a conflict", got, err, p)
					}
					return
				}
				delete(hs[rapid.IntRange(0, len(hs)-1).Draw(t, "holder")].held, k.typ)
				w.pools[k] = got
			},
			"PlanTransfer": func(t *rapid.T) {
				from, to := w.office(drawOffice.Draw(t, "from")), w.office(drawOffice.Draw(t, "to"))
				typ := drawType.Draw(t, "type")
				count := rapid.IntRange(-1, 6).Draw(t, "count")
				fromPool, toPool := w.pools[poolKey{from.ID, typ}], w.pools[poolKey{to.ID, typ}]
				plan, err := licensing.PlanTransfer(w.company, from, to, fromPool, toPool, count)

				var want error // The sentinel of the first rule broken, in the documented order.
				switch {
				case from.ID == to.ID || count < 1:
					want = errs.ErrInvalid
				case !w.company.Tier.AllowsTransfer():
					want = licensing.ErrTierForbids
				case from.PriceLevel != to.PriceLevel:
					want = licensing.ErrPriceLevelMismatch
				case count > fromPool.Free():
					want = licensing.ErrNoFreeLicense
				}
				if want != nil {
					if !errors.Is(err, want) {
						t.Fatalf("PlanTransfer(%s -> %s, %d of %+v) = %v, want %v", from.ID, to.ID, count, fromPool, err, want)
					}
					return
				}
				if err != nil {
					t.Fatalf("PlanTransfer(%s -> %s, %d of %+v) = %v, want ok", from.ID, to.ID, count, fromPool, err)
				}
				if plan.From.PriceLevel != plan.To.PriceLevel {
					t.Fatalf("transfer crossed price levels: %+v", plan)
				}
				if plan.FromBefore != fromPool || plan.ToBefore != toPool {
					t.Fatalf("plan was computed against %+v, %+v; want %+v, %+v", plan.FromBefore, plan.ToBefore, fromPool, toPool)
				}
				if plan.FromAfter.Assigned != fromPool.Assigned || plan.ToAfter.Assigned != toPool.Assigned {
					t.Fatalf("transfer changed assigned counts: %+v", plan)
				}
				if plan.FromAfter.Total+plan.ToAfter.Total != fromPool.Total+toPool.Total || plan.ToAfter.Total-toPool.Total != count {
					t.Fatalf("transfer of %d did not conserve licenses: %+v", count, plan)
				}
				w.pools[poolKey{from.ID, typ}] = plan.FromAfter
				w.pools[poolKey{to.ID, typ}] = plan.ToAfter
			},
			"MoveUser": func(t *rapid.T) {
				if len(w.users) == 0 {
					t.Skip("no users")
				}
				u := w.users[rapid.IntRange(0, len(w.users)-1).Draw(t, "user")]
				from, to := w.office(u.office), w.office(drawOffice.Draw(t, "to"))
				move, err := licensing.PlanUserMove(w.company, from, to)
				var want error
				switch {
				case from.ID == to.ID:
					want = errs.ErrInvalid
				case !w.company.Tier.AllowsTransfer():
					want = licensing.ErrTierForbids
				case from.PriceLevel != to.PriceLevel:
					want = licensing.ErrPriceLevelMismatch
				}
				if want != nil {
					if !errors.Is(err, want) {
						t.Fatalf("PlanUserMove(%s -> %s) = %v, want %v", from.ID, to.ID, err, want)
					}
					return
				}
				if err != nil {
					t.Fatalf("PlanUserMove(%s -> %s) = %v, want ok", from.ID, to.ID, err)
				}
				if move.SameCountry != (from.Country == to.Country) {
					t.Fatalf("PlanUserMove(%s -> %s).SameCountry = %v", from.ID, to.ID, move.SameCountry)
				}
				held := slices.Sorted(maps.Keys(u.held))
				fromPools, toPools := w.poolsOf(from.ID), w.poolsOf(to.ID)
				newFrom, newTo, err := licensing.MoveLicenses(held, fromPools, toPools)
				wantOK := true
				for _, typ := range held {
					wantOK = wantOK && toPools[typ].Free() > 0
				}
				if (err == nil) != wantOK {
					t.Fatalf("MoveLicenses(%v, %v, %v) = %v, want ok=%v", held, fromPools, toPools, err, wantOK)
				}
				if err != nil {
					if !maps.Equal(newFrom, fromPools) || !maps.Equal(newTo, toPools) || !errors.Is(err, licensing.ErrNoFreeLicense) {
						t.Fatalf("failed MoveLicenses returned %v, %v, %v; want the inputs and a no-free-license error", newFrom, newTo, err)
					}
					return
				}
				for typ := range newFrom {
					w.pools[poolKey{from.ID, typ}] = newFrom[typ]
					w.pools[poolKey{to.ID, typ}] = newTo[typ]
				}
				u.office = to.ID
			},
			"": w.check,
		})
	})
}
