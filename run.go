package lifeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"reflect"
	"slices"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
)

// OpSpec declares an operation once: every fact about it the runner, the
// change sets and the docs need is here, and nowhere beside it — its name,
// which is also the action its audit records carry, the permission it
// needs, whether it writes, whether it runs once, whether it can be staged
// (and how it is encoded for that), and the user it names first.
type OpSpec struct {
	// Name is the operation's name and audit action, such as "user.suspend".
	Name string
	// Permission is the access-matrix action the operation is authorized
	// against; "" marks an operation only a system principal may run.
	Permission access.Action
	// Write reports whether the operation changes the store.
	Write bool
	// Once reports that the operation acts outside the store (it writes
	// to the caller's io.Writer), so it must run exactly once: the runner
	// never tries it first without a transaction, and a batch holding it
	// runs every item in its own savepoint from the start, never running
	// the batch a second time.
	Once bool
	// Stageable reports that the operation may be an item of a change set
	// ([StageChanges]): it is stored as its fields in JSON and decoded when
	// the set is confirmed. Operations that set secrets are not stageable:
	// a change set is stored, and a password must never be.
	Stageable bool

	// decode turns the fields of a staged item back into the operation,
	// guarded by want when it is not empty (see [If]); set when Stageable.
	decode func(args json.RawMessage, want []Expect) (AnyOperation, error)
	// result is the type of the operation's result, for a stageable one:
	// a change set's preview and confirmation hold it behind an any.
	result reflect.Type
	// subject returns the user an operation value names before anything
	// else (see op.readActor), or "": the runner reads that user in the
	// statement that reads the actor.
	subject func(op any) string
}

// specOption sets a fact of an operation's declaration beyond its name,
// permission and whether it writes.
type specOption func(*OpSpec)

var registry []OpSpec

// declare declares an operation: the one place its facts are set.
func declare(name string, perm access.Action, write bool, opts ...specOption) OpSpec {
	s := OpSpec{Name: name, Permission: perm, Write: write}
	for _, o := range opts {
		o(&s)
	}
	registry = append(registry, s)
	return s
}

// runsOnce declares an operation that acts outside the store (see
// OpSpec.Once).
func runsOnce(s *OpSpec) { s.Once = true }

// stagedAs declares an operation, of type T with result R, stageable (see
// OpSpec.Stageable): an item is T's fields as JSON, which must decode into
// a T with no field left over.
func stagedAs[R any, T Operation[R]]() specOption {
	return func(s *OpSpec) {
		name := s.Name
		s.Stageable = true
		s.result = reflect.TypeFor[R]()
		s.decode = func(raw json.RawMessage, want []Expect) (AnyOperation, error) {
			var v T
			dec := json.NewDecoder(bytes.NewReader(raw))
			dec.DisallowUnknownFields()
			if err := dec.Decode(&v); err != nil {
				return nil, errs.Wrap(errs.Invalid, "lifeline.ChangeItem", err, "the fields of %s do not decode", name)
			}
			if len(want) == 0 {
				return Any[R](v), nil
			}
			return Any(If[R](v, want...)), nil
		}
	}
}

// subjectIs declares the user an operation of type T names first (see
// OpSpec.subject).
func subjectIs[T any](f func(T) string) specOption {
	return func(s *OpSpec) {
		s.subject = func(v any) string {
			if x, ok := v.(T); ok {
				return f(x)
			}
			return ""
		}
	}
}

// Operations returns every operation the facade runs, in declaration order:
// the one list docs, portals and tests walk.
func Operations() []OpSpec { return slices.Clone(registry) }

// specNamed returns the declaration of the operation called name.
func specNamed(name string) (OpSpec, bool) {
	for _, s := range registry {
		if s.Name == name {
			return s, true
		}
	}
	return OpSpec{}, false
}

// Operation is an operation value: a request such as Suspend{UserID: id},
// run by [Do], previewed by [Preview]. Most methods of [Service] are a
// one-line call of [Do] with one Operation; the few that do more say so
// (see the package doc). Either way every change goes through the same
// runner.
type Operation[R any] interface {
	// Spec returns the operation's declaration.
	Spec() OpSpec
	// prepare does the work that needs no store: validation, parsing,
	// hashing. It returns the step that runs inside the transaction, which
	// must be safe to run more than once (a store may retry it).
	prepare(ctx context.Context, s *Service) (step[R], error)
}

