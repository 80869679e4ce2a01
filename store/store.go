// Package store is the persistence contract of lifeline: transactions and
// small repository interfaces in domain types, written from what the facade
// needs. Stores persist what they are given; they never decide a business
// rule. Every rule lives in the pure domain packages (lifecycle, numbers,
// licensing) and the root facade composes them inside one transaction.
//
// Implementations: store/sqlite (embedded reference store) and
// store/postgres. Both pass the conformance suite in store/storetest and
// the facade's specification in lifelinetest, which any new implementation
// must pass too.
//
// # Errors
//
// Methods report errors from package errs: errs.NotFound when a row asked
// for does not exist, errs.Conflict when a uniqueness constraint refuses a
// write, and errs.Other for a failing backend. Backend errors are mapped by
// their numeric or SQLSTATE code, never by message text.
package store

import (
	"context"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
)

// Store opens transactions.
type Store interface {
	// Update runs fn in a read-write transaction and commits it when fn
	// returns nil; otherwise it rolls back and returns fn's error unchanged.
	// fn must be safe to run more than once: a store may retry it after a
	// serialization failure. Concurrent Updates must behave as if run one
	// after the other. Implementations must honor ctx.
	Update(ctx context.Context, fn func(Tx) error) error
	// View runs fn in a read-only transaction that sees one consistent
	// snapshot.
	View(ctx context.Context, fn func(Tx) error) error
	// Close releases the store's resources. Closing a closed store does
	// nothing and returns nil.
	Close() error
}

// Checkpointer is implemented by a store that can push committed erasures
// to the bytes of its files. The facade calls it after an anonymization
// commits; a store without it keeps erased values only as its engine does
// (see the store's package doc for what an operator must run then).
type Checkpointer interface {
	// Checkpoint makes every committed change, erasures included, reach the
	// store's files and removes older copies of overwritten values where the
	// engine allows it.
	Checkpoint(ctx context.Context) error
}

// SingleReader is implemented by a store that can answer a read of one
// statement without a transaction: a single statement sees one consistent
// snapshot by itself, so BEGIN and COMMIT (two round trips of three on a
// database server) buy it nothing.
type SingleReader interface {
	// ViewSingle runs fn as View does, but first without a transaction,
	// letting fn run one SELECT. If fn asks for a second statement, or a
	// write, the store refuses it with an error, discards that run and runs
	// fn again in a View transaction; needed reports that it did. So fn may
	// run twice, and must not act outside the store before it returns.
	//
	// The facade prefers ViewSingle to View when the store has it: a
	// wrapper around a store that overrides View (to trace or inject
	// faults) should override ViewSingle too, or not pass it on.
	ViewSingle(ctx context.Context, fn func(Tx) error) (needed bool, err error)
}

// Exclusive is implemented by a store that several processes share (a
// database server): it lets one of them at a time do a job that all of
// them run, such as the sweep, so they take turns instead of contending
// for the same rows.
type Exclusive interface {
	// TryExclusive takes the lock named name if no one holds it and
	// returns its release; ok is false, with nothing to release, when
	// another holder has it. The lock is also released if the process
	// dies.
	TryExclusive(ctx context.Context, name string) (release func(), ok bool, err error)
}

// Tx is one transaction's view of every repository: the methods every
// store must have. A store's Tx may implement optional upgrades beside
// them, each a faster way to do what the facade can also do with the
// required methods (as database/sql/driver's ExecerContext): the facade
// asks for an upgrade with a type assertion and, when the Tx lacks it, runs
// the fallback written next to its call. The upgrades are [UserBatchReader],
// [UserPoolReader], [ExtensionReader], [NumberPager], [Search] and
// [SearchExplainer] (a test hook); a Store may implement [SingleReader],
// [Exclusive] and [Checkpointer]. A wrapper that embeds store.Tx passes on
// no upgrade, so the facade takes the fallbacks through it.
type Tx interface {
	Companies
	Users
	Audit
	Numbers
	Licenses
	Recordings
	Outbox
	Savepoints
	ChangeSets
}

