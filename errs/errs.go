// Package errs defines the small set of error kinds every lifeline package
// reports, so callers can branch with errors.Is and errors.As no matter which
// layer refused an operation.
//
// Every error lifeline returns for a refused operation is (or wraps) an
// [*Error]. Its [Kind] says what sort of refusal it is; its message names what
// was asked and why it was refused. The kind sentinels ([ErrNotFound],
// [ErrInvalid], [ErrConflict], [ErrForbidden], [ErrStale], [ErrGone],
// [ErrUnavailable], [ErrUnauthenticated]) match any
// error of that kind:
//
//	if errors.Is(err, errs.ErrNotFound) { ... }
//
// Kinds are only ever appended, never reordered, so their numeric values are
// stable.
//
// # Long inputs
//
// A message names what was asked, so it often repeats an input: an id, a
// name, a filter. [E] and [Wrap] cut every string or byte-slice argument
// longer than [MaxArgLen] bytes to its first [MaxArgLen] bytes and mark the
// cut with "…", and cut the finished message at [MaxMsgLen] bytes, so no
// caller can turn a 16 MB input into a 16 MB message or log line. [Clip] is
// the same cut for messages built by hand, and a [Phrase] is a fragment
// built from clipped parts that E and Wrap leave whole.
package errs

import (
	"errors"
	"fmt"
	"reflect"
	"unicode/utf8"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

// The kinds of error. Append only.
const (
	// Other is an unexpected failure: a broken store, a bug.
	Other Kind = iota
	// NotFound: the thing asked for does not exist.
	NotFound
	// Invalid: the input is malformed or out of range; nothing was changed.
	Invalid
	// Conflict: the input is well-formed but the current state refuses it
	// (an illegal transition, a number already held, no free license, a
	// concurrent writer won).
	Conflict
	// Forbidden: the actor may not do this.
	Forbidden
	// Stale: the request was prepared against a state that has since changed.
	Stale
	// Gone: the thing existed but has been erased for good (anonymized).
	Gone
	// Unavailable: the store was too contended to finish the operation
	// (SQLite busy past its timeout, PostgreSQL serialization retries used
	// up). Nothing was changed; the same call may succeed if retried.
	Unavailable
	// Unauthenticated: a sign-in was refused. The message never says
	// whether the login or the password was wrong.
	Unauthenticated
)

var kindNames = [...]string{
	Other:           "other",
	NotFound:        "not found",
	Invalid:         "invalid input",
	Conflict:        "conflict",
	Forbidden:       "forbidden",
	Stale:           "stale",
	Gone:            "gone",
	Unavailable:     "unavailable",
	Unauthenticated: "unauthenticated",
}

// String returns the kind's name, such as "not found".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// Error is a lifeline error: a kind, the operation that failed, a message that
// says what was wrong, and optionally the cause.
type Error struct {
	Kind Kind
	// Op names the operation, such as "user.restore".
	Op string
	// Msg says what was asked and why it was refused.
	Msg string
	// Err is the underlying cause, if any; errors.Is and errors.As see it.
	Err error
}

// The kind sentinels. errors.Is(err, ErrNotFound) reports whether err is, or
// wraps, an *Error of kind NotFound.
var (
	ErrOther       = &Error{Kind: Other}
	ErrNotFound    = &Error{Kind: NotFound}
	ErrInvalid     = &Error{Kind: Invalid}
	ErrConflict    = &Error{Kind: Conflict}
	ErrForbidden   = &Error{Kind: Forbidden}
	ErrStale       = &Error{Kind: Stale}
	ErrGone        = &Error{Kind: Gone}
	ErrUnavailable = &Error{Kind: Unavailable}
	// ErrUnauthenticated matches a refused sign-in.
	ErrUnauthenticated = &Error{Kind: Unauthenticated}
)

// Error returns "op: msg: cause", leaving out the parts that are empty; a bare
// sentinel reads as its kind.
func (e *Error) Error() string {
	s := e.Op
	add := func(part string) {
		if part == "" {
			return
		}
		if s != "" {
			s += ": "
		}
		s += part
	}
	add(e.Msg)
	if e.Err != nil {
		add(e.Err.Error())
	}
	if s == "" {
		s = e.Kind.String()
	}
	return s
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's kind.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok || t.Op != "" || t.Msg != "" || t.Err != nil {
		return false
	}
	return t.Kind == e.Kind
}