// step is the transactional part of an operation: it loads what it needs
// through o, authorizes it, applies the rules and records the effects.
type step[R any] func(o *op) (R, error)

// Do runs op as actor: it prepares op outside the transaction, then in one
// transaction loads the actor's principal, authorizes, applies, records the
// audit trail from the operation's effects, and commits. An operation that
// fails changes nothing.
func Do[R any](ctx context.Context, s *Service, actor Actor, op Operation[R]) (R, error) {
	r, _, err := runOp(ctx, s, actor, op, howRun)
	return r, err
}

// Preview runs op as actor and rolls it back: it returns what op would
// return and the effects it would have — states before and after, numbers
// moved, licenses taken or freed, the audit records it would write — and
// changes nothing. A refusal is returned as Do would return it.
func Preview[R any](ctx context.Context, s *Service, actor Actor, op Operation[R]) (R, Effects, error) {
	return runOp(ctx, s, actor, op, howPreview)
}

// errDryRun rolls a preview's transaction back.
var errDryRun = errors.New("lifeline: dry run")

// runOp runs one operation alone, finishing it as h says.
func runOp[R any](ctx context.Context, s *Service, actor Actor, opv Operation[R], h how) (R, Effects, error) {
	dry := h.dry
	var zero R
	spec := opv.Spec()
	if err := actor.validate(spec.Name); err != nil {
		return zero, Effects{}, err
	}
	apply, err := opv.prepare(ctx, s)
	if err != nil {
		return zero, Effects{}, err
	}
	now := s.Now()
	var (
		res R
		eff Effects
	)
	body := func(tx store.Tx) error {
		// Everything an attempt builds starts afresh: a store may run this
		// more than once.
		o := newOp(ctx, s, spec, actor, now, tx, dry, subjectOf(spec, opv))
		r, err := runStep(o, apply)
		if err != nil {
			return err
		}
		res, eff = r, o.effects()
		if dry {
			return errDryRun
		}
		return nil
	}
	switch {
	case spec.Write:
		err = s.st.Update(ctx, body)
	case spec.Once:
		err = s.st.View(ctx, body)
	default:
		err = s.view(ctx, readKeyOf(spec.Name, actor), body)
	}
	if dry && errors.Is(err, errDryRun) {
		err = nil
	}
	if err != nil {
		s.log.LogAttrs(ctx, slog.LevelDebug, "lifeline: operation refused", slog.String("op", spec.Name),
			slog.String("actor", actor.Name()), slog.String("kind", errs.KindOf(err).String()), slog.String("error", err.Error()))
		return zero, Effects{}, err
	}
	if h.checkpoint && !dry && eff.anonymized {
		s.checkpoint(ctx)
	}
	return res, eff, nil
}

// view runs the body of a read. On a store that can answer one statement
// without a transaction (store.SingleReader), a read is first tried that
// way: most reads by a system principal, reads of one user (see
// OpSpec.subject) and a page of users need just one. A read that usually
// needs more goes straight to a transaction: the service counts, per
// operation and kind of actor (key), how often the store had to run it
// again in one, and tries without one only while that is rare (at most one
// call in readRetryRate), which also retries without one every
// readRetryRate-th call of a read that always needs one, to notice a
// change.
func (s *Service) view(ctx context.Context, key readKey, body func(store.Tx) error) error {
	sr, ok := s.st.(store.SingleReader)
	if !ok {
		return s.st.View(ctx, body)
	}
	v, ok := s.reads.Load(key)
	if !ok {
		v, _ = s.reads.LoadOrStore(key, new(readStats))
	}
	st := v.(*readStats)
	n := st.calls.Add(1)
	if st.needed.Load()*readRetryRate > n {
		return s.st.View(ctx, body)
	}
	needed, err := sr.ViewSingle(ctx, body)
	if needed {
		st.needed.Add(1)
	}
	return err
}