// ChangeSetRecord is a stored change set: operations staged to be
// confirmed together later, or discarded. The facade encodes its parts.
type ChangeSetRecord struct {
	ID        string
	CompanyID string
	Name      string
	StagedBy  string
	StagedAt  time.Time
	// Status is "open", "confirmed" or "discarded".
	Status string
	// Items, Expect and Offices are JSON: the staged operations, the
	// versions their dry run was made against, the offices they touch.
	Items   string
	Expect  string
	Offices string
	// ClosedBy, ClosedAt and Reason say who confirmed or discarded the set,
	// when and why.
	ClosedBy string
	ClosedAt time.Time
	Reason   string
}

// ChangeSets keeps staged change sets.
type ChangeSets interface {
	// InsertChangeSet adds a change set; errs.Conflict if the id exists.
	InsertChangeSet(ctx context.Context, r ChangeSetRecord) error
	// GetChangeSet returns a change set; errs.NotFound if there is none.
	GetChangeSet(ctx context.Context, id string) (ChangeSetRecord, error)
	// CloseChangeSet records that an open change set was confirmed or
	// discarded: it writes r's Status, Items, ClosedBy, ClosedAt and
	// Reason. errs.Conflict if the set is no longer open, errs.NotFound if
	// there is none.
	CloseChangeSet(ctx context.Context, r ChangeSetRecord) error
	// ListChangeSets returns a company's change sets ordered by id; status,
	// when set, keeps those with that status.
	ListChangeSets(ctx context.Context, companyID, status string) ([]ChangeSetRecord, error)
}

// Savepoints lets a transaction undo part of itself: a bulk operation runs
// many items in one transaction, each inside a savepoint, so a failing item
// rolls back alone.
type Savepoints interface {
	// Savepoint marks the current point of the transaction as name.
	Savepoint(ctx context.Context, name string) error
	// RollbackToSavepoint undoes everything since the savepoint name, which
	// stays set.
	RollbackToSavepoint(ctx context.Context, name string) error
	// ReleaseSavepoint forgets the savepoint name, keeping what was done
	// since.
	ReleaseSavepoint(ctx context.Context, name string) error
}

// Companies keeps companies and their offices.
type Companies interface {
	// InsertCompany adds a company; errs.Conflict if the id exists.
	InsertCompany(ctx context.Context, c licensing.Company) error
	// GetCompany returns a company; errs.NotFound if there is none.
	GetCompany(ctx context.Context, id string) (licensing.Company, error)
	// UpdateCompany overwrites a company; errs.NotFound if there is none.
	UpdateCompany(ctx context.Context, c licensing.Company) error
	// InsertOffice adds an office; errs.Conflict if the id exists.
	InsertOffice(ctx context.Context, o licensing.Office) error
	// GetOffice returns an office; errs.NotFound if there is none.
	GetOffice(ctx context.Context, id string) (licensing.Office, error)
	// ListOffices returns a company's offices ordered by id.
	ListOffices(ctx context.Context, companyID string) ([]licensing.Office, error)
}

// UserFilter selects users. Zero fields do not filter.
type UserFilter struct {
	CompanyID string
	OfficeID  string
	// OfficeIDs keeps users of any of these offices: an actor's scope.
	OfficeIDs []string
	// UserID keeps one user: a member's scope is itself.
	UserID string
	// ExternalID keeps the users an identity provider knows by that id
	// (compared exactly).
	ExternalID string
	States     []lifecycle.State
	// AfterID and Limit page through results ordered by id.
	AfterID string
	Limit   int
}

