package recording

import "time"

// Plan is one user's call-recording plan: whether calls are recorded,
// whether the plan is billed, and, when set, the user's own retention
// period, which overrides its office's and company's.
type Plan struct {
	UserID    string
	CompanyID string
	// Recording reports whether the user's calls are recorded.
	Recording bool
	// Billed reports whether the plan is charged for.
	Billed bool
	// Retention overrides the office's and company's retention for this
	// user's new recordings; 0 inherits.
	Retention time.Duration
	UpdatedAt time.Time
}

// Retention is a retention period set for a company (its default) or for
// one office (overriding the company's).
type Retention struct {
	CompanyID string
	// ScopeID is the company's id for the company default, or an office id.
	ScopeID string
	Period  time.Duration
}

// Recording is the metadata of one recorded call. The audio lives outside
// lifeline. A recording belongs to the company: when its owner is
// anonymized it keeps only the owner's id, which names no one.
type Recording struct {
	ID        string
	CompanyID string
	// OwnerID is the user whose call was recorded; OfficeID its office at
	// the time.
	OwnerID  string
	OfficeID string
	// Number is the E.164 number the call was on.
	Number    string
	StartedAt time.Time
	Duration  time.Duration
	// RegisteredAt is when lifeline learned of it; RetainUntil, fixed then,
	// is when its retention ends. A later plan change does not move it.
	RegisteredAt time.Time
	RetainUntil  time.Time
}

// Hold is a legal hold: while active it keeps every recording it covers
// from deletion, erase included. It covers one recording (RecordingID) or
// every recording of one user (UserID).
type Hold struct {
	ID          string
	CompanyID   string
	RecordingID string
	UserID      string
	Reason      string
	PlacedBy    string
	PlacedAt    time.Time
	// ReleasedAt is zero while the hold is active.
	ReleasedAt    time.Time
	ReleasedBy    string
	ReleaseReason string
}
