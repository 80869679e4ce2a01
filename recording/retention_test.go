package recording_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/recording"
)

const day = 24 * time.Hour

// t0 is the fixed "now" of the table tests.
var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// wantKind fails t unless err is an error of kind k whose message
// contains every fragment.
func wantKind(t *testing.T, err error, k errs.Kind, fragments ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("err = nil, want kind %v", k)
	}
	if got := errs.KindOf(err); got != k {
		t.Fatalf("kind of %v = %v, want %v", err, got, k)
	}
	for _, f := range fragments {
		if !strings.Contains(err.Error(), f) {
			t.Errorf("error %q does not mention %q", err, f)
		}
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	if recording.DefaultRetention != 180*day {
		t.Errorf("DefaultRetention = %v, want 180 days", recording.DefaultRetention)
	}
	if recording.MaxRetention != 3650*day {
		t.Errorf("MaxRetention = %v, want 3650 days", recording.MaxRetention)
	}
	for _, d := range []time.Duration{recording.DefaultRetention, recording.MinRetention, recording.MaxRetention} {
		if err := recording.ValidateRetention(d); err != nil {
			t.Errorf("ValidateRetention(%v) = %v, want nil", d, err)
		}
	}
}

func TestValidateRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		d    time.Duration
		ok   bool
		frag string
	}{
		{day, true, ""},
		{day + time.Nanosecond, true, ""},
		{36 * time.Hour, true, ""},
		{180 * day, true, ""},
		{recording.MaxRetention, true, ""},
		{day - time.Nanosecond, false, "shorter than the minimum of 1 day"},
		{time.Hour, false, "shorter than the minimum"},
		{0, false, "not a period"},
		{-day, false, "not a period"},
		{recording.MaxRetention + time.Nanosecond, false, "longer than the maximum of 10 years"},
		{3651 * day, false, "3651 days"},
	}
	for _, tt := range tests {
		err := recording.ValidateRetention(tt.d)
		if tt.ok {
			if err != nil {
				t.Errorf("ValidateRetention(%v) = %v, want nil", tt.d, err)
			}
			continue
		}
		if !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), tt.frag) {
			t.Errorf("ValidateRetention(%v) = %v, want invalid input mentioning %q", tt.d, err, tt.frag)
		}
	}
}

func TestEffectiveRetention(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name                  string
		company, office, user time.Duration
		want                  time.Duration
	}{
		{"nothing set", 0, 0, 0, recording.DefaultRetention},
		{"company only", 30 * day, 0, 0, 30 * day},
		{"office over company", 30 * day, 60 * day, 0, 60 * day},
		{"office only", 0, 60 * day, 0, 60 * day},
		{"user over all", 30 * day, 60 * day, 7 * day, 7 * day},
		{"user over company", 30 * day, 0, 400 * day, 400 * day},
		{"user only", 0, 0, 2 * day, 2 * day},
		{"shorter office still wins", 365 * day, day, 0, day},
		{"negative user is unset", 30 * day, 60 * day, -day, 60 * day},
		{"negative office is unset", 30 * day, -1, 0, 30 * day},
		{"all negative", -1, -1, -1, recording.DefaultRetention},
	}
	for _, tt := range tests {
		if got := recording.EffectiveRetention(tt.company, tt.office, tt.user); got != tt.want {
			t.Errorf("%s: EffectiveRetention(%v, %v, %v) = %v, want %v", tt.name, tt.company, tt.office, tt.user, got, tt.want)
		}
	}
}

