package lifeline

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// NewUser describes a user to create.
type NewUser struct {
	OfficeID string
	// Person is required by CreateUser, optional for InviteUser and must be
	// empty for CreateEmptyExtension.
	Person Person
	// Email is required by InviteUser and optional otherwise; when set it is
	// the login id and unique within the company.
	Email string
	// Username is optional; when set it must be a valid username.
	Username string
	// Extension is optional: the next free extension of the company is used.
	Extension string
	// Billing defaults to lifecycle.Paid.
	Billing BillingClass
	// ParentID makes the user a sub-user of another live user of the company.
	ParentID  string
	Admin     bool
	Analytics bool
}

// CreateUser creates a user for a person: Password Required, no password, no
// voicemail PIN. It takes a seat license from the office's pool.
func (s *Service) CreateUser(ctx context.Context, actor Actor, n NewUser) (User, error) {
	return s.create(ctx, actor, "lifeline.CreateUser", lifecycle.EventCreate, n)
}

// InviteUser creates an external user ("user by email"): Password Required
// and pending until the invitee sets a password. It takes a seat license.
func (s *Service) InviteUser(ctx context.Context, actor Actor, n NewUser) (User, error) {
	return s.create(ctx, actor, "lifeline.InviteUser", lifecycle.EventInvite, n)
}

// CreateEmptyExtension creates a Setup Required extension with no person: a
// seat kept for later, to be given to someone with Recycle.
func (s *Service) CreateEmptyExtension(ctx context.Context, actor Actor, n NewUser) (User, error) {
	return s.create(ctx, actor, "lifeline.CreateEmptyExtension", lifecycle.EventCreateEmpty, n)
}

func validateNewUser(opName string, ev lifecycle.Event, n *NewUser) error {
	switch ev {
	case lifecycle.EventCreate:
		if err := lifecycle.ValidatePerson(n.Person); err != nil {
			return err
		}
	case lifecycle.EventInvite:
		if n.Email == "" {
			return errs.E(errs.Invalid, opName, "an invitation needs an email address")
		}
		if !n.Person.IsZero() {
			if err := lifecycle.ValidatePerson(n.Person); err != nil {
				return err
			}
		}
	case lifecycle.EventCreateEmpty:
		if !n.Person.IsZero() || n.Email != "" || n.Username != "" {
			return errs.E(errs.Invalid, opName, "an empty extension has no person, email or username; create a user instead")
		}
	}
	if n.Email != "" {
		if err := lifecycle.ValidateEmail(n.Email); err != nil {
			return err
		}
		n.Email = lifecycle.NormalizeEmail(n.Email)
	}
	if n.Username != "" {
		if err := lifecycle.ValidateUsername(n.Username); err != nil {
			return err
		}
	}
	if n.Extension != "" {
		if err := lifecycle.ValidateExtension(n.Extension); err != nil {
			return err
		}
	}
	if n.Billing == "" {
		n.Billing = lifecycle.Paid
	}
	if !n.Billing.Valid() {
		return errs.E(errs.Invalid, opName, "billing class %q is neither free nor paid", n.Billing)
	}
	return nil
}

func (s *Service) create(ctx context.Context, actor Actor, opName string, ev lifecycle.Event, n NewUser) (User, error) {
	if err := validateNewUser(opName, ev, &n); err != nil {
		return User{}, err
	}
	status, err := lifecycle.Start(ev)
	if err != nil {
		return User{}, err
	}
	kind := lifecycle.Internal
	if ev == lifecycle.EventInvite {
		kind = lifecycle.External
	}
	var u User
	err = s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		office, err := o.tx.GetOffice(ctx, n.OfficeID)
		if err != nil {
			return notFoundAs(opName, err, "office %q does not exist", n.OfficeID)
		}
		if n.ParentID != "" {
			parent, err := o.tx.GetUser(ctx, n.ParentID)
			if err != nil {
				return notFoundAs(opName, err, "parent user %q does not exist", n.ParentID)
			}
			if parent.CompanyID != office.CompanyID || !parent.State().Live() {
				return errs.E(errs.Conflict, opName, "parent user %s must be a live user of the same company", n.ParentID)
			}
		}
		if err := o.checkEmailFree(ctx, office.CompanyID, n.Email, ""); err != nil {
			return err
		}
		ext := n.Extension
		if ext == "" {
			if ext, err = o.tx.NextExtension(ctx, office.CompanyID); err != nil {
				return err
			}
			if lifecycle.ValidateExtension(ext) != nil {
				return errs.E(errs.Conflict, opName, "company %s has no extension left above its highest; give one explicitly", office.CompanyID)
			}
		} else if taken, err := o.tx.ExtensionTaken(ctx, office.CompanyID, ext); err != nil {
			return err
		} else if taken {
			return errs.E(errs.Conflict, opName, "extension %s is already used in this company", ext)
		}
		u = User{
			ID: newID("usr_"), CompanyID: office.CompanyID, OfficeID: office.ID, ParentID: n.ParentID,
			Kind: kind, Extension: ext, Person: n.Person, Email: n.Email, Username: n.Username,
			Admin: n.Admin, Analytics: n.Analytics, Billing: n.Billing, Status: status,
			CreatedAt: o.now, UpdatedAt: o.now,
		}
		if err := o.takeLicense(ctx, office.ID, licensing.Seat); err != nil {
			return err
		}
		if err := o.tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := o.tx.SetUserLicenses(ctx, u.ID, []licensing.LicenseType{licensing.Seat}); err != nil {
			return err
		}
		return o.auditUser(ctx, User{}, u, string(ev), "extension "+ext, personalOf(u))
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// personalOf describes the personal data a record may mention; it lands only
// in the audit trail's erasable column.
func personalOf(u User) string {
	var parts []string
	if !u.Person.IsZero() {
		parts = append(parts, "name "+u.Person.Full())
	}
	if u.Email != "" {
		parts = append(parts, "email "+u.Email)
	}
	if u.Username != "" {
		parts = append(parts, "username "+u.Username)
	}
	return strings.Join(parts, ", ")
}

func (o *op) checkEmailFree(ctx context.Context, companyID, email, selfID string) error {
	if email == "" {
		return nil
	}
	other, err := o.tx.FindUserByEmail(ctx, companyID, email)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil
	case err != nil:
		return err
	case other.ID != selfID:
		return errs.E(errs.Conflict, o.name, "email %s is already used by user %s in this company", email, other.ID)
	}
	return nil
}

