package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"time"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/recording"
	"github.com/lifeline-go/lifeline/store"
)

var (
	planCols      = []string{"user_id", "company_id", "recording", "billed", "retention_ns", "updated_at"}
	recordingCols = []string{
		"id", "company_id", "owner_id", "office_id", "number", "started_at", "duration_ns", "registered_at", "retain_until",
	}
	holdCols = []string{
		"id", "company_id", "recording_id", "user_id", "reason", "placed_by", "placed_at",
		"released_at", "released_by", "release_reason",
	}
)

func (q *Queries) buildRecordings() {
	q.add("getPlan", q.sb.Select(planCols...).From("recording_plans").Where("user_id = ?", nil))
	q.add("putPlan", q.sb.Insert("recording_plans").Columns(planCols...).Values(make([]any, len(planCols))...).
		Suffix("ON CONFLICT (user_id) DO UPDATE SET company_id = excluded.company_id, recording = excluded.recording, "+
			"billed = excluded.billed, retention_ns = excluded.retention_ns, updated_at = excluded.updated_at"))
	q.add("getRetention", q.sb.Select("period_ns").From("recording_retention").Where("scope_id = ?", nil))
	q.add("putRetention", q.sb.Insert("recording_retention").Columns("scope_id", "company_id", "period_ns").Values(nil, nil, nil).
		Suffix("ON CONFLICT (scope_id) DO UPDATE SET company_id = excluded.company_id, period_ns = excluded.period_ns"))
	q.add("removeRetention", q.sb.Delete("recording_retention").Where("scope_id = ?", nil))

	q.add("insertRecording", q.sb.Insert("recordings").Columns(recordingCols...).Values(make([]any, len(recordingCols))...))
	q.add("getRecording", q.sb.Select(recordingCols...).From("recordings").Where("id = ?", nil))
	q.add("deleteRecording", q.sb.Delete("recordings").Where("id = ?", nil))
	// retain_until = 0 is an unset instant: such a recording is never due.
	// The order matches the index recordings_due.
	q.add("recordingsDue", q.sb.Select(recordingCols...).From("recordings").
		Where("retain_until <> 0 AND retain_until <= ?", nil).OrderBy("retain_until", "id").Suffix("LIMIT ?", nil))

	q.add("insertHold", q.sb.Insert("legal_holds").Columns(holdCols...).Values(make([]any, len(holdCols))...))
	upd := q.sb.Update("legal_holds")
	for _, c := range holdCols[1:] {
		upd = upd.Set(c, nil)
	}
	q.add("updateHold", upd.Where("id = ?", nil))
	sel := q.sb.Select(holdCols...).From("legal_holds")
	q.add("getHold", sel.Where("id = ?", nil))
	// One statement per partial index (legal_holds_recording and
	// legal_holds_user, WHERE released_at = 0, matched by the literal): an
	// OR of both makes SQLite scan the table in id order instead.
	q.add("activeRecordingHolds", sel.Where("recording_id = ? AND released_at = 0", nil).OrderBy("id"))
	q.add("activeUserHolds", sel.Where("user_id = ? AND released_at = 0", nil).OrderBy("id"))
	q.add("listHolds", sel.Where("company_id = ?", nil).OrderBy("id"))
	q.add("listUserHolds", sel.Where("company_id = ? AND user_id = ?", nil, nil).OrderBy("id"))
}

func scanPlan(s interface{ Scan(...any) error }) (recording.Plan, error) {
	var p recording.Plan
	var rec, billed int
	var retention, updated int64
	err := s.Scan(&p.UserID, &p.CompanyID, &rec, &billed, &retention, &updated)
	p.Recording, p.Billed = rec != 0, billed != 0
	p.Retention, p.UpdatedAt = time.Duration(retention), fromNanos(updated)
	return p, err
}

// GetPlan implements store.Recordings.
func (t *Tx) GetPlan(ctx context.Context, userID string) (recording.Plan, error) {
	p, err := scanPlan(t.queryRow(ctx, "store.GetPlan", "getPlan", userID))
	if errors.Is(err, sql.ErrNoRows) {
		return recording.Plan{UserID: userID}, nil
	}
	if err != nil {
		return recording.Plan{}, t.q.fail("store.GetPlan", err)
	}
	return p, nil
}