// Users keeps users.
type Users interface {
	// InsertUser adds a user at version 1 (u.Version is not read);
	// errs.Conflict if the id, or the email or extension within the
	// company, is taken.
	InsertUser(ctx context.Context, u lifecycle.User) error
	// GetUser returns a user; errs.NotFound if there is none.
	GetUser(ctx context.Context, id string) (lifecycle.User, error)
	// UpdateUser overwrites a user that is still at version u.Version and
	// stores it at u.Version+1; errs.Stale if another write changed it
	// since, errs.NotFound if there is none, errs.Conflict if the email or
	// extension is taken.
	UpdateUser(ctx context.Context, u lifecycle.User) error
	// FindUserByEmail returns the user of a company with that (normalized)
	// email; errs.NotFound if there is none.
	FindUserByEmail(ctx context.Context, companyID, email string) (lifecycle.User, error)
	// FindUsersByUsername returns the users of a company that are not
	// anonymized and whose username is username, compared without regard
	// to case (Unicode case folding), ordered by id; none is not an error.
	// Usernames are not unique, so there may be several. An empty username
	// finds no one.
	FindUsersByUsername(ctx context.Context, companyID, username string) ([]lifecycle.User, error)
	// ExtensionTaken reports whether a user of the company that is not
	// anonymized holds the extension.
	ExtensionTaken(ctx context.Context, companyID, extension string) (bool, error)
	// ListUsers returns the users matching f ordered by id.
	ListUsers(ctx context.Context, f UserFilter) ([]lifecycle.User, error)
	// ListDeletedDue returns the ids of deleted users whose restore window
	// ended at or before now, oldest deadline first, at most limit.
	ListDeletedDue(ctx context.Context, now time.Time, limit int) ([]string, error)
}

// AuditRecord is one entry of the audit trail.
type AuditRecord struct {
	ID        int64
	At        time.Time
	CompanyID string
	// ActorID is the acting user's id, or a system name such as "sweeper".
	ActorID string
	// ActorRole is the role the actor acted in.
	ActorRole string
	// OnBehalfOf is the user the actor was proxying as, if any.
	OnBehalfOf string
	Action     string
	// TargetKind is "user", "number", "office", "company" or "license".
	TargetKind string
	TargetID   string
	// UserID is the user the record is about, if any: for a number, the
	// user it was given to or taken from. Anonymizing that user erases the
	// record's Personal text.
	UserID    string
	FromState string
	ToState   string
	// Detail is non-personal context, such as the fields a reset cleared.
	Detail string
	// Personal is context that names a person (a name, an email). It is
	// erased when the user it is about is anonymized.
	Personal string
}

// AuditFilter selects audit records. Zero fields do not filter.
type AuditFilter struct {
	CompanyID string
	UserID    string
	TargetID  string
	Action    string
	// AfterID and Limit page through records in append order.
	AfterID int64
	Limit   int
}

// Audit keeps the audit trail.
type Audit interface {
	// AppendAudit adds a record and returns its id.
	AppendAudit(ctx context.Context, r AuditRecord) (int64, error)
	// ListAudit returns the records matching f in append order.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditRecord, error)
	// ScrubAudit erases the Personal text of every record about userID.
	ScrubAudit(ctx context.Context, userID string) error
}

// NumberFilter selects numbers. Zero fields do not filter.
type NumberFilter struct {
	OfficeID string
	Status   numbers.Status
	HolderID string
	// LastHolderID selects reserved numbers last held by a user.
	LastHolderID string
}

// Numbers keeps phone numbers.
type Numbers interface {
	// InsertNumber adds a number at version 1 (n.Version is not read);
	// errs.Conflict if its E.164 value exists.
	InsertNumber(ctx context.Context, n numbers.Number) error
	// GetNumber returns a number; errs.NotFound if there is none.
	GetNumber(ctx context.Context, e164 string) (numbers.Number, error)
	// UpdateNumber overwrites a number that is still at version n.Version
	// and stores it at n.Version+1; errs.Stale if another write changed it
	// since, errs.NotFound if there is none.
	UpdateNumber(ctx context.Context, n numbers.Number) error
	// ListNumbers returns the numbers matching f ordered by E.164 value.
	ListNumbers(ctx context.Context, f NumberFilter) ([]numbers.Number, error)
}

