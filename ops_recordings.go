package lifeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

// The recording operations, declared once.
var (
	specSetRecordingPlan = declare("recording.set-plan", access.ManageRecording, true, stagedAs[RecordingPlan, SetRecordingPlan]())
	specSetRetention     = declare("recording.set-retention", access.ManageRecording, true)
	specRegister         = declare("recording.register", access.ManageRecording, true)
	specListRecordings   = declare("recording.list", access.ReadRecordings, false)
	specGetPlan          = declare("recording.get-plan", access.ReadRecordings, false)
	specPlaceHold        = declare("recording.place-hold", access.PlaceHold, true)
	specReleaseHold      = declare("recording.release-hold", access.PlaceHold, true)
	specListHolds        = declare("recording.list-holds", access.PlaceHold, false)
	specOffboard         = declare("user.offboard", access.ManageRecording, true, stagedAs[Offboarded, Offboard]())
)

// Outbox event kinds: what the host must do outside the database.
const (
	// EventDeleteAudio: delete the audio of the recording SubjectID.
	EventDeleteAudio = "recording.delete-audio"
	// EventNumberReleased: release the number SubjectID at the carrier.
	EventNumberReleased = "number.released"
	// EventWelcomeEmail, EventInvitationEmail, EventPasswordResetEmail:
	// send that email to the user SubjectID (read its address with
	// GetUser when sending; an anonymized user has none).
	EventWelcomeEmail       = "user.welcome-email"
	EventInvitationEmail    = "user.invitation-email"
	EventPasswordResetEmail = "user.password-reset-email"
	// EventUserAnonymized: erase what the host keeps of the user SubjectID.
	EventUserAnonymized = "user.anonymized"
)

// recordingEffects applies what a lifecycle event does to u's recording,
// as package recording gives it: stop recording, billing off, delete the
// user's recordings (refused as a whole under a legal hold). Every user
// change goes through here, so recording plugs into the lifecycle by its
// effects table, not by code in each operation.
func (o *op) recordingEffects(u lifecycle.User, event string) error {
	effects := recording.EffectsOf(event)
	if len(effects) == 0 {
		return nil
	}
	plan, err := o.tx.GetPlan(o.ctx, u.ID)
	if err != nil {
		return err
	}
	next := plan
	for _, e := range effects {
		switch e {
		case recording.StopRecording:
			next.Recording = false
		case recording.BillingOff:
			next.Billed = false
		case recording.DeleteRecordings:
			// A hold on the user blocks the erase even when it has no
			// recording yet.
			holds, err := o.tx.ActiveHolds(o.ctx, "", u.ID)
			if err != nil {
				return err
			}
			if len(holds) > 0 {
				herr := &recording.HoldError{Op: o.name, UserID: u.ID, Erase: true, Holds: holds}
				return errs.Wrap(errs.Conflict, o.name, herr, "user %s", u.ID)
			}
			if err := o.deleteRecordingsOf(u); err != nil {
				return err
			}
		}
	}
	return o.putPlan(u, plan, next)
}

// putPlan writes a user's plan when it changed, and records the change.
func (o *op) putPlan(u lifecycle.User, before, after recording.Plan) error {
	return o.writePlan(u, before, after, false)
}

// choosePlan writes a plan an operation chose for the user: as putPlan,
// and also when it leaves a plan never set as it was, so that the plan is
// set (recording.Plan.Set) and a re-sync keeps the choice rather than
// taking the carrier's word for it.
func (o *op) choosePlan(u lifecycle.User, before, after recording.Plan) error {
	return o.writePlan(u, before, after, true)
}

func (o *op) writePlan(u lifecycle.User, before, after recording.Plan, choice bool) error {
	after.UserID, after.CompanyID = u.ID, u.CompanyID
	same := before.Recording == after.Recording && before.Billed == after.Billed && before.Retention == after.Retention
	if same && (!choice || before.Set()) {
		return nil
	}
	after.UpdatedAt = o.now
	if err := o.tx.PutPlan(o.ctx, after); err != nil {
		return err
	}
	if !same {
		o.eff.Recordings = append(o.eff.Recordings, RecordingChange{UserID: u.ID, From: before, To: after})
	}
	return nil
}

