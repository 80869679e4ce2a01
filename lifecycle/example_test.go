package lifecycle_test

import (
	"errors"
	"fmt"

	"github.com/lifeline-go/lifeline/lifecycle"
)

func ExampleStatus_Apply() {
	s, _ := lifecycle.Start(lifecycle.EventCreate)
	fmt.Println(s.State)
	s, _ = s.Apply(lifecycle.EventSetPassword)
	fmt.Println(s.State)
	s, _ = s.Apply(lifecycle.EventSuspend)
	fmt.Println(s.State)
	_, err := s.Apply(lifecycle.EventRecycle)
	fmt.Println(err, errors.Is(err, lifecycle.ErrIllegalTransition))
	s, _ = s.Apply(lifecycle.EventReinstate)
	fmt.Println(s.State)
	// Output:
	// Password Required
	// Active
	// Suspended
	// cannot recycle a user in state Suspended true
	// Active
}

func ExampleStatus_ApplyReset() {
	s := lifecycle.Status{State: lifecycle.Active}
	onlyPassword, _ := s.ApplyReset(lifecycle.FieldPassword)
	everything, _ := s.ApplyReset(0)
	fmt.Println(onlyPassword.State, "/", everything.State)
	// Output: Password Required / Setup Required
}
