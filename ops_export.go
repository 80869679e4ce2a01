package lifeline

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

// The export operations, declared once.
var (
	specExportUser    = declare("user.export", access.ReadUser, false, runsOnce)
	specRequestExport = declare("user.export-request", access.ReadUser, true)
)

// ExportFormat names the document [ExportUser] writes; it changes only
// when a reader of the previous one could misread the new one.
const ExportFormat = "lifeline.user-export/1"

// exportPage is how many recordings or audit records the export reads per
// query: the most it holds in memory at once.
const exportPage = 256

// ExportUser writes a user's data to W as one JSON document, the answer to
// a data-access request: the user as [User] shows it (never a password or
// PIN hash), its licenses, the numbers it holds and the reserved numbers it
// last held, its recording plan and recordings' metadata, the legal holds
// on it or on its recordings, and its audit trail. The document's shape is
// [UserExport].
//
// # Streaming
//
// The document is written as it is read: recordings and audit records a
// page at a time, each element encoded on its own and flushed to W at the
// end of every page, so memory stays flat however many there are.
//
// # One snapshot
//
// ExportUser is a read-only operation: it runs in one read transaction, so
// the whole document is one consistent snapshot (REPEATABLE READ on
// PostgreSQL, a WAL read snapshot on SQLite), as a data-access request
// wants. The transaction stays open while W is written, which a slow W
// prolongs: on SQLite it holds one pooled connection and keeps a WAL
// checkpoint (the one after an erasure, too) from completing until it ends
// (the store retries that one in the background, see store/sqlite);
// on PostgreSQL it holds back vacuum. Give ctx a deadline.
//
// The operation is declared to run once (OpSpec.Once): the runner gives it
// a read transaction from the start, and a bulk batch holding it never runs
// a second time; neither store retries a read transaction (only Update
// retries, on PostgreSQL), so W is written once. Were a store to run the
// read again after bytes had reached W, the export would fail rather than
// write the document a second time after them. An export that fails halfway leaves a
// truncated document in W and returns the error.
//
// # Authorization
//
// The operation needs the user.read permission on the user: a member may
// export itself, an admin the users of its scope. A section whose own list
// operation needs another permission the actor lacks on the user is left
// out and named in the document's "omitted" list, so an export never shows
// more than the actor could list: the numbers (number.read), the recording
// plan and recordings (recording.read), the legal holds (recording.hold)
// and the audit trail (audit.read). A user of another company is not found;
// an anonymized user is refused with [ErrGone] and nothing is written.
//
// # Audit
//
// A read writes nothing, so ExportUser alone leaves no audit record: run
// [RequestExport] first, as [Service.ExportUser] does.
type ExportUser struct {
	UserID string
	W      io.Writer
}

// Spec implements Operation.
func (ExportUser) Spec() OpSpec { return specExportUser }

