package licensing_test

import (
	"errors"
	"maps"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

func TestPlanTransferRefusals(t *testing.T) {
	t.Parallel()
	type args struct {
		c                licensing.Company
		from, to         licensing.Office
		fromPool, toPool licensing.Pool
		count            int
	}
	// ok is a transfer that succeeds; each case breaks one thing.
	ok := args{acme, berlin, paris, seats("off-ber", 10, 7), seats("off-par", 5, 5), 2}
	tests := []struct {
		name      string
		edit      func(*args)
		kind      errs.Kind
		sentinel  error
		fragments []string
	}{
		{"standard tier", func(a *args) { a.c = withTier(acme, licensing.Standard) }, errs.Forbidden, licensing.ErrTierForbids,
			[]string{`"Acme"`, `"standard"`, "license transfer", `"Berlin"`, `"Paris"`, `2 "seat"`}},
		{"destination of another company", func(a *args) { a.to = globexHQ; a.toPool = seats("off-glx", 1, 0) }, errs.Forbidden, nil,
			[]string{`"Berlin"`, `"Elsewhere"`, "c-2", `"Acme"`, `2 "seat"`}},
		{"source of another company", func(a *args) { a.from = globexHQ; a.fromPool = seats("off-glx", 10, 0) }, errs.Forbidden, nil,
			[]string{`"Elsewhere"`, "c-2", `"Paris"`}},
		{"same office", func(a *args) { a.to = berlin; a.toPool = a.fromPool }, errs.Invalid, nil,
			[]string{`"Berlin"`, "same"}},
		{"different price levels, same country", func(a *args) { a.to = munich; a.toPool = seats("off-muc", 1, 1) }, errs.Conflict, licensing.ErrPriceLevelMismatch,
			[]string{`"Berlin"`, `"Munich"`, `"eu-1"`, `"eu-2"`, `2 "seat"`}},
		{"different price levels, other country", func(a *args) { a.to = newYork; a.toPool = seats("off-nyc", 0, 0) }, errs.Conflict, licensing.ErrPriceLevelMismatch,
			[]string{`"Berlin"`, `"New York"`, `"eu-1"`, `"us-1"`}},
		{"zero count", func(a *args) { a.count = 0 }, errs.Invalid, nil, []string{`0 "seat"`, `"Berlin"`, `"Paris"`}},
		{"negative count", func(a *args) { a.count = -3 }, errs.Invalid, nil, []string{`-3 "seat"`}},
		{"more than free", func(a *args) { a.count = 4 }, errs.Conflict, licensing.ErrNoFreeLicense,
			[]string{`4 "seat"`, `"Berlin"`, `"Paris"`, "only 3 of 10", "7 assigned"}},
		{"all assigned", func(a *args) { a.fromPool = seats("off-ber", 7, 7); a.count = 1 }, errs.Conflict, licensing.ErrNoFreeLicense,
			[]string{"only 0 of 7"}},
		{"source pool of another office", func(a *args) { a.fromPool = seats("off-ham", 10, 0) }, errs.Invalid, nil,
			[]string{"off-ham", `"Berlin"`, `"seat"`}},
		{"destination pool of another office", func(a *args) { a.toPool = seats("off-ham", 10, 0) }, errs.Invalid, nil,
			[]string{"off-ham", `"Paris"`}},
		{"pools of different types", func(a *args) { a.toPool.Type = licensing.AIMeetings }, errs.Invalid, nil,
			[]string{`"seat"`, `"ai-meetings"`, `"Berlin"`, `"Paris"`}},
		{"broken source pool", func(a *args) { a.fromPool.Assigned = 11 }, errs.Invalid, nil, []string{"off-ber", "11 of 10"}},
		{"invalid license type", func(a *args) { a.fromPool.Type = "Seat"; a.toPool.Type = "Seat" }, errs.Invalid, nil, []string{`"Seat"`}},
		{"invalid tier", func(a *args) { a.c.Tier = "gold" }, errs.Invalid, nil, []string{`"gold"`, `"Acme"`}},
		{"company without id", func(a *args) { a.c.ID = "" }, errs.Invalid, nil, []string{`"Acme"`, "no id"}},
		{"office without id", func(a *args) { a.to.ID = ""; a.toPool.OfficeID = "x" }, errs.Invalid, nil, []string{`"Paris"`, "no id"}},
		{"office with bad country", func(a *args) { a.to.Country = "XX" }, errs.Invalid, nil, []string{`"Paris"`, `"XX"`}},
		{"destination overflow", func(a *args) { a.toPool = seats("off-par", licensing.MaxTotal, 0) }, errs.Conflict, nil,
			[]string{`2 "seat"`, `"Paris"`, "1000000002"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			a := ok
			tt.edit(&a)
			plan, err := licensing.PlanTransfer(a.c, a.from, a.to, a.fromPool, a.toPool, a.count)
			checkRefusal(t, err, tt.kind, tt.sentinel, tt.fragments...)
			if plan != (licensing.TransferPlan{}) {
				t.Errorf("refused plan = %+v, want the zero plan", plan)
			}
		})
	}

	t.Run("typed errors carry the counts", func(t *testing.T) {
		t.Parallel()
		_, err := licensing.PlanTransfer(acme, berlin, paris, seats("off-ber", 10, 7), seats("off-par", 5, 5), 4)
		var nf *licensing.NoFreeLicenseError
		if !errors.As(err, &nf) {
			t.Fatalf("errors.As(%v, *NoFreeLicenseError) = false", err)
		}
		if got, want := *nf, (licensing.NoFreeLicenseError{Op: "licensing.PlanTransfer", OfficeID: "off-ber", Type: licensing.Seat, Total: 10, Assigned: 7, Wanted: 4}); got.OfficeID != want.OfficeID || got.Type != want.Type || got.Total != want.Total || got.Assigned != want.Assigned || got.Wanted != want.Wanted || got.Op != want.Op {
			t.Errorf("got %+v, want %+v", got, want)
		}
		_, err = licensing.PlanTransfer(acme, berlin, munich, seats("off-ber", 10, 7), seats("off-muc", 5, 5), 1)
		var pl *licensing.PriceLevelError
		if !errors.As(err, &pl) || pl.From != berlin || pl.To != munich || pl.Type != licensing.Seat || pl.Count != 1 {
			t.Errorf("errors.As(%v, *PriceLevelError) = %+v", err, pl)
		}
		_, err = licensing.PlanTransfer(withTier(acme, licensing.Standard), berlin, paris, seats("off-ber", 10, 7), seats("off-par", 5, 5), 1)
		var te *licensing.TierError
		if !errors.As(err, &te) || te.Company.Tier != licensing.Standard || te.Feature != "license transfer" {
			t.Errorf("errors.As(%v, *TierError) = %+v", err, te)
		}
	})
}

func TestPlanTransferAllowed(t *testing.T) {
	t.Parallel()
	for _, tier := range []licensing.Tier{licensing.Advanced, licensing.Premium} {
		plan, err := licensing.PlanTransfer(withTier(acme, tier), berlin, paris, seats("off-ber", 10, 7), seats("off-par", 5, 5), 3)
		if err != nil {
			t.Fatalf("%s: PlanTransfer: %v", tier, err)
		}
		want := licensing.TransferPlan{
			Type: licensing.Seat, Count: 3, From: berlin, To: paris,
			FromBefore: seats("off-ber", 10, 7), FromAfter: seats("off-ber", 7, 7),
			ToBefore: seats("off-par", 5, 5), ToAfter: seats("off-par", 8, 5),
		}
		if plan != want {
			t.Errorf("%s: got %+v, want %+v", tier, plan, want)
		}
	}
}

func TestPlanUserMove(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		c         licensing.Company
		from, to  licensing.Office
		kind      errs.Kind
		sentinel  error
		fragments []string
	}{
		{"standard tier", withTier(acme, licensing.Standard), berlin, paris, errs.Forbidden, licensing.ErrTierForbids,
			[]string{`"Acme"`, `"standard"`, "user transfer", `"Berlin"`, `"Paris"`}},
		{"office of another company", acme, berlin, globexHQ, errs.Forbidden, nil, []string{`"Elsewhere"`, "c-2", `"Acme"`}},
		{"same office", acme, paris, paris, errs.Invalid, nil, []string{`"Paris"`, "same"}},
		{"other country, other price level", acme, berlin, newYork, errs.Conflict, licensing.ErrPriceLevelMismatch,
			[]string{`"Berlin"`, "off-ber, DE", `"eu-1"`, `"New York"`, "off-nyc, US", `"us-1"`}},
		{"same country, other price level", acme, berlin, munich, errs.Conflict, licensing.ErrPriceLevelMismatch,
			[]string{`"Berlin"`, `"Munich"`, `"eu-1"`, `"eu-2"`}},
		{"invalid destination", acme, berlin, licensing.Office{ID: "off-x", CompanyID: "c-1", Name: " Padded", Country: "DE", PriceLevel: "eu-1"}, errs.Invalid, nil,
			[]string{`" Padded"`, "space"}},
		{"invalid company", licensing.Company{ID: "c-1", Tier: licensing.Premium}, berlin, paris, errs.Invalid, nil, []string{"c-1", "empty"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			move, err := licensing.PlanUserMove(tt.c, tt.from, tt.to)
			checkRefusal(t, err, tt.kind, tt.sentinel, tt.fragments...)
			if move != (licensing.UserMove{}) {
				t.Errorf("refused move = %+v, want the zero move", move)
			}
		})
	}

	allowed := []struct {
		from, to    licensing.Office
		sameCountry bool
	}{
		{berlin, hamburg, true},
		{berlin, paris, false},
	}
	for _, a := range allowed {
		for _, tier := range []licensing.Tier{licensing.Advanced, licensing.Premium} {
			move, err := licensing.PlanUserMove(withTier(acme, tier), a.from, a.to)
			want := licensing.UserMove{From: a.from, To: a.to, SameCountry: a.sameCountry}
			if err != nil || move != want {
				t.Errorf("PlanUserMove(%s, %s, %s) = %+v, %v; want %+v, nil", tier, a.from.Name, a.to.Name, move, err, want)
			}
		}
	}
}

func TestPoolRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		pool      licensing.Pool
		op        func(licensing.Pool) (licensing.Pool, error)
		kind      errs.Kind
		sentinel  error
		fragments []string
	}{
		{"set total below assigned", seats("off-ber", 8, 5), func(p licensing.Pool) (licensing.Pool, error) { return p.SetTotal(3) },
			errs.Conflict, licensing.ErrBelowAssigned, []string{"off-ber", `"seat"`, "to 3", "5 of 8", "unassign 2"}},
		{"set negative total", seats("off-ber", 8, 5), func(p licensing.Pool) (licensing.Pool, error) { return p.SetTotal(-1) },
			errs.Invalid, nil, []string{"off-ber", `"seat"`, "-1"}},
		{"set total above the limit", seats("off-ber", 8, 5), func(p licensing.Pool) (licensing.Pool, error) { return p.SetTotal(licensing.MaxTotal + 1) },
			errs.Invalid, nil, []string{"off-ber", `"seat"`, "1000000001"}},
		{"take with none free", seats("off-ber", 4, 4), licensing.Pool.Take,
			errs.Conflict, licensing.ErrNoFreeLicense, []string{"off-ber", `"seat"`, "4 of 4"}},
		{"take from an empty pool", seats("off-ber", 0, 0), licensing.Pool.Take,
			errs.Conflict, licensing.ErrNoFreeLicense, []string{"off-ber", `"seat"`, "0 of 0"}},
		{"return with none assigned", seats("off-ber", 4, 0), licensing.Pool.Return,
			errs.Conflict, nil, []string{"off-ber", `"seat"`, "none of its 4"}},
		{"take from a broken pool", seats("off-ber", 4, 5), licensing.Pool.Take,
			errs.Invalid, nil, []string{"off-ber", `"seat"`, "5 of 4"}},
		{"return to a pool without office", seats("", 4, 2), licensing.Pool.Return,
			errs.Invalid, nil, []string{`"seat"`, "office"}},
		{"set total of a pool with a bad type", licensing.Pool{OfficeID: "off-ber", Type: "9lives", Total: 1},
			func(p licensing.Pool) (licensing.Pool, error) { return p.SetTotal(2) }, errs.Invalid, nil, []string{"off-ber", `"9lives"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.op(tt.pool)
			checkRefusal(t, err, tt.kind, tt.sentinel, tt.fragments...)
			if got != tt.pool {
				t.Errorf("refused operation returned %+v, want the input %+v", got, tt.pool)
			}
		})
	}

	t.Run("typed errors carry the counts", func(t *testing.T) {
		t.Parallel()
		_, err := seats("off-ber", 8, 5).SetTotal(3)
		var se *licensing.ShortageError
		want := licensing.ShortageError{Op: "licensing.Pool.SetTotal", OfficeID: "off-ber", Type: licensing.Seat, Total: 8, Assigned: 5, Requested: 3}
		if !errors.As(err, &se) || *se != want {
			t.Errorf("errors.As(%v, *ShortageError) = %+v, want %+v", err, se, want)
		}
		_, err = seats("off-ber", 4, 4).Take()
		var nf *licensing.NoFreeLicenseError
		if !errors.As(err, &nf) || nf.OfficeID != "off-ber" || nf.Type != licensing.Seat || nf.Total != 4 || nf.Assigned != 4 || nf.Wanted != 1 {
			t.Errorf("errors.As(%v, *NoFreeLicenseError) = %+v", err, nf)
		}
	})
}

func TestPoolOperations(t *testing.T) {
	t.Parallel()
	p := seats("off-ber", 2, 1)
	steps := []struct {
		name string
		op   func(licensing.Pool) (licensing.Pool, error)
		want licensing.Pool
	}{
		{"take the last free", licensing.Pool.Take, seats("off-ber", 2, 2)},
		{"buy more", func(p licensing.Pool) (licensing.Pool, error) { return p.SetTotal(5) }, seats("off-ber", 5, 2)},
		{"return one", licensing.Pool.Return, seats("off-ber", 5, 1)},
		{"drop to assigned", func(p licensing.Pool) (licensing.Pool, error) { return p.SetTotal(1) }, seats("off-ber", 1, 1)},
		{"return the last", licensing.Pool.Return, seats("off-ber", 1, 0)},
		{"drop all", func(p licensing.Pool) (licensing.Pool, error) { return p.SetTotal(0) }, seats("off-ber", 0, 0)},
	}
	for _, s := range steps {
		got, err := s.op(p)
		if err != nil || got != s.want {
			t.Fatalf("%s: got %+v, %v; want %+v, nil", s.name, got, err, s.want)
		}
		if got.Free() != got.Total-got.Assigned {
			t.Errorf("%s: Free = %d, want %d", s.name, got.Free(), got.Total-got.Assigned)
		}
		p = got
	}
}

func TestMoveLicensesRefusals(t *testing.T) {
	t.Parallel()
	ai := func(office string, total, assigned int) licensing.Pool {
		return licensing.Pool{OfficeID: office, Type: licensing.AIMeetings, Total: total, Assigned: assigned}
	}
	fromPools := func() map[licensing.LicenseType]licensing.Pool {
		return map[licensing.LicenseType]licensing.Pool{licensing.Seat: seats("off-ber", 5, 3), licensing.AIMeetings: ai("off-ber", 2, 1)}
	}
	toPools := func() map[licensing.LicenseType]licensing.Pool {
		return map[licensing.LicenseType]licensing.Pool{licensing.Seat: seats("off-par", 4, 3), licensing.AIMeetings: ai("off-par", 1, 1)}
	}
	both := []licensing.LicenseType{licensing.Seat, licensing.AIMeetings}
	tests := []struct {
		name      string
		held      []licensing.LicenseType
		edit      func(from, to map[licensing.LicenseType]licensing.Pool)
		kind      errs.Kind
		sentinel  error
		fragments []string
	}{
		{"no free license in the new office", both, nil, errs.Conflict, licensing.ErrNoFreeLicense,
			[]string{`"ai-meetings"`, "off-ber", "off-par", "1 of 1"}},
		{"no pool of the type in the new office", both, func(_, to map[licensing.LicenseType]licensing.Pool) { delete(to, licensing.AIMeetings) },
			errs.Conflict, licensing.ErrNoFreeLicense, []string{`"ai-meetings"`, "off-par", "0 of 0"}},
		{"no pools at all in the new office", both, func(_, to map[licensing.LicenseType]licensing.Pool) { clear(to) },
			errs.Conflict, licensing.ErrNoFreeLicense, []string{`"seat"`, "off-ber", "0 of 0"}},
		{"type held twice", []licensing.LicenseType{licensing.Seat, licensing.Seat}, nil, errs.Invalid, nil, []string{`"seat"`, "twice"}},
		{"invalid held type", []licensing.LicenseType{"Seat"}, nil, errs.Invalid, nil, []string{`"Seat"`}},
		{"no pool of a held type in the old office", []licensing.LicenseType{licensing.AddOn}, nil, errs.Invalid, nil, []string{`"add-on"`, "off-ber"}},
		{"none assigned in the old office", both, func(from, _ map[licensing.LicenseType]licensing.Pool) { from[licensing.Seat] = seats("off-ber", 5, 0) },
			errs.Conflict, nil, []string{`"seat"`, "off-ber", "none", "5"}},
		{"pools of two offices", both, func(from, _ map[licensing.LicenseType]licensing.Pool) {
			from[licensing.AIMeetings] = ai("off-ham", 2, 1)
		},
			errs.Invalid, nil, []string{"off-ber", "off-ham"}},
		{"pool under the wrong key", both, func(_, to map[licensing.LicenseType]licensing.Pool) { to[licensing.AddOn] = seats("off-par", 1, 0) },
			errs.Invalid, nil, []string{`"add-on"`, `"seat"`, "off-par"}},
		{"broken pool", both, func(_, to map[licensing.LicenseType]licensing.Pool) { to[licensing.Seat] = seats("off-par", 1, 2) },
			errs.Invalid, nil, []string{"off-par", "2 of 1"}},
		{"same office", both, func(_, to map[licensing.LicenseType]licensing.Pool) {
			to[licensing.Seat] = seats("off-ber", 9, 0)
			to[licensing.AIMeetings] = ai("off-ber", 9, 0)
		}, errs.Invalid, nil, []string{"off-ber"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			from, to := fromPools(), toPools()
			if tt.edit != nil {
				tt.edit(from, to)
			}
			fromCopy, toCopy := maps.Clone(from), maps.Clone(to)
			gotFrom, gotTo, err := licensing.MoveLicenses(tt.held, from, to)
			checkRefusal(t, err, tt.kind, tt.sentinel, tt.fragments...)
			if !maps.Equal(gotFrom, fromCopy) || !maps.Equal(gotTo, toCopy) {
				t.Errorf("refused move returned %v, %v; want the inputs %v, %v", gotFrom, gotTo, fromCopy, toCopy)
			}
			if !maps.Equal(from, fromCopy) || !maps.Equal(to, toCopy) {
				t.Errorf("refused move modified its input maps")
			}
		})
	}

	t.Run("allowed", func(t *testing.T) {
		t.Parallel()
		from, to := fromPools(), toPools()
		to[licensing.AIMeetings] = ai("off-par", 2, 1)
		to[licensing.AddOn] = licensing.Pool{OfficeID: "off-par", Type: licensing.AddOn, Total: 3}
		fromCopy, toCopy := maps.Clone(from), maps.Clone(to)
		gotFrom, gotTo, err := licensing.MoveLicenses(both, from, to)
		if err != nil {
			t.Fatal(err)
		}
		wantFrom := map[licensing.LicenseType]licensing.Pool{licensing.Seat: seats("off-ber", 5, 2), licensing.AIMeetings: ai("off-ber", 2, 0)}
		wantTo := map[licensing.LicenseType]licensing.Pool{
			licensing.Seat: seats("off-par", 4, 4), licensing.AIMeetings: ai("off-par", 2, 2),
			licensing.AddOn: {OfficeID: "off-par", Type: licensing.AddOn, Total: 3},
		}
		if !maps.Equal(gotFrom, wantFrom) || !maps.Equal(gotTo, wantTo) {
			t.Errorf("got %v, %v; want %v, %v", gotFrom, gotTo, wantFrom, wantTo)
		}
		if !maps.Equal(from, fromCopy) || !maps.Equal(to, toCopy) {
			t.Errorf("MoveLicenses modified its input maps")
		}
		// A user with no licenses moves nothing.
		gotFrom, gotTo, err = licensing.MoveLicenses(nil, from, to)
		if err != nil || !maps.Equal(gotFrom, from) || !maps.Equal(gotTo, to) {
			t.Errorf("MoveLicenses(nil) = %v, %v, %v; want copies of the inputs", gotFrom, gotTo, err)
		}
	})
}