// deleteRecordingsOf deletes every recording of u, as an explicit erase
// does: before their retention ends, but never under a legal hold, which
// refuses the whole operation.
func (o *op) deleteRecordingsOf(u lifecycle.User) error {
	f := store.RecordingFilter{CompanyID: u.CompanyID, OwnerID: u.ID, Limit: 500}
	for {
		page, err := o.tx.ListRecordings(o.ctx, f)
		if err != nil {
			return err
		}
		for _, r := range page {
			if err := o.deleteRecording(r, true); err != nil {
				return err
			}
		}
		if len(page) < f.Limit {
			return nil
		}
		last := page[len(page)-1]
		f.AfterStartedAt, f.AfterID = last.StartedAt, last.ID
	}
}

// deleteRecording deletes one recording if the rules allow it now, and
// asks the host to delete its audio.
func (o *op) deleteRecording(r recording.Recording, erase bool) error {
	holds, err := o.tx.ActiveHolds(o.ctx, r.ID, r.OwnerID)
	if err != nil {
		return err
	}
	if err := recording.CanDelete(r, holds, o.now, erase); err != nil {
		return errs.Wrap(errs.KindOf(err), o.name, err, "recording %s of user %s", r.ID, r.OwnerID)
	}
	if err := o.tx.DeleteRecording(o.ctx, r.ID); err != nil {
		return err
	}
	o.eff.Recordings = append(o.eff.Recordings, RecordingChange{RecordingID: r.ID, UserID: r.OwnerID, Deleted: true})
	o.emit(r.CompanyID, EventDeleteAudio, r.ID, map[string]string{"owner_id": r.OwnerID})
	return nil
}

// retentionFor is the retention a new recording of u gets: the user's
// plan, else its office's, else its company's, else the default.
func (o *op) retentionFor(u lifecycle.User, plan recording.Plan) (time.Duration, error) {
	office, err := o.tx.GetRetention(o.ctx, u.OfficeID)
	if err != nil {
		return 0, err
	}
	company, err := o.tx.GetRetention(o.ctx, u.CompanyID)
	if err != nil {
		return 0, err
	}
	return recording.EffectiveRetention(company, office, plan.Retention), nil
}

// SetRecordingPlan sets a live user's recording plan: recording on or off,
// billed or not, and optionally a retention period of its own (0
// inherits the office's and company's).
type SetRecordingPlan struct {
	UserID    string
	Recording bool
	Billed    bool
	Retention time.Duration
}

// Spec implements Operation.
func (SetRecordingPlan) Spec() OpSpec { return specSetRecordingPlan }

func (x SetRecordingPlan) prepare(context.Context, *Service) (step[RecordingPlan], error) {
	if x.Retention != 0 {
		if err := recording.ValidateRetention(x.Retention); err != nil {
			return nil, err
		}
	}
	return func(o *op) (RecordingPlan, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return RecordingPlan{}, err
		}
		if x.Recording && !u.State().Live() || x.Recording && u.State() == lifecycle.Suspended {
			return RecordingPlan{}, errs.E(errs.Conflict, o.name, "user %s is %s: its calls cannot be recorded", u.ID, u.State()).
				Say("The calls of a user in state %s cannot be recorded.", u.State())
		}
		before, err := o.tx.GetPlan(o.ctx, u.ID)
		if err != nil {
			return RecordingPlan{}, err
		}
		after := recording.Plan{UserID: u.ID, CompanyID: u.CompanyID, Recording: x.Recording, Billed: x.Billed, Retention: x.Retention, UpdatedAt: before.UpdatedAt}
		if err := o.choosePlan(u, before, after); err != nil {
			return RecordingPlan{}, err
		}
		after.UpdatedAt = o.now
		return after, o.audit(o.ctx, store.AuditRecord{CompanyID: u.CompanyID, TargetKind: "user", TargetID: u.ID, UserID: u.ID,
			Detail: fmt.Sprintf("recording=%t billed=%t retention=%s", x.Recording, x.Billed, x.Retention)})
	}, nil
}