// PutPlan implements store.Recordings.
func (t *Tx) PutPlan(ctx context.Context, p recording.Plan) error {
	_, err := t.exec(ctx, "store.PutPlan", "putPlan",
		p.UserID, p.CompanyID, boolInt(p.Recording), boolInt(p.Billed), int64(p.Retention), nanos(p.UpdatedAt))
	return err
}

// GetRetention implements store.Recordings.
func (t *Tx) GetRetention(ctx context.Context, scopeID string) (time.Duration, error) {
	var period int64
	err := t.queryRow(ctx, "store.GetRetention", "getRetention", scopeID).Scan(&period)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, t.q.fail("store.GetRetention", err)
	}
	return time.Duration(period), nil
}

// PutRetention implements store.Recordings.
func (t *Tx) PutRetention(ctx context.Context, r recording.Retention) error {
	if r.Period == 0 {
		_, err := t.exec(ctx, "store.PutRetention", "removeRetention", r.ScopeID)
		return err
	}
	_, err := t.exec(ctx, "store.PutRetention", "putRetention", r.ScopeID, r.CompanyID, int64(r.Period))
	return err
}

func recordingArgs(r recording.Recording) []any {
	return []any{
		r.ID, r.CompanyID, r.OwnerID, r.OfficeID, r.Number,
		nanos(r.StartedAt), int64(r.Duration), nanos(r.RegisteredAt), nanos(r.RetainUntil),
	}
}

func scanRecording(s interface{ Scan(...any) error }) (recording.Recording, error) {
	var r recording.Recording
	var started, duration, registered, until int64
	err := s.Scan(&r.ID, &r.CompanyID, &r.OwnerID, &r.OfficeID, &r.Number, &started, &duration, &registered, &until)
	r.StartedAt, r.Duration = fromNanos(started), time.Duration(duration)
	r.RegisteredAt, r.RetainUntil = fromNanos(registered), fromNanos(until)
	return r, err
}

// InsertRecording implements store.Recordings.
func (t *Tx) InsertRecording(ctx context.Context, r recording.Recording) error {
	_, err := t.exec(ctx, "store.InsertRecording", "insertRecording", recordingArgs(r)...)
	return err
}

// GetRecording implements store.Recordings.
func (t *Tx) GetRecording(ctx context.Context, id string) (recording.Recording, error) {
	r, err := scanRecording(t.queryRow(ctx, "store.GetRecording", "getRecording", id))
	if errors.Is(err, sql.ErrNoRows) {
		return r, errs.E(errs.NotFound, "store.GetRecording", "%s does not exist", ref("recording", id))
	}
	if err != nil {
		return r, t.q.fail("store.GetRecording", err)
	}
	return r, nil
}

// DeleteRecording implements store.Recordings.
func (t *Tx) DeleteRecording(ctx context.Context, id string) error {
	return t.execOne(ctx, "store.DeleteRecording", "deleteRecording", ref("recording", id), id)
}

// ListRecordings implements store.Recordings. Its shape depends on the
// filter, so it is built per call. The keyset is a row-value comparison,
// (started_at, id) > (after, afterID), which both backends answer from the
// indexes recordings_company and recordings_owner without an offset scan.
func (t *Tx) ListRecordings(ctx context.Context, f store.RecordingFilter) ([]recording.Recording, error) {
	b := t.q.sb.Select(recordingCols...).From("recordings").OrderBy("started_at", "id")
	if f.CompanyID != "" {
		b = b.Where(sq.Eq{"company_id": f.CompanyID})
	}
	if f.OwnerID != "" {
		b = b.Where(sq.Eq{"owner_id": f.OwnerID})
	}
	if f.AfterID != "" || !f.AfterStartedAt.IsZero() {
		b = b.Where("(started_at, id) > (?, ?)", nanos(f.AfterStartedAt), f.AfterID)
	}
	if f.Limit > 0 {
		b = b.Limit(uint64(f.Limit))
	}
	query, args, err := b.ToSql()
	if err != nil {
		return nil, errs.Wrap(errs.Other, "store.ListRecordings", err, "building the query")
	}
	return queryBuilt(ctx, t, "store.ListRecordings", query, args, scanRecording)
}