// Licenses keeps license pools and the licenses users hold.
type Licenses interface {
	// GetPool returns an office's pool of a type; a pool never written is
	// returned empty (zero total, version 0), not as an error.
	GetPool(ctx context.Context, officeID string, t licensing.LicenseType) (licensing.Pool, error)
	// PutPool writes a pool that is still at version p.Version (0: never
	// written, so it is created) and stores it at p.Version+1; errs.Stale
	// if another write changed it since.
	PutPool(ctx context.Context, p licensing.Pool) error
	// ListPools returns an office's pools ordered by type.
	ListPools(ctx context.Context, officeID string) ([]licensing.Pool, error)
	// UserLicenses returns the license types a user holds, ordered.
	UserLicenses(ctx context.Context, userID string) ([]licensing.LicenseType, error)
	// SetUserLicenses replaces the license types a user holds.
	SetUserLicenses(ctx context.Context, userID string, types []licensing.LicenseType) error
}

// RecordingFilter selects recordings of a company, or of one owner, in
// (StartedAt, ID) order. AfterStartedAt and AfterID resume after the last
// recording of the previous page (keyset paging, no offset scans).
type RecordingFilter struct {
	CompanyID      string
	OwnerID        string
	AfterStartedAt time.Time
	AfterID        string
	Limit          int
}

// Recordings keeps recording plans, retention settings, recordings'
// metadata and legal holds.
type Recordings interface {
	// GetPlan returns a user's plan; a user without one gets the zero plan
	// (recording off, not billed) with UserID set, not an error.
	GetPlan(ctx context.Context, userID string) (recording.Plan, error)
	// PutPlan writes a user's plan, creating it if needed.
	PutPlan(ctx context.Context, p recording.Plan) error
	// GetRetention returns the period set for a company or office id, 0
	// when none is set.
	GetRetention(ctx context.Context, scopeID string) (time.Duration, error)
	// PutRetention sets a scope's period; a zero Period removes it.
	PutRetention(ctx context.Context, r recording.Retention) error
	// InsertRecording adds a recording; errs.Conflict if the id exists.
	InsertRecording(ctx context.Context, r recording.Recording) error
	// GetRecording returns a recording; errs.NotFound if there is none.
	GetRecording(ctx context.Context, id string) (recording.Recording, error)
	// DeleteRecording removes a recording's row for good; errs.NotFound if
	// there is none.
	DeleteRecording(ctx context.Context, id string) error
	// ListRecordings returns the recordings matching f.
	ListRecordings(ctx context.Context, f RecordingFilter) ([]recording.Recording, error)
	// ListRecordingsDue returns recordings whose RetainUntil is at or
	// before now, earliest first, at most limit.
	ListRecordingsDue(ctx context.Context, now time.Time, limit int) ([]recording.Recording, error)
	// InsertHold adds a legal hold; errs.Conflict if the id exists.
	InsertHold(ctx context.Context, h recording.Hold) error
	// UpdateHold overwrites a hold; errs.NotFound if there is none.
	UpdateHold(ctx context.Context, h recording.Hold) error
	// GetHold returns a hold; errs.NotFound if there is none.
	GetHold(ctx context.Context, id string) (recording.Hold, error)
	// ActiveHolds returns the active (unreleased) holds naming recordingID
	// or naming userID, ordered by id; an empty argument matches nothing.
	ActiveHolds(ctx context.Context, recordingID, userID string) ([]recording.Hold, error)
	// ListHolds returns a company's holds, active and released, ordered by
	// id; userID, when set, keeps the holds naming that user.
	ListHolds(ctx context.Context, companyID, userID string) ([]recording.Hold, error)
}

// OutboxEvent is one thing the embedding service must do outside the
// database (delete audio, release a number at the carrier, send an email),
// written in the same transaction as the change that calls for it. Events
// carry ids only, never personal data.
type OutboxEvent struct {
	// ID is unique: consumers deduplicate on it (delivery is at least once).
	ID        string
	CompanyID string
	// Kind says what to do, such as "recording.delete-audio".
	Kind string
	// SubjectID is the id the event is about: a user, a number, a recording.
	SubjectID string
	// Payload is a JSON object of further ids and non-personal values.
	Payload   string
	CreatedAt time.Time
	// Attempts counts the claims so far.
	Attempts int
	// LeaseUntil and LeaseToken are the current claim, if any.
	LeaseUntil time.Time
	LeaseToken string
	// AckedAt is set once delivered; DeadAt once parked after too many
	// failed attempts.
	AckedAt   time.Time
	DeadAt    time.Time
	LastError string
}