// SetRecordingPlan sets a user's recording plan. See [SetRecordingPlan].
func (s *Service) SetRecordingPlan(ctx context.Context, actor Actor, p SetRecordingPlan) (RecordingPlan, error) {
	return Do(ctx, s, actor, p)
}

// GetRecordingPlan reads a user's recording plan (recording off and not
// billed for a user that never had one).
type GetRecordingPlan struct{ UserID string }

// Spec implements Operation.
func (GetRecordingPlan) Spec() OpSpec { return specGetPlan }

func (x GetRecordingPlan) prepare(context.Context, *Service) (step[RecordingPlan], error) {
	return func(o *op) (RecordingPlan, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return RecordingPlan{}, err
		}
		p, err := o.tx.GetPlan(o.ctx, u.ID)
		p.UserID, p.CompanyID = u.ID, u.CompanyID
		return p, err
	}, nil
}

// GetRecordingPlan reads a user's recording plan. See [GetRecordingPlan].
func (s *Service) GetRecordingPlan(ctx context.Context, actor Actor, userID string) (RecordingPlan, error) {
	return Do(ctx, s, actor, GetRecordingPlan{UserID: userID})
}

// SetRetention sets the retention period new recordings get: the company's
// default (CompanyID) or an office's (OfficeID); give one. A zero Period
// removes the setting. Recordings already registered keep theirs.
type SetRetention struct {
	CompanyID string
	OfficeID  string
	Period    time.Duration
}

// Spec implements Operation.
func (SetRetention) Spec() OpSpec { return specSetRetention }

func (x SetRetention) prepare(context.Context, *Service) (step[recording.Retention], error) {
	if (x.CompanyID == "") == (x.OfficeID == "") {
		return nil, errs.E(errs.Invalid, specSetRetention.Name, "name a company or an office, not both")
	}
	if x.Period != 0 {
		if err := recording.ValidateRetention(x.Period); err != nil {
			return nil, err
		}
	}
	return func(o *op) (recording.Retention, error) {
		var r recording.Retention
		if x.OfficeID != "" {
			off, err := o.loadOffice(x.OfficeID)
			if err != nil {
				return r, err
			}
			if err := o.authorizeOffice(off); err != nil {
				return r, err
			}
			r = recording.Retention{CompanyID: off.CompanyID, ScopeID: off.ID, Period: x.Period}
		} else {
			c, err := o.loadCompany(x.CompanyID)
			if err != nil {
				return r, err
			}
			if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
				return r, err
			}
			r = recording.Retention{CompanyID: c.ID, ScopeID: c.ID, Period: x.Period}
		}
		if err := o.tx.PutRetention(o.ctx, r); err != nil {
			return r, err
		}
		return r, o.audit(o.ctx, store.AuditRecord{CompanyID: r.CompanyID, TargetKind: "retention", TargetID: r.ScopeID,
			Detail: "retention " + x.Period.String()})
	}, nil
}

// SetRetention sets a company's or office's retention. See [SetRetention].
func (s *Service) SetRetention(ctx context.Context, actor Actor, r SetRetention) (recording.Retention, error) {
	return Do(ctx, s, actor, r)
}

// RegisterRecording records the metadata of a call recorded for a user
// whose plan has recording on (the audio lives outside lifeline). The
// call's number must be one of the user's company's numbers, in any status
// (see package recording); another company's is refused as not found. Its
// retention is fixed now, from the user's plan, office and company: a later
// change of plan does not move it.
type RegisterRecording struct {
	UserID    string
	Number    string
	StartedAt time.Time
	Duration  time.Duration
}

// Spec implements Operation.
func (RegisterRecording) Spec() OpSpec { return specRegister }

