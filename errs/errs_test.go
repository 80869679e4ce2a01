package errs_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
)

func TestKindsMatchOnlyTheirSentinel(t *testing.T) {
	sentinels := map[errs.Kind]error{
		errs.Other: errs.ErrOther, errs.NotFound: errs.ErrNotFound, errs.Invalid: errs.ErrInvalid,
		errs.Conflict: errs.ErrConflict, errs.Forbidden: errs.ErrForbidden, errs.Stale: errs.ErrStale, errs.Gone: errs.ErrGone,
	}
	for k := range sentinels {
		err := fmt.Errorf("wrapped: %w", errs.E(k, "op", "thing %d refused", 7))
		for k2, s := range sentinels {
			if got := errors.Is(err, s); got != (k == k2) {
				t.Errorf("errors.Is(%v error, %v sentinel) = %t", k, k2, got)
			}
		}
		if errs.KindOf(err) != k || !errs.Is(err, k) {
			t.Errorf("KindOf(%v error) = %v", k, errs.KindOf(err))
		}
	}
	if errs.KindOf(errors.New("plain")) != errs.Other || errs.Is(nil, errs.Other) {
		t.Error("a plain error is Other; nil is no kind")
	}
}

func TestMessageAndCause(t *testing.T) {
	cause := errors.New("disk full")
	err := errs.Wrap(errs.Other, "store.Put", cause, "writing user %s", "u1")
	if err.Error() != "store.Put: writing user u1: disk full" || !errors.Is(err, cause) {
		t.Errorf("got %q", err)
	}
	if errs.Wrap(errs.Other, "op", nil, "x") != nil {
		t.Error("Wrap(nil) must be nil")
	}
	if errs.ErrNotFound.Error() != "not found" {
		t.Errorf("a bare sentinel reads %q", errs.ErrNotFound.Error())
	}
}
