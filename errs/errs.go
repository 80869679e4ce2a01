// Package errs defines the small set of error kinds every lifeline package
// reports, so callers can branch with errors.Is and errors.As no matter which
// layer refused an operation.
//
// Every error lifeline returns for a refused operation is (or wraps) an
// [*Error]. Its [Kind] says what sort of refusal it is; it carries two texts,
// one for people and one for developers. The kind sentinels ([ErrNotFound],
// [ErrInvalid], [ErrConflict], [ErrForbidden], [ErrStale], [ErrGone],
// [ErrUnavailable], [ErrUnauthenticated]) match any
// error of that kind:
//
//	if errors.Is(err, errs.ErrNotFound) { ... }
//
// Kinds are only ever appended, never reordered, so their numeric values are
// stable.
//
// # One kind per chain
//
// An error chain has one kind. [Wrap] gives the new error the kind of the
// innermost *Error in its cause that has a kind other than [Other], as
// upspin's errors.E pulls an inner kind up: a step that fails because the
// actor is forbidden stays Forbidden however many layers wrap it, so
// errors.Is never matches two kind sentinels for one error. The kind passed
// to Wrap applies only when the cause has none.
//
// # A message for people and detail for developers
//
// [Error.People] is the message for people: complete sentences an
// administrator can act on, naming users and offices as a person sees them
// ("Ada Lovelace (extension 101)", "the London office"), never a Go
// package, function, operation name or internal id. [Message] returns the
// outermost one in a chain, so the layer that knows most about what was
// asked speaks, and falls back to a plain sentence for the kind when no
// layer wrote one. A portal page, a SCIM error's detail or an IdP log shows
// [Message]; nothing else of an error is meant for people.
//
// [Error.Error] is the developer detail, for logs: "op: msg: cause", where
// op names the operation (such as "user.delete") and msg may carry ids and
// internal values. A cause whose op the wrapper already names (its own op,
// or an item such as "item 3 (user.suspend)") does not repeat it.
// [Error.Say] and [Tell] attach the message for people:
//
//	return errs.E(errs.Invalid, "user.create", "person %s: empty last name", id).
//		Say("The last name is required.")
//
// # Long inputs
//
// A message names what was asked, so it often repeats an input: an id, a
// name, a filter. [E] and [Wrap] cut every string or byte-slice argument
// longer than [MaxArgLen] bytes to at most [MaxArgLen] bytes and mark the
// cut with "…", and cut the finished developer message at [MaxMsgLen]
// bytes, so no caller can turn a 16 MB input into a 16 MB message or log
// line. [Clip] is the same cut for messages built by hand, and a [Phrase] is
// a fragment built from clipped parts that E and Wrap leave whole. Every cut
// ends at a word boundary when the kept part has one, and never inside a
// rune.
//
// The message for people is never cut: it is written from bounded parts.
// What it echoes of an input goes through [Quote], which keeps at most
// [MaxEcho] runes of it, cut at a word boundary.
package errs

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode"
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
	// People is the message for people: complete sentences an
	// administrator can act on, with no package, function, operation name
	// or internal id in them. Empty means this layer has nothing to add to
	// what its cause says; see [Message].
	People string
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