// E builds an *Error of kind k for operation op with a formatted message. An
// error among args is formatted as usual; pass it through [Wrap] to keep it as
// the cause. Long arguments and a long message are cut as the package
// documentation describes.
func E(k Kind, op, format string, args ...any) *Error {
	return &Error{Kind: k, Op: op, Msg: format1(format, args)}
}

// Wrap returns an *Error of kind k for op whose cause is err. It returns nil
// when err is nil. Long arguments and a long message are cut as [E] cuts
// them; the cause is kept whole.
func Wrap(k Kind, op string, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	return &Error{Kind: k, Op: op, Msg: format1(format, args), Err: err}
}

// Limits on what a message repeats.
const (
	// MaxArgLen is the most bytes of one string or []byte argument that E
	// and Wrap put in a message.
	MaxArgLen = 64
	// MaxMsgLen is the most bytes of a formatted message that E and Wrap
	// keep.
	MaxMsgLen = 512
)

// Phrase is message text that its caller built from bounded parts —
// constants, values already passed through [Clip] — such as "cannot transfer
// 2 "seat" licenses from office "Berlin" (off-ber) to office "Paris"
// (off-par)". E and Wrap do not cut a Phrase argument, so a composed
// fragment reads whole; the cap on the whole message still applies. Never
// make a Phrase of raw input.
type Phrase string

// Clip returns s unchanged when it is at most MaxArgLen bytes long, and
// otherwise its first MaxArgLen bytes, cut back to a rune boundary, followed
// by "…".
func Clip(s string) string { return clip(s, MaxArgLen) }

// clip cuts s to at most n bytes plus "…". It backs up at most
// utf8.UTFMax-1 bytes to a rune start, so invalid UTF-8 still keeps a
// prefix.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	for i := 0; i < utf8.UTFMax-1 && cut > 0 && !utf8.RuneStart(s[cut]); i++ {
		cut--
	}
	return s[:cut] + "…"
}

// format1 formats args after clipping the long ones, then caps the result.
func format1(format string, args []any) string {
	var clipped []any // copied on the first change: args may be the caller's slice
	for i, a := range args {
		c, changed := clipArg(a)
		if !changed {
			continue
		}
		if clipped == nil {
			clipped = append([]any(nil), args...)
		}
		clipped[i] = c
	}
	if clipped != nil {
		args = clipped
	}
	return clip(fmt.Sprintf(format, args...), MaxMsgLen)
}

// clipArg cuts a string or byte slice argument longer than MaxArgLen,
// keeping its type, so that a named string type with a String method still
// formats through it. Other arguments are left alone; the cap on the whole
// message bounds them.
func clipArg(a any) (any, bool) {
	switch v := a.(type) {
	case Phrase:
		return a, false
	case string:
		if len(v) > MaxArgLen {
			return Clip(v), true
		}
		return a, false
	case []byte:
		if len(v) > MaxArgLen {
			return []byte(Clip(string(v))), true
		}
		return a, false
	}
	rv := reflect.ValueOf(a)
	switch {
	case !rv.IsValid():
		return a, false
	case rv.Kind() == reflect.String && rv.Len() > MaxArgLen:
		c := reflect.New(rv.Type()).Elem()
		c.SetString(Clip(rv.String()))
		return c.Interface(), true
	case rv.Kind() == reflect.Slice && rv.Type().Elem().Kind() == reflect.Uint8 && rv.Len() > MaxArgLen:
		c := reflect.New(rv.Type()).Elem()
		c.SetBytes([]byte(Clip(string(rv.Bytes()))))
		return c.Interface(), true
	}
	return a, false
}

// KindOf returns the kind of the first *Error in err's chain, or Other.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Other
}

// Is reports whether err is of kind k.
func Is(err error, k Kind) bool {
	return err != nil && KindOf(err) == k
}
