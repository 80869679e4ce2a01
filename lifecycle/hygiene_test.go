package lifecycle_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// TestOneTextPolicy checks that every human-readable field refuses the
// characters of the shared text policy, and that the refusal names the field
// and the character but does not repeat the value.
func TestOneTextPolicy(t *testing.T) {
	bad := map[string]rune{
		"NUL": 0, "ESC": 0x1b, "C1": 0x85, "line separator": 0x2028, "paragraph separator": 0x2029,
		"RLO": 0x202e, "LRI": 0x2066, "PDI": 0x2069, "LRM": 0x200e, "RLM": 0x200f, "ALM": 0x061c,
		"ZWSP": 0x200b, "ZWNJ": 0x200c, "ZWJ": 0x200d, "WJ": 0x2060, "BOM": 0xfeff,
	}
	for name, r := range bad {
		v := "secret" + string(r) + "value"
		cases := []struct {
			field string
			err   error
		}{
			{"first name", lifecycle.ValidatePerson(lifecycle.Person{FirstName: v, LastName: "L"})},
			{"last name", lifecycle.ValidatePerson(lifecycle.Person{FirstName: "F", LastName: v})},
			{"email", lifecycle.ValidateEmail("ada" + string(r) + "@example.com")},
			{"username", lifecycle.ValidateUsername(v)},
			{"device", lifecycle.ValidateDevices([]string{v})},
			{"setting key", lifecycle.ValidateSettings(map[string]string{v: "x"})},
			{"setting \"k\"", lifecycle.ValidateSettings(map[string]string{"k": v})},
		}
		for _, c := range cases {
			switch {
			case !errors.Is(c.err, errs.ErrInvalid):
				t.Errorf("%s in %s: got %v, want an invalid-input error", name, c.field, c.err)
			case !strings.Contains(c.err.Error(), c.field):
				t.Errorf("%s in %s: %q does not name the field", name, c.field, c.err)
			case !strings.Contains(c.err.Error(), "U+"):
				t.Errorf("%s in %s: %q does not name the character", name, c.field, c.err)
			case strings.Contains(c.err.Error(), "secret"):
				t.Errorf("%s in %s: %q repeats the value", name, c.field, c.err)
			}
		}
	}
	if err := lifecycle.ValidatePerson(lifecycle.Person{FirstName: "Ad\xffa", LastName: "L"}); !errors.Is(err, errs.ErrInvalid) || !strings.Contains(err.Error(), "UTF-8") {
		t.Errorf("invalid UTF-8: %v", err)
	}
	if err := lifecycle.ValidateSettings(map[string]string{"k": "\xff"}); !errors.Is(err, errs.ErrInvalid) {
		t.Errorf("invalid UTF-8 in a setting value: %v", err)
	}
	if err := lifecycle.ValidateSettings(map[string]string{"lang": "en-GB", "greeting": "Hello, Zoë! ☎", "empty": ""}); err != nil {
		t.Errorf("printable settings refused: %v", err)
	}
}

func TestMessagesDoNotEchoHugeInput(t *testing.T) {
	huge := strings.Repeat("9", 16<<20)
	for name, err := range map[string]error{
		"extension": lifecycle.ValidateExtension(huge),
		"email":     lifecycle.ValidateEmail(strings.Repeat("a", 200) + "@x"),
		"state":     func() error { _, err := lifecycle.ParseState(huge); return err }(),
		"states":    lifecycle.ValidateStates([]lifecycle.State{lifecycle.Active, lifecycle.State(huge)}),
	} {
		if err == nil || len(err.Error()) > 300 {
			t.Errorf("%s: %d-byte message %.80q…", name, len(err.Error()), err)
		}
	}
}

func TestValidateStates(t *testing.T) {
	if err := lifecycle.ValidateStates(nil); err != nil {
		t.Errorf("no states: %v", err)
	}
	if err := lifecycle.ValidateStates(lifecycle.States); err != nil {
		t.Errorf("every state: %v", err)
	}
	for _, bad := range []lifecycle.State{lifecycle.None, "Active", "frozen", "active\x00"} {
		err := lifecycle.ValidateStates([]lifecycle.State{lifecycle.Active, bad})
		if !errors.Is(err, errs.ErrInvalid) {
			t.Errorf("ValidateStates(%q) = %v, want an invalid-input error", bad, err)
		} else if !strings.Contains(err.Error(), "state") {
			t.Errorf("ValidateStates(%q) = %q; want the message to name the state", bad, err)
		}
	}
}

func TestHasLogin(t *testing.T) {
	tests := []struct {
		u    lifecycle.User
		want bool
	}{
		{lifecycle.User{Kind: lifecycle.External, Email: "a@example.com"}, true},
		{lifecycle.User{Kind: lifecycle.Internal, Username: "ada"}, true},
		{lifecycle.User{Kind: lifecycle.Internal, Extension: "101"}, true},
		{lifecycle.User{Kind: lifecycle.External, Extension: "101"}, false},
		{lifecycle.User{Kind: lifecycle.Internal}, false},
		{lifecycle.User{Kind: lifecycle.External}, false},
	}
	for _, tt := range tests {
		if got := tt.u.HasLogin(); got != tt.want {
			t.Errorf("%+v.HasLogin() = %t, want %t", tt.u, got, tt.want)
		}
	}
}