// Error returns the developer detail "op: msg: cause", leaving out the parts
// that are empty and the op of the cause when op or msg already names it; a
// bare sentinel reads as its kind. Show people [Message], not Error.
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
		c := e.Err.Error()
		var inner *Error
		if errors.As(e.Err, &inner) && inner.Op != "" && strings.Contains(s, inner.Op) {
			c = strings.TrimPrefix(c, inner.Op+": ")
		}
		add(c)
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
	if !ok || t.Op != "" || t.Msg != "" || t.Err != nil || t.People != "" {
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

// Wrap returns an *Error for op whose cause is err. It returns nil when err
// is nil. Its kind is the cause's decisive kind (see the package
// documentation), or k when the cause has none. Long arguments and a long
// message are cut as [E] cuts them; the cause is kept whole.
func Wrap(k Kind, op string, err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	if inner, ok := decisive(err); ok {
		k = inner
	}
	return &Error{Kind: k, Op: op, Msg: format1(format, args), Err: err}
}

// Say sets e's message for people to the formatted sentence and returns e.
// The arguments are not cut: pass names as people see them, numbers, and
// input only through [Quote].
func (e *Error) Say(format string, args ...any) *Error {
	e.People = fmt.Sprintf(format, args...)
	return e
}

// Tell returns err with the formatted message for people, as [Error.Say]
// formats it. When err is an *Error it returns a copy with that message;
// otherwise it wraps err in an *Error of err's kind. It returns nil when err
// is nil.
func Tell(err error, format string, args ...any) error {
	if err == nil {
		return nil
	}
	people := fmt.Sprintf(format, args...)
	if e, ok := err.(*Error); ok {
		c := *e
		c.People = people
		return &c
	}
	k, _ := decisive(err)
	return &Error{Kind: k, Err: err, People: people}
}

// Message returns the message for people of err: the outermost
// [Error.People] in its chain, or a plain sentence for its kind when no
// layer wrote one. It returns "" for a nil error.
func Message(err error) string {
	if err == nil {
		return ""
	}
	if p := find(err, func(e *Error) bool { return e.People != "" }); p != nil {
		return p.People
	}
	return Fallback(KindOf(err))
}

// HasPeople reports whether some layer of err's chain wrote a message for
// people, so [Message] does not fall back to the sentence for its kind.
func HasPeople(err error) bool {
	return err != nil && find(err, func(e *Error) bool { return e.People != "" }) != nil
}

var fallbacks = [...]string{
	Other:           "Something went wrong on our side, and nothing was changed. Try again; if it keeps failing, contact support.",
	NotFound:        "That item does not exist, or you cannot see it.",
	Invalid:         "The request is not valid, and nothing was changed.",
	Conflict:        "The request conflicts with the current state, and nothing was changed.",
	Forbidden:       "You are not allowed to do that.",
	Stale:           "This changed since you loaded it, and nothing was changed. Reload the page and try again.",
	Gone:            "That user's personal data has been erased for good.",
	Unavailable:     "The system is busy, and nothing was changed. Try again in a moment.",
	Unauthenticated: "The login or the password is wrong.",
}

// Fallback returns the plain sentence [Message] shows for an error of kind k
// that carries no message for people.
func Fallback(k Kind) string {
	if int(k) < len(fallbacks) {
		return fallbacks[k]
	}
	return fallbacks[Other]
}

// find returns the outermost *Error of err's chain for which ok holds,
// following both Unwrap() error and Unwrap() []error, depth first.
func find(err error, ok func(*Error) bool) *Error {
	for err != nil {
		if e, is := err.(*Error); is && ok(e) {
			return e
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				if e := find(c, ok); e != nil {
					return e
				}
			}
			return nil
		default:
			return nil
		}
	}
	return nil
}

// decisive returns the kind of the innermost *Error in err's chain whose
// kind is not Other.
func decisive(err error) (Kind, bool) {
	k, found := Other, false
	Each(err, func(e *Error) {
		if e.Kind != Other {
			k, found = e.Kind, true
		}
	})
	return k, found
}

// Each calls f for every *Error in err's chain, outermost first, following
// Unwrap() error and, depth first, each error of Unwrap() []error.
func Each(err error, f func(*Error)) {
	for err != nil {
		if e, is := err.(*Error); is {
			f(e)
		}
		switch u := err.(type) {
		case interface{ Unwrap() error }:
			err = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, c := range u.Unwrap() {
				Each(c, f)
			}
			return
		default:
			return
		}
	}
}

// MaxEcho is the most runes of one input that [Quote] repeats.
const MaxEcho = 40

// Quote returns s between typographic quotes for a message for people,
// keeping at most [MaxEcho] runes of it, cut at a word boundary when the
// kept part has one and marked with "…". Control characters are shown
// escaped, so the input cannot break the message's lines.
func Quote(s string) string {
	r := []rune(s)
	if len(r) > MaxEcho {
		cut := MaxEcho
		if sp := strings.LastIndexFunc(string(r[:cut]), unicode.IsSpace); sp > 0 {
			r = []rune(strings.TrimRightFunc(string(r[:cut])[:sp], unicode.IsSpace))
		} else {
			r = r[:cut]
		}
		s = string(r) + "…"
	}
	var b strings.Builder
	b.WriteString("“")
	for _, c := range s {
		if unicode.IsControl(c) || c == utf8.RuneError {
			q := strconv.QuoteRune(c)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(c)
	}
	b.WriteString("”")
	return b.String()
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
// otherwise at most its first MaxArgLen bytes, cut back to a word boundary
// when the last few words of the kept part have one, else to a rune
// boundary, followed by "…".
func Clip(s string) string { return clip(s, MaxArgLen) }

// ClipAt is [Clip] with a bound of n bytes instead of MaxArgLen, for text
// kept for an operator rather than echoed in a message (a delivery
// failure's reason).
func ClipAt(s string, n int) string { return clip(s, n) }

// clip cuts s to at most n bytes plus "…". It backs up to the last space in
// the final quarter of the kept part, if there is one, so a word is not cut
// in two; otherwise at most utf8.UTFMax-1 bytes to a rune start, so invalid
// UTF-8 still keeps a prefix.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	cut := n
	if sp := strings.LastIndexByte(s[:n+1], ' '); sp > n-n/4 {
		return strings.TrimRight(s[:sp], " ") + "…"
	}
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
