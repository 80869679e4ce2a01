package lifelinetest

import (
	"context"
	"sync"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/numbers"
)

// fakeCarrier is a carrier account for re-sync tests: its lines are set by
// the test, and it can be made to fail.
type fakeCarrier struct {
	mu    sync.Mutex
	lines map[string][]lifeline.CarrierLine
	err   error
	calls int
}

func (f *fakeCarrier) Lines(ctx context.Context, companyID string) ([]lifeline.CarrierLine, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls++
	if f.err != nil {
		return nil, f.err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return append([]lifeline.CarrierLine(nil), f.lines[companyID]...), nil
}

// carrierOf returns a carrier whose account has exactly the company's
// current, unreleased numbers, recorded as lifeline has them: a re-sync
// against it changes no number or plan.
func carrierOf(fx *fixture) *fakeCarrier {
	fx.t.Helper()
	snap := fx.snapshot()
	var lines []lifeline.CarrierLine
	for _, n := range snap.Numbers {
		if n.Status == numbers.Released {
			continue
		}
		l := lifeline.CarrierLine{E164: n.E164, OfficeID: n.OfficeID}
		if n.Status == numbers.Assigned {
			l.Recorded = snap.Plans[n.HolderID].Recording
		}
		lines = append(lines, l)
	}
	return &fakeCarrier{lines: map[string][]lifeline.CarrierLine{fx.co.ID: lines}}
}
