package errs_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/errs"
)

func TestKindsMatchOnlyTheirSentinel(t *testing.T) {
	sentinels := map[errs.Kind]error{
		errs.Other: errs.ErrOther, errs.NotFound: errs.ErrNotFound, errs.Invalid: errs.ErrInvalid,
		errs.Conflict: errs.ErrConflict, errs.Forbidden: errs.ErrForbidden, errs.Stale: errs.ErrStale, errs.Gone: errs.ErrGone,
		errs.Unavailable: errs.ErrUnavailable, errs.Unauthenticated: errs.ErrUnauthenticated,
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

func TestLongArgumentsAreClipped(t *testing.T) {
	huge := strings.Repeat("x", 16<<20)
	for name, err := range map[string]error{
		"E":    errs.E(errs.NotFound, "store.GetCompany", "company %q does not exist", huge),
		"Wrap": errs.Wrap(errs.Other, "op", errors.New("cause"), "user %s", huge),
	} {
		if len(err.Error()) > 200 {
			t.Errorf("%s: message of %d bytes echoes a 16 MB argument", name, len(err.Error()))
		}
	}
	got := errs.E(errs.NotFound, "op", "company %q does not exist", huge).Msg
	if want := `company "` + strings.Repeat("x", errs.MaxArgLen) + `…" does not exist`; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := errs.E(errs.Invalid, "op", "%s|%x", []byte(huge), []byte("ab")).Msg; got != strings.Repeat("x", errs.MaxArgLen)+"…|6162" {
		t.Errorf("[]byte argument: got %q", got)
	}
	short := strings.Repeat("y", errs.MaxArgLen)
	if got := errs.E(errs.Invalid, "op", "%s", short).Msg; got != short {
		t.Errorf("an argument of exactly %d bytes must stay whole: got %q", errs.MaxArgLen, got)
	}
}

type label string

func (l label) String() string { return "label(" + string(l) + ")" }

func TestClippedArgumentsKeepTheirType(t *testing.T) {
	got := errs.E(errs.Invalid, "op", "%v", label(strings.Repeat("z", 1000))).Msg
	if want := "label(" + strings.Repeat("z", errs.MaxArgLen) + "…)"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	args := []any{strings.Repeat("a", 100)}
	errs.E(errs.Invalid, "op", "%s", args...)
	if len(args[0].(string)) != 100 {
		t.Error("E changed its caller's argument slice")
	}
}

func TestClipCutsOnARuneBoundary(t *testing.T) {
	s := "a" + strings.Repeat("é", 100) // é is 2 bytes, so byte 64 is inside one
	got := errs.Clip(s)
	if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") || !strings.HasPrefix(s, strings.TrimSuffix(got, "…")) {
		t.Fatalf("Clip = %q", got)
	}
	if n := len(strings.TrimSuffix(got, "…")); n != errs.MaxArgLen-1 {
		t.Errorf("kept %d bytes, want %d", n, errs.MaxArgLen-1)
	}
	// Invalid UTF-8 made of continuation bytes still keeps a prefix.
	if got := errs.Clip(strings.Repeat("\x80", 100)); len(got) < errs.MaxArgLen-utf8.UTFMax {
		t.Errorf("Clip of continuation bytes kept only %q", got)
	}
	if errs.Clip("short") != "short" {
		t.Error("Clip changed a short string")
	}
}

func TestMessageIsCapped(t *testing.T) {
	arg := strings.Repeat("m", errs.MaxArgLen)
	format := strings.Repeat("%s ", 40)
	args := make([]any, 40)
	for i := range args {
		args[i] = arg
	}
	msg := errs.E(errs.Invalid, "op", format, args...).Msg
	if len(msg) > errs.MaxMsgLen+len("…") || !strings.HasSuffix(msg, "…") || !utf8.ValidString(msg) {
		t.Errorf("message of %d bytes, want at most %d and marked as cut", len(msg), errs.MaxMsgLen)
	}
	if msg := errs.Wrap(errs.Invalid, "op", errors.New("c"), format, args...).(*errs.Error).Msg; len(msg) > errs.MaxMsgLen+len("…") {
		t.Errorf("Wrap: message of %d bytes", len(msg))
	}
}

func TestPhraseIsNotClipped(t *testing.T) {
	what := errs.Phrase("cannot transfer 2 \"seat\" licenses from office \"Berlin\" (off-ber) to office \"Paris\" (off-par)")
	if got := errs.E(errs.Conflict, "op", "%s: no", what).Msg; got != string(what)+": no" {
		t.Errorf("got %q", got)
	}
	long := errs.Phrase(strings.Repeat("p", 4*errs.MaxMsgLen))
	if got := errs.E(errs.Conflict, "op", "%s", long).Msg; len(got) > errs.MaxMsgLen+len("…") {
		t.Errorf("a Phrase escaped the cap on the message: %d bytes", len(got))
	}
}

func TestInnerKindWins(t *testing.T) {
	forbidden := errs.E(errs.Forbidden, "user.delete", "role member")
	for _, outer := range []errs.Kind{errs.Other, errs.Stale, errs.NotFound} {
		err := errs.Wrap(outer, "changeset.apply", fmt.Errorf("step 2: %w", forbidden), "re-check")
		if errs.KindOf(err) != errs.Forbidden {
			t.Errorf("Wrap(%v) of a Forbidden cause: kind %v, want forbidden", outer, errs.KindOf(err))
		}
		for _, s := range []error{errs.ErrStale, errs.ErrNotFound, errs.ErrOther} {
			if errors.Is(err, s) {
				t.Errorf("Wrap(%v) of a Forbidden cause also matches %v", outer, s)
			}
		}
	}
	if k := errs.KindOf(errs.Wrap(errs.Conflict, "op", errs.E(errs.Other, "inner", "x"), "y")); k != errs.Conflict {
		t.Errorf("an Other cause decides nothing: got %v, want conflict", k)
	}
	if k := errs.KindOf(errs.Wrap(errs.Invalid, "op", errors.New("plain"), "y")); k != errs.Invalid {
		t.Errorf("a plain cause decides nothing: got %v, want invalid input", k)
	}
}

func TestMessageForPeople(t *testing.T) {
	inner := errs.E(errs.Invalid, "user.create", "person u1: empty last name").Say("The last name is required.")
	if got := errs.Message(fmt.Errorf("x: %w", inner)); got != "The last name is required." {
		t.Errorf("Message = %q", got)
	}
	outer := errs.Tell(errs.Wrap(errs.Other, "bulk", inner, "row 3"), "Row 3: the last name is required.")
	if got := errs.Message(outer); got != "Row 3: the last name is required." {
		t.Errorf("the outermost message for people wins: got %q", got)
	}
	if got := errs.Message(errs.E(errs.Stale, "op", "version 3")); got != errs.Fallback(errs.Stale) || errs.HasPeople(errs.E(errs.Stale, "op", "v")) {
		t.Errorf("no message for people: got %q, want the kind's sentence", got)
	}
	if got := errs.Message(errors.New("disk full")); got != errs.Fallback(errs.Other) {
		t.Errorf("a plain error shows the sentence for Other, got %q", got)
	}
	if errs.Message(nil) != "" || errs.Tell(nil, "x") != nil {
		t.Error("nil stays nil")
	}
	if !errors.Is(errs.Tell(errors.New("x"), "X."), errs.ErrOther) {
		t.Error("Tell of a plain error is Other")
	}
}

func TestCauseWithTheSameOpIsNotRepeated(t *testing.T) {
	err := errs.Wrap(errs.Other, "user.delete", errs.E(errs.Forbidden, "user.delete", "role member"), "refused")
	if got, want := err.Error(), "user.delete: refused: role member"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	item := errs.Wrap(errs.Other, "lifeline.All", errs.E(errs.Conflict, "user.suspend", "user u1 is Deleted"), "item 3 (user.suspend)")
	if got, want := item.Error(), "lifeline.All: item 3 (user.suspend): user u1 is Deleted"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestQuoteKeepsWholeWords(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"London", "“London”"},
		{strings.Repeat("word ", 20), "“word word word word word word word word…”"},
		{strings.Repeat("é", 100), "“" + strings.Repeat("é", errs.MaxEcho) + "…”"},
		{"a\nb", `“a\nb”`},
	} {
		if got := errs.Quote(c.in); got != c.want {
			t.Errorf("Quote(%.20q) = %q, want %q", c.in, got, c.want)
		}
	}
	got := errs.Clip(strings.Repeat("abcdefg ", 20))
	for _, w := range strings.Fields(strings.TrimSuffix(got, "…")) {
		if w != "abcdefg" {
			t.Errorf("Clip cut mid-word: %q", got)
		}
	}
}
