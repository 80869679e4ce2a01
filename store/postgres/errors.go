package postgres

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/lifeline-go/lifeline/errs"
)

// ErrSerialization is matched (errors.Is) by the error [Store.Update]
// returns when every try of a transaction failed with a serialization
// failure or deadlock. That error is of kind errs.Unavailable: nothing was
// written and the caller may try again later.
var ErrSerialization = errors.New("postgres: concurrent transactions conflicted on every try")

// SQLSTATE codes this package acts on
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	codeUniqueViolation      = "23505"
	codeForeignKeyViolation  = "23503"
	codeCheckViolation       = "23514"
	codeSerializationFailure = "40001"
	codeDeadlockDetected     = "40P01"
)

// sqlState returns the SQLSTATE of the first *pgconn.PgError in err's chain,
// or "".
func sqlState(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// classify maps a PostgreSQL error to an errs kind by its SQLSTATE.
func classify(err error) errs.Kind {
	switch sqlState(err) {
	case codeUniqueViolation, codeForeignKeyViolation, codeCheckViolation:
		return errs.Conflict
	case codeSerializationFailure, codeDeadlockDetected:
		return errs.Unavailable
	}
	return errs.Other
}

// Retryable reports whether err is, or wraps, a PostgreSQL serialization
// failure (SQLSTATE 40001) or deadlock (40P01): the transaction was aborted
// only because of a concurrent one, and running it again may succeed.
func Retryable(err error) bool {
	switch sqlState(err) {
	case codeSerializationFailure, codeDeadlockDetected:
		return true
	}
	return false
}
