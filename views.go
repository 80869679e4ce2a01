package lifeline

import (
	"maps"
	"slices"
	"time"

	"github.com/lifeline-go/lifeline/lifecycle"
)

// User is a user as the facade shows it. It holds no secret: whether a
// password or voicemail PIN is set, never its hash.
type User struct {
	ID        string
	CompanyID string
	OfficeID  string
	// ParentID is the user this one is a sub-user of, if any.
	ParentID  string
	Kind      lifecycle.Kind
	Extension string
	Person    Person
	Email     string
	Username  string
	// ExternalID is the id an identity provider knows the user by.
	ExternalID string
	// HasPassword and HasVoicemailPIN say whether a secret is set.
	HasPassword     bool
	HasVoicemailPIN bool
	Devices         []string
	Settings        map[string]string
	// Role is the user's administrative role; Offices the offices an office
	// admin or manager is given.
	Role    Role
	Offices []string
	// Analytics is the permission to see charting data.
	Analytics bool
	// Proxy is the grant to proxy into other users' accounts.
	Proxy     bool
	Billing   BillingClass
	Status    Status
	CreatedAt time.Time
	UpdatedAt time.Time
	// DeletedAt, RestoreUntil and PurgeBy are set while the user is deleted.
	DeletedAt    time.Time
	RestoreUntil time.Time
	PurgeBy      time.Time
	// HeldAtDeletion lists the numbers a restore brings back.
	HeldAtDeletion []string
	// Version is the user's revision, one more on every change: what an
	// ETag carries and [If] (If-Match) compares.
	Version int64
}

// State is shorthand for u.Status.State.
func (u User) State() State { return u.Status.State }

// Login returns the id the user logs in with: the email when set, else
// the username, else (for an internal user) the extension.
func (u User) Login() string {
	switch {
	case u.Email != "":
		return u.Email
	case u.Username != "":
		return u.Username
	case u.Kind == lifecycle.Internal && u.State().Live() && u.State() != lifecycle.SetupRequired:
		return u.Extension
	}
	return ""
}

func viewOf(u lifecycle.User) User {
	role := u.Role
	if role == "" {
		role = RoleMember
	}
	return User{
		ID: u.ID, CompanyID: u.CompanyID, OfficeID: u.OfficeID, ParentID: u.ParentID, Kind: u.Kind,
		Extension: u.Extension, Person: u.Person, Email: u.Email, Username: u.Username, ExternalID: u.ExternalID,
		HasPassword: u.PasswordHash != "", HasVoicemailPIN: u.VoicemailPINHash != "",
		Devices: slices.Clone(u.Devices), Settings: maps.Clone(u.Settings),
		Role: role, Offices: slices.Clone(u.Offices), Analytics: u.Analytics, Proxy: u.Proxy,
		Billing: u.Billing, Status: u.Status, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt,
		DeletedAt: u.DeletedAt, RestoreUntil: u.RestoreUntil, PurgeBy: u.PurgeBy,
		HeldAtDeletion: slices.Clone(u.HeldAtDeletion), Version: u.Version,
	}
}