func TestPlanValidate(t *testing.T) {
	t.Parallel()
	good := recording.Plan{UserID: "usr_1", CompanyID: "cmp_1", Recording: true, Billed: true}
	tests := []struct {
		name string
		edit func(*recording.Plan)
		frag string // "" when valid
	}{
		{"good", func(*recording.Plan) {}, ""},
		{"off and billed (option 2)", func(p *recording.Plan) { p.Recording = false }, ""},
		{"on and not billed", func(p *recording.Plan) { p.Billed = false }, ""},
		{"zero plan with ids", func(p *recording.Plan) { p.Recording, p.Billed = false, false }, ""},
		{"own retention", func(p *recording.Plan) { p.Retention = 30 * day }, ""},
		{"no user", func(p *recording.Plan) { p.UserID = "" }, "user id is required"},
		{"no company", func(p *recording.Plan) { p.CompanyID = "" }, "company id is required"},
		{"long user id", func(p *recording.Plan) { p.UserID = strings.Repeat("u", recording.MaxIDLen+1) }, "at most 128"},
		{"control in id", func(p *recording.Plan) { p.UserID = "u\x00" }, "control character"},
		{"short retention", func(p *recording.Plan) { p.Retention = time.Hour }, "shorter than the minimum"},
		{"negative retention", func(p *recording.Plan) { p.Retention = -day }, "not a period"},
		{"long retention", func(p *recording.Plan) { p.Retention = recording.MaxRetention + 1 }, "longer than the maximum"},
	}
	for _, tt := range tests {
		p := good
		tt.edit(&p)
		err := p.Validate()
		if tt.frag == "" {
			if err != nil {
				t.Errorf("%s: Validate = %v, want nil", tt.name, err)
			}
			continue
		}
		t.Run(tt.name, func(t *testing.T) { wantKind(t, err, errs.Invalid, tt.frag) })
	}
}

func TestRetentionValidate(t *testing.T) {
	t.Parallel()
	for _, r := range []recording.Retention{
		{CompanyID: "cmp_1", ScopeID: "cmp_1", Period: 90 * day},
		{CompanyID: "cmp_1", ScopeID: "off_1", Period: 0},
	} {
		if err := r.Validate(); err != nil {
			t.Errorf("%+v: Validate = %v, want nil", r, err)
		}
	}
	for _, r := range []recording.Retention{
		{CompanyID: "", ScopeID: "off_1", Period: 90 * day},
		{CompanyID: "cmp_1", ScopeID: "", Period: 90 * day},
		{CompanyID: "cmp_1", ScopeID: "off_1", Period: time.Minute},
		{CompanyID: "cmp_1", ScopeID: "off_1", Period: -day},
	} {
		if err := r.Validate(); !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("%+v: Validate = %v, want invalid input", r, err)
		}
	}
}

// call is a valid recording to register at t0.
func call() recording.Recording {
	return recording.Recording{
		ID: "rec_1", CompanyID: "cmp_1", OwnerID: "usr_1", OfficeID: "off_1",
		Number: "+14155550100", StartedAt: t0.Add(-time.Hour), Duration: 5 * time.Minute,
	}
}