// auditUser records a user's change from before to after.
func (o *op) auditUser(ctx context.Context, before, after User, action, detail, personal string) error {
	return o.audit(ctx, store.AuditRecord{
		CompanyID: after.CompanyID, Action: action, TargetKind: "user", TargetID: after.ID, UserID: after.ID,
		FromState: string(before.State()), ToState: string(after.State()), Detail: detail, Personal: personal,
	})
}

func (o *op) loadUser(ctx context.Context, id string) (User, error) {
	u, err := o.tx.GetUser(ctx, id)
	if err != nil {
		return u, notFoundAs(o.name, err, "user %q does not exist", truncateID(id))
	}
	return u, nil
}

func truncateID(id string) string {
	if len(id) > 64 {
		return id[:64] + "…"
	}
	return id
}

// GetUser returns a user. An anonymized user is returned with nothing
// personal left in it.
func (s *Service) GetUser(ctx context.Context, actor Actor, id string) (User, error) {
	var u User
	err := s.view(ctx, "lifeline.GetUser", actor, func(ctx context.Context, o *op) (err error) {
		u, err = o.loadUser(ctx, id)
		return err
	})
	return u, err
}

// UserQuery selects users to list.
type UserQuery struct {
	CompanyID string
	OfficeID  string
	// States filters by state; empty means all.
	States []State
	// AfterID and Limit page through users ordered by id (Limit 0: 1000).
	AfterID string
	Limit   int
}

