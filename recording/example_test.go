package recording_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/lifeline-go/lifeline/recording"
)

func ExampleOffboardings() {
	for i, o := range recording.Offboardings() {
		permanent := ""
		if o.Permanent {
			permanent = " (permanent: confirm first)"
		}
		fmt.Printf("%d. %s [%s]%s\n", i+1, o.Title, o.Option, permanent)
		fmt.Printf("   recording off %v, billing off %v, recordings deleted %v, user event %q\n",
			o.RecordingOff, o.BillingOff, o.DeleteRecordings, o.Event())
	}
	// Output:
	// 1. Suspend user but keep recordings [suspend-keep-recordings]
	//    recording off true, billing off true, recordings deleted false, user event "suspend"
	// 2. Stop recording but keep user and recordings [stop-recording-keep-user]
	//    recording off true, billing off false, recordings deleted false, user event ""
	// 3. Delete user and recordings [delete-user-and-recordings] (permanent: confirm first)
	//    recording off true, billing off true, recordings deleted true, user event "erase"
}

func ExampleCanDelete() {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	retention := recording.EffectiveRetention(0, 30*24*time.Hour, 0) // the office's 30 days
	r, _ := recording.NewRecording(recording.Recording{
		ID: "rec_1", CompanyID: "cmp_1", OwnerID: "usr_1", OfficeID: "off_1",
		Number: "+14155550100", StartedAt: now.Add(-time.Hour), Duration: 3 * time.Minute,
	}, retention, now)
	fmt.Println("retained until", r.RetainUntil.Format(time.DateTime))

	err := recording.CanDelete(r, nil, r.RetainUntil.Add(-time.Nanosecond), false)
	fmt.Println("1ns early:", errors.Is(err, recording.ErrRetained))
	fmt.Println("1ns early, erase:", recording.CanDelete(r, nil, r.RetainUntil.Add(-time.Nanosecond), true))
	fmt.Println("at the end:", recording.CanDelete(r, nil, r.RetainUntil, false))

	hold, _ := recording.NewHold(recording.Hold{
		ID: "hold_1", CompanyID: "cmp_1", UserID: "usr_1", Reason: "Acme v. Example", PlacedBy: "usr_admin",
	}, now)
	err = recording.CanDelete(r, []recording.Hold{hold}, r.RetainUntil, true)
	fmt.Println("held:", errors.Is(err, recording.ErrUnderHold))
	fmt.Println(err)

	hold, _ = hold.Release("usr_admin", "case settled", now.Add(24*time.Hour))
	fmt.Println("released:", recording.CanDelete(r, []recording.Hold{hold}, r.RetainUntil, false))
	// Output:
	// retained until 2026-03-31 11:00:00
	// 1ns early: true
	// 1ns early, erase: <nil>
	// at the end: <nil>
	// held: true
	// recording.CanDelete: cannot erase recording "rec_1": a legal hold covers it: hold "hold_1" on user "usr_1" (reason "Acme v. Example", placed by "usr_admin"); release it first
	// released: <nil>
}

func ExampleEffectsOf() {
	for _, ev := range []string{"suspend", "delete", "anonymize", "erase", "recycle", "reinstate"} {
		fmt.Println(ev, recording.EffectsOf(ev))
	}
	// Output:
	// suspend [stop-recording billing-off]
	// delete [stop-recording billing-off]
	// anonymize [stop-recording billing-off]
	// erase [stop-recording billing-off delete-recordings]
	// recycle [stop-recording]
	// reinstate []
}