// ListRecordingsDue implements store.Recordings. A recording whose
// RetainUntil is the zero time is never due. A limit below 1 returns
// nothing.
func (t *Tx) ListRecordingsDue(ctx context.Context, now time.Time, limit int) ([]recording.Recording, error) {
	if limit < 1 {
		return nil, nil
	}
	return queryList(ctx, t, "store.ListRecordingsDue", "recordingsDue", []any{nanos(now), limit}, scanRecording)
}

func holdArgs(h recording.Hold) []any {
	return []any{
		h.ID, h.CompanyID, h.RecordingID, h.UserID, h.Reason, h.PlacedBy, nanos(h.PlacedAt),
		nanos(h.ReleasedAt), h.ReleasedBy, h.ReleaseReason,
	}
}

func scanHold(s interface{ Scan(...any) error }) (recording.Hold, error) {
	var h recording.Hold
	var placed, released int64
	err := s.Scan(&h.ID, &h.CompanyID, &h.RecordingID, &h.UserID, &h.Reason, &h.PlacedBy, &placed,
		&released, &h.ReleasedBy, &h.ReleaseReason)
	h.PlacedAt, h.ReleasedAt = fromNanos(placed), fromNanos(released)
	return h, err
}

// InsertHold implements store.Recordings.
func (t *Tx) InsertHold(ctx context.Context, h recording.Hold) error {
	_, err := t.exec(ctx, "store.InsertHold", "insertHold", holdArgs(h)...)
	return err
}

// UpdateHold implements store.Recordings.
func (t *Tx) UpdateHold(ctx context.Context, h recording.Hold) error {
	args := append(holdArgs(h)[1:], h.ID)
	return t.execOne(ctx, "store.UpdateHold", "updateHold", ref("legal hold", h.ID), args...)
}

// GetHold implements store.Recordings.
func (t *Tx) GetHold(ctx context.Context, id string) (recording.Hold, error) {
	h, err := scanHold(t.queryRow(ctx, "store.GetHold", "getHold", id))
	if errors.Is(err, sql.ErrNoRows) {
		return h, errs.E(errs.NotFound, "store.GetHold", "%s does not exist", ref("legal hold", id))
	}
	if err != nil {
		return h, t.q.fail("store.GetHold", err)
	}
	return h, nil
}

// ActiveHolds implements store.Recordings. It merges the holds naming the
// recording with those naming the user, each read from its own index; a
// hold naming both is returned once.
func (t *Tx) ActiveHolds(ctx context.Context, recordingID, userID string) ([]recording.Hold, error) {
	const op = "store.ActiveHolds"
	var out []recording.Hold
	if recordingID != "" {
		holds, err := queryList(ctx, t, op, "activeRecordingHolds", []any{recordingID}, scanHold)
		if err != nil {
			return nil, err
		}
		out = holds
	}
	if userID != "" {
		holds, err := queryList(ctx, t, op, "activeUserHolds", []any{userID}, scanHold)
		if err != nil {
			return nil, err
		}
		for _, h := range holds {
			if !slices.ContainsFunc(out, func(o recording.Hold) bool { return o.ID == h.ID }) {
				out = append(out, h)
			}
		}
		slices.SortFunc(out, func(a, b recording.Hold) int { return strings.Compare(a.ID, b.ID) })
	}
	return out, nil
}

// ListHolds implements store.Recordings.
func (t *Tx) ListHolds(ctx context.Context, companyID, userID string) ([]recording.Hold, error) {
	if userID == "" {
		return queryList(ctx, t, "store.ListHolds", "listHolds", []any{companyID}, scanHold)
	}
	return queryList(ctx, t, "store.ListHolds", "listUserHolds", []any{companyID, userID}, scanHold)
}