func (x RegisterRecording) prepare(context.Context, *Service) (step[Recording], error) {
	p, err := numbers.Parse(x.Number, "")
	if err != nil {
		return nil, err
	}
	return func(o *op) (Recording, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return Recording{}, err
		}
		if err := o.checkRecordedNumber(u, p.E164); err != nil {
			return Recording{}, err
		}
		plan, err := o.tx.GetPlan(o.ctx, u.ID)
		if err != nil {
			return Recording{}, err
		}
		if !plan.Recording {
			return Recording{}, errs.E(errs.Conflict, o.name, "recording is off for user %s", u.ID).
				Say("Recording is off for this user, so no recording can be added.")
		}
		retention, err := o.retentionFor(u, plan)
		if err != nil {
			return Recording{}, err
		}
		r, err := recording.NewRecording(recording.Recording{ID: newID("rec_"), CompanyID: u.CompanyID, OwnerID: u.ID,
			OfficeID: u.OfficeID, Number: p.E164, StartedAt: x.StartedAt.UTC(), Duration: x.Duration}, retention, o.now)
		if err != nil {
			return Recording{}, err
		}
		if err := o.tx.InsertRecording(o.ctx, r); err != nil {
			return Recording{}, err
		}
		return r, o.audit(o.ctx, store.AuditRecord{CompanyID: u.CompanyID, TargetKind: "recording", TargetID: r.ID, UserID: u.ID,
			Detail: "retain until " + r.RetainUntil.Format(time.RFC3339)})
	}, nil
}

// checkRecordedNumber checks that a call of u recorded on e164 was on one of
// u's company's numbers, as recording.CheckNumber rules.
func (o *op) checkRecordedNumber(u lifecycle.User, e164 string) error {
	company := ""
	n, err := o.tx.GetNumber(o.ctx, e164)
	switch {
	case errs.Is(err, errs.NotFound):
	case err != nil:
		return err
	default:
		office, err := o.tx.GetOffice(o.ctx, n.OfficeID)
		if err != nil {
			return err
		}
		company = office.CompanyID
	}
	err = recording.CheckNumber(recording.Recording{CompanyID: u.CompanyID, Number: e164}, company)
	if err != nil {
		return errs.Wrap(errs.NotFound, o.name, err, "user %s", u.ID)
	}
	return nil
}

// RegisterRecording registers a recorded call. See [RegisterRecording].
func (s *Service) RegisterRecording(ctx context.Context, actor Actor, r RegisterRecording) (Recording, error) {
	return Do(ctx, s, actor, r)
}

// RecordingPage is one page of a user's recordings and the cursor of the
// next ("" on the last page).
type RecordingPage struct {
	Recordings []Recording
	Next       string
}

// ListRecordings reads a user's recordings, oldest call first, a page at a
// time: pass the previous page's Next as Cursor. Limit 0 means 100; at most
// 1000.
type ListRecordings struct {
	UserID string
	Cursor string
	Limit  int
}

// Spec implements Operation.
func (ListRecordings) Spec() OpSpec { return specListRecordings }

func (x ListRecordings) prepare(context.Context, *Service) (step[RecordingPage], error) {
	after, afterID, err := parseRecordingCursor(x.Cursor)
	if err != nil {
		return nil, err
	}
	limit := x.Limit
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 1000)
	return func(o *op) (RecordingPage, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return RecordingPage{}, err
		}
		list, err := o.tx.ListRecordings(o.ctx, store.RecordingFilter{CompanyID: u.CompanyID, OwnerID: u.ID,
			AfterStartedAt: after, AfterID: afterID, Limit: limit + 1})
		if err != nil {
			return RecordingPage{}, err
		}
		page := RecordingPage{Recordings: list}
		if len(list) > limit {
			page.Recordings = list[:limit]
			last := list[limit-1]
			page.Next = strconv.FormatInt(last.StartedAt.UnixNano(), 36) + "." + last.ID
		}
		return page, nil
	}, nil
}