func TestNewRecording(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		edit      func(*recording.Recording)
		retention time.Duration
		now       time.Time
		frag      string // "" when valid
	}{
		{"good", func(*recording.Recording) {}, 30 * day, t0, ""},
		{"started now", func(r *recording.Recording) { r.StartedAt = t0 }, 30 * day, t0, ""},
		{"started exactly MaxRetention ago", func(r *recording.Recording) { r.StartedAt = t0.Add(-recording.MaxRetention) }, 30 * day, t0, ""},
		{"zero duration", func(r *recording.Recording) { r.Duration = 0 }, day, t0, ""},
		{"24h duration", func(r *recording.Recording) { r.Duration = 24 * time.Hour }, day, t0, ""},
		{"max retention", func(*recording.Recording) {}, recording.MaxRetention, t0, ""},
		{"fields it sets are overwritten", func(r *recording.Recording) {
			r.RegisteredAt, r.RetainUntil = t0.Add(-day), t0.Add(9*recording.MaxRetention)
		}, 30 * day, t0, ""},

		{"started 1ns in the future", func(r *recording.Recording) { r.StartedAt = t0.Add(time.Nanosecond) }, 30 * day, t0, "after now"},
		{"started 1ns before MaxRetention ago", func(r *recording.Recording) {
			r.StartedAt = t0.Add(-recording.MaxRetention - time.Nanosecond)
		}, 30 * day, t0, "more than 10 years before now"},
		{"no start", func(r *recording.Recording) { r.StartedAt = time.Time{} }, 30 * day, t0, "started at is not set"},
		{"no now", func(*recording.Recording) {}, 30 * day, time.Time{}, "time of registration is not set"},
		{"no id", func(r *recording.Recording) { r.ID = "" }, 30 * day, t0, "recording id is required"},
		{"no company", func(r *recording.Recording) { r.CompanyID = "" }, 30 * day, t0, "company id is required"},
		{"no owner", func(r *recording.Recording) { r.OwnerID = "" }, 30 * day, t0, "owner id is required"},
		{"no office", func(r *recording.Recording) { r.OfficeID = "" }, 30 * day, t0, "office id is required"},
		{"no number", func(r *recording.Recording) { r.Number = "" }, 30 * day, t0, "number is required"},
		{"bidi in number", func(r *recording.Recording) { r.Number = "+1\u202e555" }, 30 * day, t0, "number contains the bidirectional control"},
		{"long number", func(r *recording.Recording) { r.Number = strings.Repeat("1", 33) }, 30 * day, t0, "number is 33 bytes"},
		{"long id", func(r *recording.Recording) { r.ID = strings.Repeat("r", 16<<20) }, 30 * day, t0, "recording id is 16777216 bytes"},
		{"negative duration", func(r *recording.Recording) { r.Duration = -time.Nanosecond }, 30 * day, t0, "duration -1ns is negative"},
		{"duration over 24h", func(r *recording.Recording) { r.Duration = 24*time.Hour + time.Nanosecond }, 30 * day, t0, "longer than 24h"},
		{"zero retention", func(*recording.Recording) {}, 0, t0, "retention of 0s is not a period"},
		{"short retention", func(*recording.Recording) {}, time.Hour, t0, "retention of 1h0m0s is shorter"},
		{"long retention", func(*recording.Recording) {}, recording.MaxRetention + 1, t0, "longer than the maximum"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := call()
			tt.edit(&in)
			got, err := recording.NewRecording(in, tt.retention, tt.now)
			if tt.frag != "" {
				wantKind(t, err, errs.Invalid, tt.frag)
				if len(err.Error()) > 600 {
					t.Errorf("message of %d bytes", len(err.Error()))
				}
				if diff := cmp.Diff(recording.Recording{}, got); diff != "" {
					t.Errorf("refused NewRecording returned a recording (-want +got):\n%s", diff)
				}
				return
			}
			if err != nil {
				t.Fatalf("NewRecording = %v, want nil", err)
			}
			want := in
			want.RegisteredAt = tt.now
			want.RetainUntil = in.StartedAt.Add(tt.retention)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("NewRecording (-want +got):\n%s", diff)
			}
		})
	}
}

// TestNewRecordingCountsFromTheCall checks that a recording registered late
// is kept for its retention from the call, not from the registration, and
// that one registered after its retention ended is due at once.
func TestNewRecordingCountsFromTheCall(t *testing.T) {
	t.Parallel()
	in := call()
	in.StartedAt = t0.Add(-20 * day)
	r, err := recording.NewRecording(in, 30*day, t0)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := r.RetainUntil, t0.Add(10*day); !got.Equal(want) {
		t.Errorf("RetainUntil = %v, want %v (30 days from the call, 10 from now)", got, want)
	}

	in.StartedAt = t0.Add(-31 * day)
	r, err = recording.NewRecording(in, 30*day, t0)
	if err != nil {
		t.Fatalf("registering a recording past its retention: %v, want it accepted", err)
	}
	if !recording.Due(r, t0) {
		t.Errorf("a recording registered after its retention ended is not due at once: RetainUntil %v, now %v", r.RetainUntil, t0)
	}
}