func (x ExportUser) prepare(context.Context, *Service) (step[struct{}], error) {
	if x.W == nil {
		return nil, errs.E(errs.Invalid, specExportUser.Name, "no writer to export to").
			Say("There is nowhere to write the export to.")
	}
	// sent counts the bytes that reached x.W over every attempt of this
	// run: bytes cannot be taken back, so a second attempt after some were
	// sent is refused rather than written after them.
	sent := &countingWriter{w: x.W}
	return func(o *op) (struct{}, error) {
		if sent.n > 0 {
			return struct{}{}, errs.E(errs.Other, o.name,
				"the store ran the export's read transaction again after %d bytes reached the writer; the writer holds a partial document", sent.n)
		}
		u, err := o.loadExportable(x.UserID)
		if err != nil {
			return struct{}{}, err
		}
		secs, err := o.exportSections(u)
		if err != nil {
			return struct{}{}, err
		}
		// A fresh buffer per attempt: nothing of an earlier one is sent.
		return struct{}{}, o.writeExport(newExportWriter(sent), u, secs)
	}, nil
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// RequestExport records a data-access export of a user in the audit trail,
// before any of the user's data is written: action "user.export-request",
// the sections the actor may read in its detail, no personal text. It is
// authorized and refused exactly as [ExportUser] is (an anonymized user is
// [ErrGone]), so a refused export records nothing.
//
// The record comes first, in its own short write transaction, because the
// export itself cannot write it: a read transaction writes nothing, and
// streaming inside a write transaction would hold the write lock for the
// whole stream and, on PostgreSQL, could be retried after a serialization
// failure and write the beginning of W twice. So the record is of the
// request: it stays when the export that follows fails, and an export that
// succeeds is always recorded. The export's own audit section, read after
// the record commits, includes it.
type RequestExport struct{ UserID string }

// Spec implements Operation.
func (RequestExport) Spec() OpSpec { return specRequestExport }

func (x RequestExport) prepare(context.Context, *Service) (step[struct{}], error) {
	return func(o *op) (struct{}, error) {
		u, err := o.loadExportable(x.UserID)
		if err != nil {
			return struct{}{}, err
		}
		secs, err := o.exportSections(u)
		if err != nil {
			return struct{}{}, err
		}
		detail := "data-access export of " + strings.Join(secs.included(), ", ")
		if om := secs.omitted(); len(om) > 0 {
			var names []string
			for _, m := range om {
				names = append(names, m.Section)
			}
			detail += "; without " + strings.Join(names, ", ")
		}
		return struct{}{}, o.audit(o.ctx, store.AuditRecord{CompanyID: u.CompanyID, TargetKind: "user", TargetID: u.ID, UserID: u.ID,
			Detail: detail})
	}, nil
}

// ExportUser answers a data-access request. It is not one operation but
// two, each in its own transaction: it records the request in the audit
// trail ([RequestExport]), then streams the user's data to w as one JSON
// document ([ExportUser]). An export refused when asked for records and
// writes nothing; the record stays if the export fails after it (the
// writer failing, the user erased in between).
func (s *Service) ExportUser(ctx context.Context, actor Actor, userID string, w io.Writer) error {
	if w == nil {
		return errs.E(errs.Invalid, specExportUser.Name, "no writer to export to").
			Say("There is nowhere to write the export to.")
	}
	if _, err := Do(ctx, s, actor, RequestExport{UserID: userID}); err != nil {
		return err
	}
	_, err := Do(ctx, s, actor, ExportUser{UserID: userID, W: w})
	return err
}

// loadExportable loads and authorizes the user to export, refusing an
// anonymized one: nothing of it is left that is its own.
func (o *op) loadExportable(id string) (lifecycle.User, error) {
	u, err := o.userToActOn(id)
	if err != nil {
		return u, err
	}
	if u.State() == lifecycle.Anonymized {
		return u, errs.E(errs.Gone, o.name, "user %s is anonymized: nothing of it is left to export", u.ID).
			Say("This user's personal data has been erased for good, so there is nothing left to export.")
	}
	return u, nil
}

// exportSections says which optional sections of an export the principal
// may read.
type exportSections struct {
	numbers, recordings, holds, audit bool
}

// exportOptional lists the optional sections with the permission each
// needs, in document order.
var exportOptional = []struct {
	name  string
	needs access.Action
	field func(*exportSections) *bool
}{
	{"numbers", access.ReadNumbers, func(s *exportSections) *bool { return &s.numbers }},
	{"recordings", access.ReadRecordings, func(s *exportSections) *bool { return &s.recordings }},
	{"legal_holds", access.PlaceHold, func(s *exportSections) *bool { return &s.holds }},
	{"audit", access.ReadAudit, func(s *exportSections) *bool { return &s.audit }},
}

func (o *op) exportSections(u lifecycle.User) (exportSections, error) {
	var s exportSections
	for _, sec := range exportOptional {
		ok, err := o.may(sec.needs, userTarget(u))
		if err != nil {
			return s, err
		}
		*sec.field(&s) = ok
	}
	return s, nil
}

// included names the sections written, the user's own first.
func (s exportSections) included() []string {
	out := []string{"user", "licenses"}
	for _, sec := range exportOptional {
		if *sec.field(&s) {
			out = append(out, sec.name)
		}
	}
	return out
}

func (s exportSections) omitted() []ExportOmission {
	out := []ExportOmission{}
	for _, sec := range exportOptional {
		if !*sec.field(&s) {
			out = append(out, ExportOmission{Section: sec.name, Needs: string(sec.needs)})
		}
	}
	return out
}

// may reports whether the principal has permission a on t, without
// refusing the operation: the export leaves out what it may not read.
func (o *op) may(a access.Action, t access.Target) (bool, error) {
	var tier licensing.Tier
	if access.NeedsAdvancedPlan(a) {
		c, err := o.tx.GetCompany(o.ctx, t.CompanyID)
		if err != nil {
			return false, err
		}
		tier = c.Tier
	}
	err := access.Authorize(o.principal, a, t, tier)
	switch {
	case err == nil:
		return true, nil
	case errs.Is(err, errs.Forbidden):
		return false, nil
	}
	return false, err
}

// exportWriter writes a document through a buffer, keeping the first error:
// the writing code stays linear and checks once per element or page.
type exportWriter struct {
	bw  *bufio.Writer
	enc *json.Encoder
	err error
}

func newExportWriter(w io.Writer) *exportWriter {
	bw := bufio.NewWriterSize(w, 16<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &exportWriter{bw: bw, enc: enc}
}

// raw writes JSON punctuation or a key.
func (w *exportWriter) raw(s string) {
	if w.err == nil {
		_, w.err = w.bw.WriteString(s)
	}
}

// value encodes one value (followed by a newline, which JSON allows).
func (w *exportWriter) value(v any) {
	if w.err == nil {
		w.err = w.enc.Encode(v)
	}
}

// field writes `,"key":` and v.
func (w *exportWriter) field(key string, v any) {
	w.raw(`,"` + key + `":`)
	w.value(v)
}

// flush sends what is buffered to the destination.
func (w *exportWriter) flush() error {
	if w.err == nil {
		w.err = w.bw.Flush()
	}
	return w.err
}

// array writes `,"key":[`, then each element pages yields, flushing after
// every page, then `]`. next returns the next page; an empty page ends it.
func (w *exportWriter) array(key string, next func() ([]any, error)) error {
	w.raw(`,"` + key + `":[`)
	first := true
	for {
		page, err := next()
		if err != nil {
			return err
		}
		for _, v := range page {
			if !first {
				w.raw(",")
			}
			first = false
			w.value(v)
		}
		if err := w.flush(); err != nil {
			return err
		}
		if len(page) == 0 {
			break
		}
	}
	w.raw("]")
	return w.err
}

// writeExport writes the document, section by section, in the order of
// [UserExport]'s fields.
func (o *op) writeExport(w *exportWriter, u lifecycle.User, secs exportSections) error {
	fail := func(err error) error {
		if err == w.err {
			return errs.Wrap(errs.Other, o.name, err, "writing the export of user %s", u.ID)
		}
		return err
	}
	ctx := o.ctx
	w.raw(`{"format":`)
	w.value(ExportFormat)
	w.field("exported_at", o.now)
	w.field("exported_by", o.actor.Name())
	w.field("omitted", secs.omitted())
	w.field("user", exportedUser(viewOf(u)))
	licenses, err := o.tx.UserLicenses(ctx, u.ID)
	if err != nil {
		return err
	}
	if licenses == nil {
		licenses = []licensing.LicenseType{}
	}
	w.field("licenses", licenses)
	if err := w.flush(); err != nil {
		return fail(err)
	}

	if secs.numbers {
		held, err := o.tx.ListNumbers(ctx, store.NumberFilter{HolderID: u.ID, Status: numbers.Assigned})
		if err != nil {
			return err
		}
		reserved, err := o.tx.ListNumbers(ctx, store.NumberFilter{LastHolderID: u.ID, Status: numbers.Reserved})
		if err != nil {
			return err
		}
		w.field("numbers", exportedNumbers(o.s, held))
		w.field("reserved_numbers", exportedNumbers(o.s, reserved))
	}

	if secs.recordings {
		plan, err := o.tx.GetPlan(ctx, u.ID)
		if err != nil {
			return err
		}
		w.field("recording_plan", ExportedPlan{Recording: plan.Recording, Billed: plan.Billed,
			RetentionSeconds: plan.Retention.Seconds(), UpdatedAt: plan.UpdatedAt})
		f := store.RecordingFilter{CompanyID: u.CompanyID, OwnerID: u.ID, Limit: exportPage}
		done := false
		err = w.array("recordings", func() ([]any, error) {
			if done {
				return nil, nil
			}
			list, err := o.tx.ListRecordings(ctx, f)
			if err != nil {
				return nil, err
			}
			if len(list) < f.Limit {
				done = true
			} else {
				last := list[len(list)-1]
				f.AfterStartedAt, f.AfterID = last.StartedAt, last.ID
			}
			page := make([]any, len(list))
			for i, r := range list {
				page[i] = exportedRecording(r)
			}
			return page, nil
		})
		if err != nil {
			return fail(err)
		}
	}

	if secs.holds {
		holds, err := o.holdsOn(u)
		if err != nil {
			return err
		}
		w.field("legal_holds", holds)
	}

	if secs.audit {
		f := store.AuditFilter{CompanyID: u.CompanyID, UserID: u.ID, Limit: exportPage}
		done := false
		err := w.array("audit", func() ([]any, error) {
			if done {
				return nil, nil
			}
			list, err := o.tx.ListAudit(ctx, f)
			if err != nil {
				return nil, err
			}
			if len(list) < f.Limit {
				done = true
			} else {
				f.AfterID = list[len(list)-1].ID
			}
			page := make([]any, len(list))
			for i, r := range list {
				page[i] = exportedAudit(r)
			}
			return page, nil
		})
		if err != nil {
			return fail(err)
		}
	}
	w.raw("}\n")
	return fail(w.flush())
}

// holdsOn returns the holds placed on u and those placed on one of its
// recordings, active and released, ordered by id. A hold on a recording
// names only the recording, so the company's holds are read and each such
// hold's recording looked up; a hold whose recording is gone is left out
// (its owner can no longer be told).
func (o *op) holdsOn(u lifecycle.User) ([]ExportedHold, error) {
	holds, err := o.userHolds(u.CompanyID, u.ID)
	if err != nil {
		return nil, err
	}
	out := make([]ExportedHold, len(holds))
	for i, h := range holds {
		out[i] = ExportedHold{ID: h.ID, RecordingID: h.RecordingID, UserID: h.UserID, Reason: h.Reason,
			PlacedBy: h.PlacedBy, PlacedAt: h.PlacedAt, ReleasedAt: h.ReleasedAt, ReleasedBy: h.ReleasedBy,
			ReleaseReason: h.ReleaseReason}
	}
	return out, nil
}

// UserExport is the document [ExportUser] writes, for a reader to decode
// it (ExportUser itself never builds one: it streams). Keys are in
// snake_case; times are RFC 3339 in UTC, left out when unset; durations are
// seconds. A section the exporting actor may not read is absent (nil here)
// and named in Omitted; a readable section with nothing in it is an empty
// list.
type UserExport struct {
	// Format is [ExportFormat].
	Format     string    `json:"format"`
	ExportedAt time.Time `json:"exported_at"`
	// ExportedBy names the actor as the audit trail does.
	ExportedBy string           `json:"exported_by"`
	Omitted    []ExportOmission `json:"omitted"`
	User       ExportedUser     `json:"user"`
	Licenses   []LicenseType    `json:"licenses"`
	// Numbers are the numbers the user holds; ReservedNumbers those in
	// the reserved pool that it held last.
	Numbers         []ExportedNumber `json:"numbers,omitempty"`
	ReservedNumbers []ExportedNumber `json:"reserved_numbers,omitempty"`
	RecordingPlan   *ExportedPlan    `json:"recording_plan,omitempty"`
	// Recordings are in call order, oldest first.
	Recordings []ExportedRecording `json:"recordings,omitempty"`
	LegalHolds []ExportedHold      `json:"legal_holds,omitempty"`
	// Audit is every audit record about the user, in append order.
	Audit []ExportedAudit `json:"audit,omitempty"`
}

// ExportOmission names a section left out of an export and the permission
// on the user that reading it needs.
type ExportOmission struct {
	Section string `json:"section"`
	Needs   string `json:"needs"`
}

// ExportedUser is the user in an export: the [User] view, which holds no
// secret, only whether one is set.
type ExportedUser struct {
	ID              string            `json:"id"`
	CompanyID       string            `json:"company_id"`
	OfficeID        string            `json:"office_id"`
	ParentID        string            `json:"parent_id,omitempty"`
	Kind            lifecycle.Kind    `json:"kind"`
	Extension       string            `json:"extension"`
	FirstName       string            `json:"first_name,omitempty"`
	LastName        string            `json:"last_name,omitempty"`
	Email           string            `json:"email,omitempty"`
	Username        string            `json:"username,omitempty"`
	ExternalID      string            `json:"external_id,omitempty"`
	HasPassword     bool              `json:"has_password"`
	HasVoicemailPIN bool              `json:"has_voicemail_pin"`
	Role            Role              `json:"role"`
	Offices         []string          `json:"offices,omitempty"`
	Analytics       bool              `json:"analytics"`
	Proxy           bool              `json:"proxy"`
	Devices         []string          `json:"devices"`
	Settings        map[string]string `json:"settings"`
	Billing         BillingClass      `json:"billing"`
	State           State             `json:"state"`
	SuspendedFrom   State             `json:"suspended_from,omitempty"`
	DeletedFrom     State             `json:"deleted_from,omitempty"`
	CreatedAt       time.Time         `json:"created_at,omitzero"`
	UpdatedAt       time.Time         `json:"updated_at,omitzero"`
	DeletedAt       time.Time         `json:"deleted_at,omitzero"`
	RestoreUntil    time.Time         `json:"restore_until,omitzero"`
	PurgeBy         time.Time         `json:"purge_by,omitzero"`
	HeldAtDeletion  []string          `json:"held_at_deletion,omitempty"`
}

func exportedUser(v User) ExportedUser {
	e := ExportedUser{
		ID: v.ID, CompanyID: v.CompanyID, OfficeID: v.OfficeID, ParentID: v.ParentID, Kind: v.Kind, Extension: v.Extension,
		FirstName: v.Person.FirstName, LastName: v.Person.LastName, Email: v.Email, Username: v.Username, ExternalID: v.ExternalID,
		HasPassword: v.HasPassword, HasVoicemailPIN: v.HasVoicemailPIN,
		Role: v.Role, Offices: v.Offices, Analytics: v.Analytics, Proxy: v.Proxy,
		Devices: v.Devices, Settings: v.Settings, Billing: v.Billing,
		State: v.Status.State, SuspendedFrom: v.Status.SuspendedFrom, DeletedFrom: v.Status.DeletedFrom,
		CreatedAt: v.CreatedAt, UpdatedAt: v.UpdatedAt, DeletedAt: v.DeletedAt, RestoreUntil: v.RestoreUntil, PurgeBy: v.PurgeBy,
		HeldAtDeletion: v.HeldAtDeletion,
	}
	if e.Devices == nil {
		e.Devices = []string{}
	}
	if e.Settings == nil {
		e.Settings = map[string]string{}
	}
	return e
}

// ExportedNumber is a number in an export.
type ExportedNumber struct {
	E164     string       `json:"e164"`
	Kind     NumberKind   `json:"kind"`
	Country  string       `json:"country,omitempty"`
	OfficeID string       `json:"office_id"`
	Status   NumberStatus `json:"status"`
	// LastOfficeID, ReservedAt and QuarantineUntil are set for a reserved
	// number: where it was held, since when it is reserved, and when it
	// becomes free for anyone.
	LastOfficeID    string    `json:"last_office_id,omitempty"`
	ReservedAt      time.Time `json:"reserved_at,omitzero"`
	QuarantineUntil time.Time `json:"quarantine_until,omitzero"`
}

func exportedNumbers(s *Service, list []numbers.Number) []ExportedNumber {
	out := make([]ExportedNumber, len(list))
	for i, n := range list {
		out[i] = ExportedNumber{E164: n.E164, Kind: n.Kind, Country: n.Country, OfficeID: n.OfficeID, Status: n.Status,
			LastOfficeID: n.LastOfficeID, ReservedAt: n.ReservedAt, QuarantineUntil: s.quarantine.Until(n)}
	}
	return out
}

// ExportedPlan is the user's recording plan in an export; a zero
// RetentionSeconds inherits the office's and company's retention.
type ExportedPlan struct {
	Recording        bool      `json:"recording"`
	Billed           bool      `json:"billed"`
	RetentionSeconds float64   `json:"retention_seconds"`
	UpdatedAt        time.Time `json:"updated_at,omitzero"`
}

// ExportedRecording is one recorded call's metadata in an export.
type ExportedRecording struct {
	ID string `json:"id"`
	// OfficeID is the user's office at the time of the call.
	OfficeID        string    `json:"office_id"`
	Number          string    `json:"number"`
	StartedAt       time.Time `json:"started_at"`
	DurationSeconds float64   `json:"duration_seconds"`
	RegisteredAt    time.Time `json:"registered_at,omitzero"`
	RetainUntil     time.Time `json:"retain_until,omitzero"`
}

func exportedRecording(r recording.Recording) ExportedRecording {
	return ExportedRecording{ID: r.ID, OfficeID: r.OfficeID, Number: r.Number, StartedAt: r.StartedAt,
		DurationSeconds: r.Duration.Seconds(), RegisteredAt: r.RegisteredAt, RetainUntil: r.RetainUntil}
}

// ExportedHold is a legal hold in an export: on one of the user's
// recordings (RecordingID) or on all of them (UserID).
type ExportedHold struct {
	ID            string    `json:"id"`
	RecordingID   string    `json:"recording_id,omitempty"`
	UserID        string    `json:"user_id,omitempty"`
	Reason        string    `json:"reason"`
	PlacedBy      string    `json:"placed_by"`
	PlacedAt      time.Time `json:"placed_at"`
	ReleasedAt    time.Time `json:"released_at,omitzero"`
	ReleasedBy    string    `json:"released_by,omitempty"`
	ReleaseReason string    `json:"release_reason,omitempty"`
}

// ExportedAudit is one audit record about the user in an export.
type ExportedAudit struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	ActorID    string    `json:"actor_id"`
	ActorRole  string    `json:"actor_role,omitempty"`
	OnBehalfOf string    `json:"on_behalf_of,omitempty"`
	Action     string    `json:"action"`
	TargetKind string    `json:"target_kind,omitempty"`
	TargetID   string    `json:"target_id,omitempty"`
	FromState  string    `json:"from_state,omitempty"`
	ToState    string    `json:"to_state,omitempty"`
	Detail     string    `json:"detail,omitempty"`
	Personal   string    `json:"personal,omitempty"`
}

func exportedAudit(r store.AuditRecord) ExportedAudit {
	return ExportedAudit{ID: r.ID, At: r.At, ActorID: r.ActorID, ActorRole: r.ActorRole, OnBehalfOf: r.OnBehalfOf,
		Action: r.Action, TargetKind: r.TargetKind, TargetID: r.TargetID, FromState: r.FromState, ToState: r.ToState,
		Detail: r.Detail, Personal: r.Personal}
}
