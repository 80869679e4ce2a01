package licensing_test

import (
	"errors"
	"fmt"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
)

func ExamplePlanTransfer() {
	acme := licensing.Company{ID: "c-1", Name: "Acme", Tier: licensing.Premium}
	berlin := licensing.Office{ID: "off-ber", CompanyID: "c-1", Name: "Berlin", Country: "DE", PriceLevel: "eu-1"}
	paris := licensing.Office{ID: "off-par", CompanyID: "c-1", Name: "Paris", Country: "FR", PriceLevel: "eu-1"}
	newYork := licensing.Office{ID: "off-nyc", CompanyID: "c-1", Name: "New York", Country: "US", PriceLevel: "us-1"}

	berlinSeats := licensing.Pool{OfficeID: "off-ber", Type: licensing.Seat, Total: 10, Assigned: 7}
	parisSeats := licensing.Pool{OfficeID: "off-par", Type: licensing.Seat, Total: 4, Assigned: 4}
	newYorkSeats := licensing.Pool{OfficeID: "off-nyc", Type: licensing.Seat, Total: 2, Assigned: 2}

	// Berlin and Paris share a price level: two of Berlin's three free
	// seats may move.
	plan, err := licensing.PlanTransfer(acme, berlin, paris, berlinSeats, parisSeats, 2)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s: %d/%d -> %d/%d assigned\n", plan.From.Name, plan.FromBefore.Assigned, plan.FromBefore.Total, plan.FromAfter.Assigned, plan.FromAfter.Total)
	fmt.Printf("%s: %d/%d -> %d/%d assigned\n", plan.To.Name, plan.ToBefore.Assigned, plan.ToBefore.Total, plan.ToAfter.Assigned, plan.ToAfter.Total)

	// New York is on another price level: refused, whatever the count.
	_, err = licensing.PlanTransfer(acme, berlin, newYork, berlinSeats, newYorkSeats, 2)
	fmt.Println(errors.Is(err, licensing.ErrPriceLevelMismatch), errors.Is(err, errs.ErrConflict))
	fmt.Println(err)
	// Output:
	// Berlin: 7/10 -> 7/8 assigned
	// Paris: 4/4 -> 4/6 assigned
	// true true
	// licensing.PlanTransfer: cannot transfer 2 "seat" licenses from office "Berlin" (off-ber) at price level "eu-1" to office "New York" (off-nyc) at price level "us-1": licenses move only between offices at the same price level
}

func ExamplePool_Take() {
	seats := licensing.Pool{OfficeID: "off-ber", Type: licensing.Seat, Total: 2, Assigned: 1}

	seats, err := seats.Take()
	fmt.Println(seats.Assigned, seats.Free(), err)

	// The pool is full: the refusal names the office, type and counts, and
	// the pool comes back unchanged.
	after, err := seats.Take()
	fmt.Println(after == seats, errors.Is(err, licensing.ErrNoFreeLicense), errs.KindOf(err))
	fmt.Println(err)

	var nf *licensing.NoFreeLicenseError
	if errors.As(err, &nf) {
		fmt.Println(nf.OfficeID, nf.Type, nf.Total, nf.Assigned)
	}
	// Output:
	// 2 0 <nil>
	// true true conflict
	// licensing.Pool.Take: no free "seat" license in office off-ber: 2 of 2 are assigned
	// off-ber seat 2 2
}