func invited(st lifecycle.Status) lifecycle.User {
	return lifecycle.User{
		ID: "u1", Kind: lifecycle.External, Extension: "101", Person: lifecycle.Person{FirstName: "Ada", LastName: "Lovelace"},
		Email: "ada@example.com", Username: "ada", ExternalID: "entra-7f3", PasswordHash: "h", Role: access.OfficeAdmin, Offices: []string{"off_1"}, Analytics: true, Proxy: true, Status: st,
	}
}

func TestResetKeepsAnInvitedUserLoggable(t *testing.T) {
	for _, st := range []lifecycle.Status{
		{State: lifecycle.Active}, {State: lifecycle.PasswordRequired},
		{State: lifecycle.Suspended, SuspendedFrom: lifecycle.Active},
	} {
		u := invited(st)
		for _, f := range []lifecycle.Fields{lifecycle.FieldEmail, lifecycle.FieldEmail | lifecycle.FieldPassword | lifecycle.FieldDevices} {
			got, err := u.Reset(f)
			if !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "email") {
				t.Errorf("%v: Reset(%05b) of an external user = %v, want a conflict explaining the email is its login", st.State, f, err)
			}
			if got.Email != u.Email || got.State() != u.State() {
				t.Errorf("%v: a refused reset changed the user: %+v", st.State, got)
			}
		}
		if got, err := u.Reset(lifecycle.FieldName | lifecycle.FieldEmail); err != nil || got.Email != "" {
			t.Errorf("%v: clearing name and email: %+v, %v", st.State, got, err)
		}
	}
	// An internal user logs in with its extension, so it may lose its email.
	u := invited(lifecycle.Status{State: lifecycle.Active})
	u.Kind = lifecycle.Internal
	if got, err := u.Reset(lifecycle.FieldEmail); err != nil || got.Email != "" || !got.HasLogin() {
		t.Errorf("internal user, clearing the email: %+v, %v", got, err)
	}
	// An invited user already reset to Setup Required may lose its email.
	u = invited(lifecycle.Status{State: lifecycle.SetupRequired})
	if got, err := u.Reset(lifecycle.FieldEmail); err != nil || got.Email != "" {
		t.Errorf("setup required external user, clearing the email: %+v, %v", got, err)
	}
}

func TestResetOfThePersonLeavesNothingOfTheirs(t *testing.T) {
	for _, f := range []lifecycle.Fields{0, lifecycle.FieldName} {
		u := invited(lifecycle.Status{State: lifecycle.Active})
		got, err := u.Reset(f)
		if err != nil {
			t.Fatalf("Reset(%05b): %v", f, err)
		}
		if !got.Person.IsZero() || got.Username != "" || got.ExternalID != "" || got.Role != "" || got.Offices != nil || got.Analytics || got.Proxy {
			t.Errorf("Reset(%05b) kept the old person's name, username or rights: %+v", f, got)
		}
		if f == 0 && (got.Email != "" || got.PasswordHash != "") {
			t.Errorf("a full reset kept a login: %+v", got)
		}
		if u.Username != "ada" || u.Role != access.OfficeAdmin {
			t.Error("Reset changed its receiver")
		}
	}
	u := invited(lifecycle.Status{State: lifecycle.Active})
	if got, err := u.Reset(lifecycle.FieldPassword); err != nil || got.Username != "ada" || got.Role != access.OfficeAdmin || !got.Proxy {
		t.Errorf("a password reset must keep the person: %+v, %v", got, err)
	}
}

func TestRecycleMakesANewPerson(t *testing.T) {
	old := invited(lifecycle.Status{State: lifecycle.SetupRequired})
	old.Person, old.VoicemailPINHash = lifecycle.Person{}, "p"
	grace := lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}

	n, err := old.Recycle(grace, "")
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind != lifecycle.Internal || n.Email != "" || n.Username != "" || n.ExternalID != "" || n.PasswordHash != "" || n.VoicemailPINHash != "" ||
		n.Role != "" || n.Proxy || n.Analytics || !n.HasLogin() || n.State() != lifecycle.PasswordRequired {
		t.Errorf("recycled without email: %+v", n)
	}
	n, err = old.Recycle(grace, "grace@example.com")
	if err != nil {
		t.Fatal(err)
	}
	if n.Kind != lifecycle.External || n.Email != "grace@example.com" || n.Username != "" || n.Role != "" || n.Proxy || n.Analytics {
		t.Errorf("recycled with email: %+v", n)
	}
	if old.Username != "ada" || old.Role != access.OfficeAdmin {
		t.Error("Recycle changed its receiver")
	}
}
