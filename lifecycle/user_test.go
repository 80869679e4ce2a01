package lifecycle_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/lifecycle"
)

func TestValidatorsRefuseBadInput(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	tests := []struct {
		name string
		err  error
	}{
		{"empty first name", lifecycle.ValidatePerson(lifecycle.Person{LastName: "Lovelace"})},
		{"empty last name", lifecycle.ValidatePerson(lifecycle.Person{FirstName: "Ada"})},
		{"1 MB name", lifecycle.ValidatePerson(lifecycle.Person{FirstName: huge, LastName: "x"})},
		{"control char", lifecycle.ValidatePerson(lifecycle.Person{FirstName: "A\x00da", LastName: "x"})},
		{"bad utf8", lifecycle.ValidatePerson(lifecycle.Person{FirstName: "\xff", LastName: "x"})},
		{"padded", lifecycle.ValidatePerson(lifecycle.Person{FirstName: " Ada", LastName: "x"})},
		{"no at", lifecycle.ValidateEmail("ada.example.com")},
		{"display name", lifecycle.ValidateEmail("Ada <ada@example.com>")},
		{"no dot", lifecycle.ValidateEmail("ada@localhost")},
		{"1 MB email", lifecycle.ValidateEmail(huge + "@example.com")},
		{"sql email", lifecycle.ValidateEmail("x'; DROP TABLE users;--@example.com")},
		{"username space", lifecycle.ValidateUsername("ada lovelace")},
		{"extension letters", lifecycle.ValidateExtension("12a")},
		{"extension long", lifecycle.ValidateExtension("123456789")},
		{"extension leading zero", lifecycle.ValidateExtension("0101")},
		{"pin letters", lifecycle.ValidateVoicemailPIN("12ab")},
		{"pin short", lifecycle.ValidateVoicemailPIN("123")},
		{"password short", lifecycle.ValidatePassword("short")},
		{"password huge", lifecycle.ValidatePassword(huge)},
		{"duplicate device", lifecycle.ValidateDevices([]string{"a", "a"})},
		{"setting key", lifecycle.ValidateSettings(map[string]string{"a b": "x"})},
	}
	for _, tt := range tests {
		if !errors.Is(tt.err, errs.ErrInvalid) {
			t.Errorf("%s: got %v, want an invalid-input error", tt.name, tt.err)
		} else if len(tt.err.Error()) > 300 {
			t.Errorf("%s: error message is %d bytes; it must not echo huge input", tt.name, len(tt.err.Error()))
		}
	}
	for _, ok := range []error{
		lifecycle.ValidatePerson(lifecycle.Person{FirstName: "Robert'); DROP TABLE users;--", LastName: "Tables"}),
		lifecycle.ValidatePerson(lifecycle.Person{FirstName: "Zoë", LastName: "Ødegård"}),
		lifecycle.ValidateEmail("ada.lovelace+tag@example.co.uk"),
		lifecycle.ValidateUsername("ada.l_1"),
		lifecycle.ValidateExtension("101"),
		lifecycle.ValidateVoicemailPIN("0042"),
		lifecycle.ValidatePassword("correct horse battery"),
	} {
		if ok != nil {
			t.Errorf("valid input refused: %v", ok)
		}
	}
}

func TestResetAndRecycleUser(t *testing.T) {
	u := lifecycle.User{
		ID: "u1", Extension: "101", Person: lifecycle.Person{FirstName: "Ada", LastName: "Lovelace"},
		Email: "ada@example.com", PasswordHash: "h", VoicemailPINHash: "p", Devices: []string{"desk"},
		Settings: map[string]string{"lang": "en"}, Status: lifecycle.Status{State: act},
	}
	r, err := u.Reset(0)
	if err != nil {
		t.Fatal(err)
	}
	if r.State() != setR || !r.Person.IsZero() || r.Email != "" || r.PasswordHash != "" || r.VoicemailPINHash != "" || r.Devices != nil {
		t.Fatalf("reset all left %+v", r)
	}
	if r.Extension != "101" || len(r.Settings) != 0 {
		t.Fatalf("reset must keep the extension and clear the person's settings: %+v", r)
	}
	if u.Devices[0] != "desk" {
		t.Fatal("Reset changed its receiver")
	}
	if _, err := r.Recycle(lifecycle.Person{FirstName: "Grace"}, ""); !errors.Is(err, errs.ErrInvalid) {
		t.Fatalf("recycle without last name: %v", err)
	}
	n, err := r.Recycle(lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}, "grace@example.com")
	if err != nil || n.State() != pwR || n.Extension != "101" || n.Email != "grace@example.com" {
		t.Fatalf("recycle: %+v, %v", n, err)
	}
	if _, err := u.Recycle(lifecycle.Person{FirstName: "Grace", LastName: "Hopper"}, ""); !errors.Is(err, lifecycle.ErrIllegalTransition) {
		t.Fatalf("recycle of an Active user: %v, want illegal", err)
	}
}

func TestAnonymizeKeepsNoPersonalData(t *testing.T) {
	u := lifecycle.User{
		ID: "u1", CompanyID: "c", OfficeID: "o", Extension: "101", Person: lifecycle.Person{FirstName: "Ada", LastName: "L"},
		Email: "ada@example.com", Username: "ada", ExternalID: "okta-00u1", PasswordHash: "h", VoicemailPINHash: "p",
		Devices: []string{"d"}, Settings: map[string]string{"k": "v"}, Role: "company_admin", Offices: []string{"o"}, Analytics: true, Proxy: true,
		Status: lifecycle.Status{State: del, DeletedFrom: act},
	}
	a := u.Anonymize(u.CreatedAt)
	if a.ID != "u1" || a.OfficeID != "o" || a.State() != anon {
		t.Fatalf("ids must stay: %+v", a)
	}
	if !a.Person.IsZero() || a.Email != "" || a.Username != "" || a.ExternalID != "" || a.PasswordHash != "" || a.VoicemailPINHash != "" ||
		a.Devices != nil || a.Settings != nil || a.Role != "" || a.Offices != nil || a.Analytics || a.Proxy {
		t.Fatalf("personal data survived: %+v", a)
	}
}