// ListUsers lists users of a company or office.
func (s *Service) ListUsers(ctx context.Context, actor Actor, q UserQuery) ([]User, error) {
	if q.CompanyID == "" && q.OfficeID == "" {
		return nil, errs.E(errs.Invalid, "lifeline.ListUsers", "name a company or an office")
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	var list []User
	err := s.view(ctx, "lifeline.ListUsers", actor, func(ctx context.Context, o *op) (err error) {
		list, err = o.tx.ListUsers(ctx, store.UserFilter{CompanyID: q.CompanyID, OfficeID: q.OfficeID, States: q.States, AfterID: q.AfterID, Limit: q.Limit})
		return err
	})
	return list, err
}

// mutate is the shape of every single-user operation: load the user, let fn
// compute the new user from the old, save it and audit the change.
func (s *Service) mutate(ctx context.Context, actor Actor, opName, userID, action string, fn func(ctx context.Context, o *op, u User) (User, string, string, error)) (User, error) {
	var after User
	err := s.update(ctx, opName, actor, func(ctx context.Context, o *op) error {
		before, err := o.loadUser(ctx, userID)
		if err != nil {
			return err
		}
		next, detail, personal, err := fn(ctx, o, before.Clone())
		if err != nil {
			return err
		}
		next.UpdatedAt = o.now
		if err := o.tx.UpdateUser(ctx, next); err != nil {
			return err
		}
		after = next
		return o.auditUser(ctx, before, next, action, detail, personal)
	})
	if err != nil {
		return User{}, err
	}
	return after, nil
}

// requireLive refuses an operation on a user that is not live, with the
// typed transition error of the lifecycle.
func requireLive(u User, ev lifecycle.Event) error {
	if !u.State().Live() {
		return &lifecycle.TransitionError{State: u.State(), Event: ev}
	}
	return nil
}

// UserUpdate changes a user's person, email, username or permissions. Nil
// fields are left alone.
type UserUpdate struct {
	Person    *Person
	Email     *string
	Username  *string
	Admin     *bool
	Analytics *bool
}

// UpdateUser changes a live user's details. A changed email becomes the
// login id. The name of a Setup Required extension is given with Recycle.
func (s *Service) UpdateUser(ctx context.Context, actor Actor, userID string, up UserUpdate) (User, error) {
	const opName = "lifeline.UpdateUser"
	if up.Person != nil {
		if err := lifecycle.ValidatePerson(*up.Person); err != nil {
			return User{}, err
		}
	}
	if up.Email != nil && *up.Email != "" {
		if err := lifecycle.ValidateEmail(*up.Email); err != nil {
			return User{}, err
		}
		e := lifecycle.NormalizeEmail(*up.Email)
		up.Email = &e
	}
	if up.Username != nil && *up.Username != "" {
		if err := lifecycle.ValidateUsername(*up.Username); err != nil {
			return User{}, err
		}
	}
	return s.mutate(ctx, actor, opName, userID, "update", func(ctx context.Context, o *op, u User) (User, string, string, error) {
		if err := requireLive(u, "update"); err != nil {
			return u, "", "", err
		}
		var changed []string
		if up.Person != nil {
			if u.State() == lifecycle.SetupRequired {
				return u, "", "", errs.E(errs.Conflict, opName, "user %s is Setup Required: give the extension a person with Recycle", u.ID)
			}
			u.Person = *up.Person
			changed = append(changed, "person")
		}
		if up.Email != nil {
			if err := o.checkEmailFree(ctx, u.CompanyID, *up.Email, u.ID); err != nil {
				return u, "", "", err
			}
			u.Email = *up.Email
			changed = append(changed, "email")
		}
		if up.Username != nil {
			u.Username = *up.Username
			changed = append(changed, "username")
		}
		if up.Admin != nil {
			u.Admin = *up.Admin
			changed = append(changed, fmt.Sprintf("admin=%t", u.Admin))
		}
		if up.Analytics != nil {
			u.Analytics = *up.Analytics
			changed = append(changed, fmt.Sprintf("analytics=%t", u.Analytics))
		}
		return u, "changed " + strings.Join(changed, ", "), personalOf(u), nil
	})
}

// SetPassword sets a user's password: a Password Required user (including
// an invitee accepting the invitation) becomes Active; an Active user's
// password is changed. Only an argon2id hash is stored.
func (s *Service) SetPassword(ctx context.Context, actor Actor, userID, password string) (User, error) {
	if err := lifecycle.ValidatePassword(password); err != nil {
		return User{}, err
	}
	return s.mutate(ctx, actor, "lifeline.SetPassword", userID, string(lifecycle.EventSetPassword), func(_ context.Context, _ *op, u User) (User, string, string, error) {
		st, err := u.Status.Apply(lifecycle.EventSetPassword)
		if err != nil {
			return u, "", "", err
		}
		u.Status = st
		u.PasswordHash = s.hash.hashSecret(password)
		return u, "password set", "", nil
	})
}

// VerifyPassword reports whether password is the user's password. It never
// says more: a user without a password, or not live, simply does not match.
func (s *Service) VerifyPassword(ctx context.Context, actor Actor, userID, password string) (bool, error) {
	u, err := s.GetUser(ctx, actor, userID)
	if err != nil {
		return false, err
	}
	if u.PasswordHash == "" || u.State() != lifecycle.Active {
		return false, nil
	}
	return verifySecret(u.PasswordHash, password), nil
}

// ForcePasswordReset sends an Active user back to Password Required and
// clears the password.
func (s *Service) ForcePasswordReset(ctx context.Context, actor Actor, userID string) (User, error) {
	return s.transition(ctx, actor, "lifeline.ForcePasswordReset", userID, lifecycle.EventForcePasswordReset, func(u *User) {
		u.PasswordHash = ""
	})
}

// SetVoicemailPIN sets a live user's voicemail PIN (4–12 digits), stored
// only as a hash.
func (s *Service) SetVoicemailPIN(ctx context.Context, actor Actor, userID, pin string) (User, error) {
	if err := lifecycle.ValidateVoicemailPIN(pin); err != nil {
		return User{}, err
	}
	return s.mutate(ctx, actor, "lifeline.SetVoicemailPIN", userID, "set-voicemail-pin", func(_ context.Context, _ *op, u User) (User, string, string, error) {
		if err := requireLive(u, "set-voicemail-pin"); err != nil {
			return u, "", "", err
		}
		u.VoicemailPINHash = s.hash.hashSecret(pin)
		return u, "voicemail PIN set", "", nil
	})
}

// SetDevices replaces a live user's devices.
func (s *Service) SetDevices(ctx context.Context, actor Actor, userID string, devices []string) (User, error) {
	if err := lifecycle.ValidateDevices(devices); err != nil {
		return User{}, err
	}
	devices = slices.Clone(devices)
	return s.mutate(ctx, actor, "lifeline.SetDevices", userID, "set-devices", func(_ context.Context, _ *op, u User) (User, string, string, error) {
		if err := requireLive(u, "set-devices"); err != nil {
			return u, "", "", err
		}
		u.Devices = devices
		return u, fmt.Sprintf("%d devices", len(devices)), "", nil
	})
}

// SetSettings replaces a live user's settings.
func (s *Service) SetSettings(ctx context.Context, actor Actor, userID string, settings map[string]string) (User, error) {
	if err := lifecycle.ValidateSettings(settings); err != nil {
		return User{}, err
	}
	settings = maps.Clone(settings)
	return s.mutate(ctx, actor, "lifeline.SetSettings", userID, "set-settings", func(_ context.Context, _ *op, u User) (User, string, string, error) {
		if err := requireLive(u, "set-settings"); err != nil {
			return u, "", "", err
		}
		u.Settings = settings
		return u, fmt.Sprintf("%d settings", len(settings)), "", nil
	})
}

// transition applies one table event that needs nothing beyond the state
// change and an optional tweak of the user.
func (s *Service) transition(ctx context.Context, actor Actor, opName, userID string, ev lifecycle.Event, tweak func(*User)) (User, error) {
	return s.mutate(ctx, actor, opName, userID, string(ev), func(_ context.Context, _ *op, u User) (User, string, string, error) {
		st, err := u.Status.Apply(ev)
		if err != nil {
			return u, "", "", err
		}
		u.Status = st
		if tweak != nil {
			tweak(&u)
		}
		return u, "", "", nil
	})
}

// Reset clears the chosen fields of a live user (zero Fields: all of name,
// email, password, voicemail PIN and devices). The user becomes Setup
// Required if the name was cleared, Password Required if only the password
// was; extension, numbers, licenses and settings stay.
func (s *Service) Reset(ctx context.Context, actor Actor, userID string, fields Fields) (User, error) {
	if fields&^lifecycle.FieldsAll != 0 {
		return User{}, errs.E(errs.Invalid, "lifeline.Reset", "unknown reset fields %#x", uint8(fields))
	}
	return s.mutate(ctx, actor, "lifeline.Reset", userID, string(lifecycle.EventReset), func(_ context.Context, _ *op, u User) (User, string, string, error) {
		next, err := u.Reset(fields)
		return next, "cleared " + describeFields(fields), "", err
	})
}

func describeFields(f Fields) string {
	f = f.Normalize()
	var names []string
	for _, x := range []struct {
		f    Fields
		name string
	}{{lifecycle.FieldName, "name"}, {lifecycle.FieldEmail, "email"}, {lifecycle.FieldPassword, "password"},
		{lifecycle.FieldVoicemailPIN, "voicemail PIN"}, {lifecycle.FieldDevices, "devices"}} {
		if f.Has(x.f) {
			names = append(names, x.name)
		}
	}
	return strings.Join(names, ", ")
}

// Recycle gives a Setup Required extension to a new person (first and last
// name required, email recommended): Password Required, no password, no
// voicemail PIN; extension, numbers and seat are kept.
func (s *Service) Recycle(ctx context.Context, actor Actor, userID string, p Person, email string) (User, error) {
	if err := lifecycle.ValidatePerson(p); err != nil {
		return User{}, err
	}
	if email != "" {
		if err := lifecycle.ValidateEmail(email); err != nil {
			return User{}, err
		}
		email = lifecycle.NormalizeEmail(email)
	}
	return s.mutate(ctx, actor, "lifeline.Recycle", userID, string(lifecycle.EventRecycle), func(ctx context.Context, o *op, u User) (User, string, string, error) {
		next, err := u.Recycle(p, email)
		if err != nil {
			return u, "", "", err
		}
		if err := o.checkEmailFree(ctx, u.CompanyID, email, u.ID); err != nil {
			return u, "", "", err
		}
		return next, "", personalOf(next), nil
	})
}

// Suspend blocks an Active or Password Required user's login; numbers,
// licenses and data are kept.
func (s *Service) Suspend(ctx context.Context, actor Actor, userID string) (User, error) {
	return s.transition(ctx, actor, "lifeline.Suspend", userID, lifecycle.EventSuspend, nil)
}

// Reinstate returns a suspended user to the state it was suspended from.
func (s *Service) Reinstate(ctx context.Context, actor Actor, userID string) (User, error) {
	return s.transition(ctx, actor, "lifeline.Reinstate", userID, lifecycle.EventReinstate, nil)
}