// readRetryRate tunes Service.view: a read that needed a transaction in
// more than one call in readRetryRate runs in one.
const readRetryRate = 8

// readStats counts the calls of one kind of read and those of them that
// were tried without a transaction and needed one.
type readStats struct{ calls, needed atomic.Int64 }

// readKey names a kind of read for Service.view: the operation and the
// kind of actor, which decides whether the actor's row is read too.
type readKey struct {
	op    string
	actor uint8 // 0 user, 1 system principal, 2 proxy
}

func readKeyOf(op string, a Actor) readKey {
	switch {
	case a.system != "":
		return readKey{op, 1}
	case a.OnBehalfOf != "":
		return readKey{op, 2}
	}
	return readKey{op, 0}
}

// wrapper is implemented by an operation that wraps another, such as a
// guard (see [If]) or an item of [All]: wrapped returns the operation it
// wraps.
type wrapper interface{ wrapped() any }

// innermost returns the operation v wraps, through every wrapper: the
// operation value itself, such as Suspend{UserID: id}.
func innermost(v any) any {
	for {
		w, ok := v.(wrapper)
		if !ok {
			return v
		}
		v = w.wrapped()
	}
}

// subjectOf returns the user operation v names first, per its declaration
// (OpSpec.subject), or "".
func subjectOf(spec OpSpec, v any) string {
	if spec.subject == nil {
		return ""
	}
	return spec.subject(innermost(v))
}

// checkpoint asks the store to push committed erasures to its files. The
// erasure has committed either way, so a failure is logged, not returned.
func (s *Service) checkpoint(ctx context.Context) {
	c, ok := s.st.(store.Checkpointer)
	if !ok {
		return
	}
	if err := c.Checkpoint(context.WithoutCancel(ctx)); err != nil {
		s.log.LogAttrs(ctx, slog.LevelWarn, "lifeline: checkpoint after an erasure failed; the next one retries",
			slog.String("error", err.Error()))
	}
}

// op is one attempt of one operation: who acts, as which principal, when,
// in which transaction, and what it has done so far.
type op struct {
	s     *Service
	ctx   context.Context
	spec  OpSpec
	name  string
	actor Actor
	now   time.Time
	tx    store.Tx

	// subject is the user the operation names first (OpSpec.subject), read
	// with the actor; pre holds it until loadUser takes it.
	subject string
	pre     *prefetched
	// principal is who the operation runs as: the actor, or the user it
	// proxies into.
	principal  access.Principal
	authorized bool
	eff        Effects
	// preview is set while the operation runs to be rolled back.
	preview bool
	// touched, when a change set's dry run sets it, collects the version
	// each object the items act on had before them: what the set must find
	// when it is confirmed.
	touched map[objectKey]int64
	// confirmed is set while a staged change set the actor confirmed runs:
	// that confirmation is the one a permanent operation asks for.
	confirmed bool
	// items holds the effects of the items the operation ran inside it
	// (see op.runItem), already in the store; eff holds its own.
	items Effects
}

// MaxIDLen is the longest id lifeline accepts.
const MaxIDLen = 128

// checkID refuses an id no object can have: empty, too long, not UTF-8,
// or holding a control character. It runs before any store is asked.
func checkID(opName, what, id string) error {
	switch {
	case id == "":
		return errs.E(errs.Invalid, opName, "%s is empty", what).
			Say("The %s is missing.", what)
	case len(id) > MaxIDLen:
		return errs.E(errs.Invalid, opName, "%s is %d bytes long; ids are at most %d", what, len(id), MaxIDLen).
			Say("The %s is too long to be one: ids have at most %d characters.", what, MaxIDLen)
	case !utf8.ValidString(id):
		return errs.E(errs.Invalid, opName, "%s is not valid UTF-8", what).
			Say("The %s is not valid text.", what)
	}
	for _, r := range id {
		if unicode.IsControl(r) {
			return errs.E(errs.Invalid, opName, "%s holds the control character %U", what, r).
				Say("The %s holds a control character (%U), which no id has.", what, r)
		}
	}
	return nil
}