// parseRecordingCursor reads a cursor ListRecordings gave.
func parseRecordingCursor(c string) (time.Time, string, error) {
	if c == "" {
		return time.Time{}, "", nil
	}
	ts, id, ok := strings.Cut(c, ".")
	n, err := strconv.ParseInt(ts, 36, 64)
	if !ok || err != nil || checkID(specListRecordings.Name, "cursor", id) != nil {
		return time.Time{}, "", errs.E(errs.Invalid, specListRecordings.Name, "cursor %q is not one ListRecordings gave", c)
	}
	return time.Unix(0, n).UTC(), id, nil
}

// ListRecordings reads a page of a user's recordings. See [ListRecordings].
func (s *Service) ListRecordings(ctx context.Context, actor Actor, userID, cursor string, limit int) (RecordingPage, error) {
	return Do(ctx, s, actor, ListRecordings{UserID: userID, Cursor: cursor, Limit: limit})
}

// PlaceHold places a legal hold on one recording (RecordingID) or on every
// recording of a user (UserID), past and future. While it is active
// nothing deletes what it covers: not the sweeper, not an erase.
type PlaceHold struct {
	RecordingID string
	UserID      string
	Reason      string
}

// Spec implements Operation.
func (PlaceHold) Spec() OpSpec { return specPlaceHold }

func (x PlaceHold) prepare(context.Context, *Service) (step[LegalHold], error) {
	return func(o *op) (LegalHold, error) {
		var u lifecycle.User
		var err error
		if x.RecordingID != "" {
			if err := checkID(o.name, "recording id", x.RecordingID); err != nil {
				return LegalHold{}, err
			}
			r, err := o.tx.GetRecording(o.ctx, x.RecordingID)
			if errs.Is(err, errs.NotFound) || err == nil && !o.sees(r.CompanyID) {
				return LegalHold{}, errs.E(errs.NotFound, o.name, "recording %q does not exist", x.RecordingID)
			}
			if err != nil {
				return LegalHold{}, err
			}
			if u, err = o.tx.GetUser(o.ctx, r.OwnerID); err != nil {
				return LegalHold{}, err
			}
		} else if u, err = o.loadUser(x.UserID); err != nil {
			return LegalHold{}, err
		}
		if err := o.authorizeUser(u); err != nil {
			return LegalHold{}, err
		}
		h, err := recording.NewHold(recording.Hold{ID: newID("hld_"), CompanyID: u.CompanyID, RecordingID: x.RecordingID,
			UserID: x.UserID, Reason: x.Reason, PlacedBy: o.actor.Name()}, o.now)
		if err != nil {
			return LegalHold{}, err
		}
		if err := o.tx.InsertHold(o.ctx, h); err != nil {
			return LegalHold{}, err
		}
		return h, o.audit(o.ctx, store.AuditRecord{CompanyID: u.CompanyID, TargetKind: "hold", TargetID: h.ID, UserID: u.ID,
			Detail: "placed on " + holdTarget(h)})
	}, nil
}

func holdTarget(h recording.Hold) string {
	if h.RecordingID != "" {
		return "recording " + h.RecordingID
	}
	return "every recording of user " + h.UserID
}

// PlaceHold places a legal hold. See [PlaceHold].
func (s *Service) PlaceHold(ctx context.Context, actor Actor, h PlaceHold) (LegalHold, error) {
	return Do(ctx, s, actor, h)
}

// ReleaseHold releases a legal hold; a reason is required.
type ReleaseHold struct {
	HoldID string
	Reason string
}

// Spec implements Operation.
func (ReleaseHold) Spec() OpSpec { return specReleaseHold }

