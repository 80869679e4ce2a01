package lifeline

import (
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

// Aliases of the domain types the facade speaks in, so callers need import
// only this package for everyday use.
type (
	Person       = lifecycle.Person
	State        = lifecycle.State
	Status       = lifecycle.Status
	Fields       = lifecycle.Fields
	BillingClass = lifecycle.BillingClass
	Company      = licensing.Company
	Office       = licensing.Office
	Tier         = licensing.Tier
	LicenseType  = licensing.LicenseType
	Pool         = licensing.Pool
	Number       = numbers.Number
	NumberKind   = numbers.Kind
	NumberStatus = numbers.Status
	AuditRecord  = store.AuditRecord
	OutboxEvent  = store.OutboxEvent
	// RecordingPlan is a user's call-recording plan.
	RecordingPlan = recording.Plan
	// Recording is the metadata of one recorded call.
	Recording = recording.Recording
	// LegalHold is a legal hold on a recording or on every recording of a
	// user.
	LegalHold = recording.Hold
)

// The error kinds every refusal matches with errors.Is.
var (
	ErrNotFound  = errs.ErrNotFound
	ErrInvalid   = errs.ErrInvalid
	ErrConflict  = errs.ErrConflict
	ErrForbidden = errs.ErrForbidden
	ErrStale     = errs.ErrStale
	ErrGone      = errs.ErrGone
	// ErrUnavailable matches contention a caller may retry: the store was
	// too busy to finish, and nothing was changed.
	ErrUnavailable = errs.ErrUnavailable
	// ErrUnauthenticated matches a refused sign-in ([Service.Authenticate]).
	ErrUnauthenticated = errs.ErrUnauthenticated
	// ErrIllegalTransition matches an event the user's state does not allow.
	ErrIllegalTransition = lifecycle.ErrIllegalTransition
)