// Outbox keeps the transactional outbox.
type Outbox interface {
	// AppendEvent adds an event; errs.Conflict if the id exists.
	AppendEvent(ctx context.Context, e OutboxEvent) error
	// ClaimEvents leases up to limit events that are neither acknowledged
	// nor dead and hold no running lease (LeaseUntil at or before now),
	// oldest first: each gets LeaseUntil = until and LeaseToken = token and
	// one more attempt. An event that already had maxAttempts attempts is
	// parked dead instead (DeadAt = now) and not returned. Concurrent
	// claimers never both get an event while its lease runs, and an event
	// committed by a transaction that began before another's claim is not
	// skipped for good: it is claimed by a later call.
	ClaimEvents(ctx context.Context, now, until time.Time, token string, limit, maxAttempts int) ([]OutboxEvent, error)
	// AckEvent marks an event delivered. A lease that ran out but was not
	// claimed again can still be acknowledged with its token. errs.Conflict
	// if the event holds no lease with that token any more (it was claimed
	// again, or is already acknowledged or dead); errs.NotFound if there is
	// no such event.
	AckEvent(ctx context.Context, id, token string, now time.Time) error
	// FailEvent ends a lease early after a failed delivery and records
	// reason; an event with maxAttempts attempts is parked dead. Errors as
	// AckEvent.
	FailEvent(ctx context.Context, id, token, reason string, now time.Time, maxAttempts int) error
	// RetryEvent is FailEvent with a backoff: the token is cleared as
	// FailEvent does, but LeaseUntil becomes retryAt, so no claim takes
	// the event before then. A retryAt at or before now retries at once.
	RetryEvent(ctx context.Context, id, token, reason string, now, retryAt time.Time, maxAttempts int) error
	// RenewEvent extends the claim token names to until, which must be
	// after now, for a delivery that takes longer than its lease. A lease
	// that ran out but was not claimed again can still be renewed. Errors
	// as AckEvent.
	RenewEvent(ctx context.Context, id, token string, now, until time.Time) error
	// ReleaseEvent gives back a claim whose event was never handed over
	// (its deliverer is stopping): the lease is cleared and the attempt
	// the claim counted is taken back, so the next claim takes the event
	// as if this one never happened. Errors as AckEvent.
	ReleaseEvent(ctx context.Context, id, token string, now time.Time) error
	// ScrubEventErrors empties LastError, the free text failed deliveries
	// recorded (a bounce may name the address it bounced), of every event
	// whose SubjectID is subjectID. Anonymization calls it for the user.
	ScrubEventErrors(ctx context.Context, subjectID string) error
	// ListDeadEvents returns a company's dead events ordered by id, after
	// afterID, at most limit.
	ListDeadEvents(ctx context.Context, companyID, afterID string, limit int) ([]OutboxEvent, error)
	// CountPendingEvents counts a company's events neither acknowledged nor
	// dead; companyID "" counts every company's.
	CountPendingEvents(ctx context.Context, companyID string) (int, error)
}

// UserSearch selects users of one company for [Search.SearchUsers] and
// [Search.CountUsersByTab]. Zero fields do not filter; anonymized users
// never match. The facade's fallback for a store without [Search] applies
// the same filters to ListUsers' result, so each field's meaning below is
// the contract of both.
type UserSearch struct {
	CompanyID string
	// Tab keeps the users of one tab; "" keeps every user that is not
	// anonymized. CountUsersByTab ignores it.
	Tab lifecycle.Tab
	// OfficeIDs keeps users of any of these offices: a filter or an
	// actor's scope.
	OfficeIDs []string
	// UserID keeps one user: a member's scope is itself.
	UserID string
	// Role keeps users of that role; access.Member also matches users
	// whose role is unset.
	Role access.Role
	// Analytics, when set, keeps users whose analytics permission is *Analytics.
	Analytics *bool
	// LicenseType keeps users holding a license of that type.
	LicenseType licensing.LicenseType
	// Text keeps users whose full name ("first last"), reversed full name
	// ("last first"), email or username starts with Text, compared
	// without regard to case, accents or repeated spaces; when Text is all
	// ASCII digits, users whose extension starts with it match too.
	Text string
	// ByName lists SearchUsers' result in name order instead of extension
	// order: by the reversed full name ("last first") compared as Text is
	// (text.SearchKey, then byte order), then by extension. Users without
	// a name (empty extensions) come first.
	ByName bool
	// AfterExtension resumes SearchUsers after the user holding that
	// extension: the last one of the previous page. With ByName,
	// AfterName is that user's reversed full name key,
	// text.SearchKey(last + " " + first), and the page resumes after the
	// pair (AfterName, AfterExtension).
	AfterExtension string
	AfterName      string
	// Limit bounds SearchUsers' result; 0 means no bound.
	Limit int
}