func (x ReleaseHold) prepare(context.Context, *Service) (step[LegalHold], error) {
	if err := checkID(specReleaseHold.Name, "hold id", x.HoldID); err != nil {
		return nil, err
	}
	return func(o *op) (LegalHold, error) {
		h, err := o.tx.GetHold(o.ctx, x.HoldID)
		if errs.Is(err, errs.NotFound) || err == nil && !o.sees(h.CompanyID) {
			return LegalHold{}, errs.E(errs.NotFound, o.name, "hold %q does not exist", x.HoldID).
				Say("That legal hold does not exist, or you cannot see it.")
		}
		if err != nil {
			return LegalHold{}, err
		}
		// Authorized on the user it covers; a released hold can outlive
		// its recording, and is then judged on its company.
		owner := h.UserID
		if owner == "" {
			r, err := o.tx.GetRecording(o.ctx, h.RecordingID)
			switch {
			case errs.Is(err, errs.NotFound):
			case err != nil:
				return LegalHold{}, err
			default:
				owner = r.OwnerID
			}
		}
		target := access.Target{CompanyID: h.CompanyID}
		if owner != "" {
			u, err := o.tx.GetUser(o.ctx, owner)
			if err != nil {
				return LegalHold{}, err
			}
			target = userTarget(u)
		}
		if err := o.authorize(target); err != nil {
			return LegalHold{}, err
		}
		released, err := h.Release(o.actor.Name(), x.Reason, o.now)
		if err != nil {
			return LegalHold{}, err
		}
		if err := o.tx.UpdateHold(o.ctx, released); err != nil {
			return LegalHold{}, err
		}
		return released, o.audit(o.ctx, store.AuditRecord{CompanyID: h.CompanyID, TargetKind: "hold", TargetID: h.ID, UserID: owner,
			Detail: "released from " + holdTarget(h)})
	}, nil
}

// ReleaseHold releases a legal hold. See [ReleaseHold].
func (s *Service) ReleaseHold(ctx context.Context, actor Actor, holdID, reason string) (LegalHold, error) {
	return Do(ctx, s, actor, ReleaseHold{HoldID: holdID, Reason: reason})
}

// ListHolds reads a company's legal holds, active and released; UserID
// keeps the holds on that user and on any of its recordings. A hold's
// reasons are an admin's free text, kept as written (also past the
// anonymization of the user it covers): write no personal data in them.
type ListHolds struct {
	CompanyID string
	UserID    string
}

// Spec implements Operation.
func (ListHolds) Spec() OpSpec { return specListHolds }

func (x ListHolds) prepare(context.Context, *Service) (step[[]LegalHold], error) {
	return func(o *op) ([]LegalHold, error) {
		c, err := o.loadCompany(x.CompanyID)
		if err != nil {
			return nil, err
		}
		if x.UserID == "" {
			if err := o.authorize(access.Target{CompanyID: c.ID}); err != nil {
				return nil, err
			}
			return o.tx.ListHolds(o.ctx, c.ID, "")
		}
		if _, err := o.userToActOn(x.UserID); err != nil {
			return nil, err
		}
		return o.userHolds(c.ID, x.UserID)
	}, nil
}

// userHolds returns a company's holds on a user and on any of its
// recordings, active and released.
func (o *op) userHolds(companyID, userID string) ([]LegalHold, error) {
	all, err := o.tx.ListHolds(o.ctx, companyID, "")
	if err != nil {
		return nil, err
	}
	out := []LegalHold{}
	for _, h := range all {
		mine := h.UserID == userID
		if !mine && h.UserID == "" && h.RecordingID != "" {
			r, err := o.tx.GetRecording(o.ctx, h.RecordingID)
			switch {
			case errs.Is(err, errs.NotFound):
			case err != nil:
				return nil, err
			default:
				mine = r.OwnerID == userID
			}
		}
		if mine {
			out = append(out, h)
		}
	}
	return out, nil
}

// ListHolds lists legal holds. See [ListHolds].
func (s *Service) ListHolds(ctx context.Context, actor Actor, companyID, userID string) ([]LegalHold, error) {
	return Do(ctx, s, actor, ListHolds{CompanyID: companyID, UserID: userID})
}

// Offboarded is what an off-boarding did, or would do.
type Offboarded struct {
	User User
	Plan RecordingPlan
	// ConfirmToken is what a permanent option needs as Confirm: Preview
	// the option to get it. It changes whenever the user does.
	ConfirmToken string
}

// Offboard applies one of the call-recording service's three off-boarding
// options (recording.Offboardings) to a user: suspend but keep recordings;
// stop recording but keep the user and recordings; or delete the user and
// its recordings. The last is permanent: it needs Confirm set to the
// ConfirmToken a Preview of the same operation returns, and it is refused
// while a legal hold covers any of the user's recordings.
type Offboard struct {
	UserID  string
	Option  recording.Offboarding
	Confirm string
}

// Spec implements Operation.
func (Offboard) Spec() OpSpec { return specOffboard }

func (x Offboard) prepare(ctx context.Context, s *Service) (step[Offboarded], error) {
	opt, err := recording.ParseOffboarding(string(x.Option))
	if err != nil {
		return nil, err
	}
	return func(o *op) (Offboarded, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return Offboarded{}, err
		}
		switch {
		case opt.EraseUser:
			err = o.authorizeAs(access.DeleteUser, userTarget(u))
		case opt.SuspendUser:
			err = o.authorizeAs(access.SuspendUser, userTarget(u))
		}
		if err != nil {
			return Offboarded{}, err
		}
		token := confirmToken(u, opt.Option)
		if opt.Permanent && x.Confirm != token && !o.preview && !o.confirmed {
			return Offboarded{}, errs.E(errs.Invalid, o.name,
				"%s is permanent: confirm with the token a preview of this operation returns", opt.Option).
				Say("This cannot be undone: preview it first, then confirm with the preview.")
		}
		after := u
		switch {
		case opt.EraseUser:
			if _, err := u.Status.Apply(lifecycle.EventErase); err != nil {
				return Offboarded{}, named(o, u.ID, err)
			}
			if _, err := o.reserveNumbersOf(u); err != nil {
				return Offboarded{}, err
			}
			if err := o.returnLicensesOf(u); err != nil {
				return Offboarded{}, err
			}
			if after, err = o.anonymize(u, lifecycle.EventErase, "off-boarded: "+string(opt.Option)); err != nil {
				return Offboarded{}, err
			}
		case opt.SuspendUser && u.State() != lifecycle.Suspended:
			st, err := u.Status.Apply(lifecycle.EventSuspend)
			if err != nil {
				return Offboarded{}, named(o, u.ID, err)
			}
			after = u.Clone()
			after.Status = st
			if err := o.saveUserAs("user.suspend", u, &after, "off-boarded: "+string(opt.Option), ""); err != nil {
				return Offboarded{}, err
			}
		default:
			if err := requireLive(u, lifecycle.Event("offboard")); err != nil {
				return Offboarded{}, named(o, u.ID, err)
			}
		}
		plan, err := o.tx.GetPlan(o.ctx, u.ID)
		if err != nil {
			return Offboarded{}, err
		}
		next := opt.Apply(plan, o.now)
		if err := o.choosePlan(after, plan, next); err != nil {
			return Offboarded{}, err
		}
		if err := o.audit(o.ctx, store.AuditRecord{CompanyID: u.CompanyID, TargetKind: "user", TargetID: u.ID, UserID: u.ID,
			FromState: string(u.State()), ToState: string(after.State()), Detail: string(opt.Option)}); err != nil {
			return Offboarded{}, err
		}
		next.UserID, next.CompanyID = u.ID, u.CompanyID
		return Offboarded{User: viewOf(after), Plan: next, ConfirmToken: token}, nil
	}, nil
}

// confirmToken names one state of one user for one option: it is what a
// preview shows and the permanent option must be given back, so the
// confirmation is of what was previewed and goes stale when the user
// changes. It guards against accidents, not attackers: the operation is
// authorized as every other.
func confirmToken(u lifecycle.User, opt recording.Offboarding) string {
	// The whole record, so any change of the user makes the token stale
	// (fmt prints maps in key order).
	sum := sha256.Sum256([]byte(fmt.Sprintf("offboard|%s|%+v", opt, u)))
	return hex.EncodeToString(sum[:8])
}

// Offboard applies an off-boarding option. See [Offboard].
func (s *Service) Offboard(ctx context.Context, actor Actor, x Offboard) (Offboarded, error) {
	return Do(ctx, s, actor, x)
}