// Search is implemented by a Tx that serves the users lists of an admin
// portal from indexes: every list comes in a stable order and resumes after
// the last key of the previous page (keyset paging, never an offset scan).
// The facade falls back to ListUsers, filtering and ordering in memory, on
// a Tx without it.
type Search interface {
	// SearchUsers returns the users matching f in extension order
	// (numerically: extensions are digits without a leading zero), those
	// after f.AfterExtension only, at most f.Limit; with f.ByName, in name
	// order, after (f.AfterName, f.AfterExtension).
	SearchUsers(ctx context.Context, f UserSearch) ([]lifecycle.User, error)
	// CountUsersByTab counts the users matching f (Tab, AfterExtension and
	// Limit aside) per tab, in one grouped query; a tab without users is
	// absent from the map.
	CountUsersByTab(ctx context.Context, f UserSearch) (map[lifecycle.Tab]int, error)
}

// SearchExplainer is implemented by a Tx whose backend can show how it runs
// the [Search] queries: the plan's lines as the backend prints them
// (EXPLAIN QUERY PLAN on SQLite, EXPLAIN on PostgreSQL). Tests use it to
// check that an index serves each list.
type SearchExplainer interface {
	ExplainSearchUsers(ctx context.Context, f UserSearch) ([]string, error)
	ExplainCountUsersByTab(ctx context.Context, f UserSearch) ([]string, error)
	// AnalyzeUsers refreshes the planner's statistics of the users table
	// (ANALYZE), as the backend's maintenance would; it needs a write
	// transaction.
	AnalyzeUsers(ctx context.Context) error
}

// UserBatchReader is implemented by a Tx that reads several users in one
// statement. The facade falls back to one GetUser per id.
type UserBatchReader interface {
	// GetUsers returns the users of those ids that exist, by id, read in
	// one statement (so on one snapshot even outside a transaction).
	GetUsers(ctx context.Context, ids ...string) (map[string]lifecycle.User, error)
}

// UserPoolReader is implemented by a Tx that reads a user's licenses and
// their pools in one statement. The facade falls back to UserLicenses and
// one GetPool per type.
type UserPoolReader interface {
	// UserLicensePools returns, for each license type a user holds in
	// order, the office's pool of that type (as GetPool would), read in one
	// statement: what a deletion gives back and a restore takes again.
	UserLicensePools(ctx context.Context, userID, officeID string) ([]licensing.Pool, error)
}

// ExtensionReader is implemented by a Tx that finds a company's highest
// extension from an index. The facade falls back to ListUsers of the
// company; either way lifecycle.NextExtension decides the next one.
type ExtensionReader interface {
	// HighestExtension returns the highest extension in numeric order
	// (longer first, then by text) held by a user of the company who is
	// not anonymized, or "" when there is none.
	HighestExtension(ctx context.Context, companyID string) (string, error)
}

// NumberPager is implemented by a Tx that pages through numbers in the
// database. The facade falls back to ListNumbers, cutting the page in
// memory.
type NumberPager interface {
	// PageNumbers returns the numbers matching f ordered by E.164 value,
	// those after afterE164 only, at most limit (0: no bound).
	PageNumbers(ctx context.Context, f NumberFilter, afterE164 string, limit int) ([]numbers.Number, error)
}
