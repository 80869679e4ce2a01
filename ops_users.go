package lifeline

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
)

// The user operations, declared once.
var (
	specCreateUser  = declare("user.create", access.CreateUser, true)
	specInviteUser  = declare("user.invite", access.CreateUser, true)
	specCreateEmpty = declare("user.create-empty", access.CreateUser, true)
	specGetUser     = declare("user.get", access.ReadUser, false, subjectIs(func(x GetUser) string { return x.UserID }))
	specListUsers   = declare("user.list", access.ReadUser, false)
	specUpdateUser  = declare("user.update", access.UpdateUser, true)
	specSetPassword = declare("user.set-password", access.SetCredentials, true)
	// A password check is a credential operation: whoever may not set a
	// user's password may not test guesses against it either.
	specVerifyPassword     = declare("user.verify-password", access.SetCredentials, false)
	specForcePasswordReset = declare("user.force-password-reset", access.SetCredentials, true, stagedAs[User, ForcePasswordReset]())
	specSetVoicemailPIN    = declare("user.set-voicemail-pin", access.SetCredentials, true)
	specSetDevices         = declare("user.set-devices", access.UpdateUser, true)
	specSetSettings        = declare("user.set-settings", access.UpdateUser, true)
	specReset              = declare("user.reset", access.ResetUser, true, stagedAs[User, Reset]())
	specRecycle            = declare("user.recycle", access.ResetUser, true, stagedAs[User, Recycle]())
	specSuspend            = declare("user.suspend", access.SuspendUser, true, stagedAs[User, Suspend]())
	specReinstate          = declare("user.reinstate", access.SuspendUser, true, stagedAs[User, Reinstate]())
	specGrantRole          = declare("user.grant-role", access.GrantRole, true, stagedAs[User, GrantRole]())
	specSetAnalytics       = declare("user.set-analytics", access.GrantAnalytics, true, stagedAs[User, SetAnalytics]())
	specSetProxy           = declare("user.set-proxy-access", access.GrantProxy, true, stagedAs[User, SetProxyAccess]())
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
	// ExternalID is optional: the id an identity provider knows the user
	// by (SCIM's externalId).
	ExternalID string
	// Extension is optional: the next free extension of the company is used.
	Extension string
	// Billing defaults to lifecycle.Paid.
	Billing BillingClass
	// ParentID makes the user a sub-user of another live user of the company.
	ParentID string
}

// CreateUser makes a user for a person: Password Required, no password,
// no voicemail PIN, a seat license from the office's pool. The new user is
// a member; roles are granted with [Service.GrantRole].
type CreateUser struct{ NewUser }

// InviteUser makes an external user ("user by email"): Password Required
// and pending until the invitee sets a password.
type InviteUser struct{ NewUser }

// CreateEmptyExtension makes a Setup Required extension with no person: a
// seat kept for later, to be given to someone with Recycle.
type CreateEmptyExtension struct{ NewUser }

// Spec implements Operation.
func (CreateUser) Spec() OpSpec { return specCreateUser }

// Spec implements Operation.
func (InviteUser) Spec() OpSpec { return specInviteUser }

// Spec implements Operation.
func (CreateEmptyExtension) Spec() OpSpec { return specCreateEmpty }

func (x CreateUser) prepare(ctx context.Context, s *Service) (step[User], error) {
	return s.createStep(specCreateUser.Name, lifecycle.EventCreate, x.NewUser)
}

func (x InviteUser) prepare(ctx context.Context, s *Service) (step[User], error) {
	return s.createStep(specInviteUser.Name, lifecycle.EventInvite, x.NewUser)
}

func (x CreateEmptyExtension) prepare(ctx context.Context, s *Service) (step[User], error) {
	return s.createStep(specCreateEmpty.Name, lifecycle.EventCreateEmpty, x.NewUser)
}

// CreateUser creates a user for a person. See [CreateUser].
func (s *Service) CreateUser(ctx context.Context, actor Actor, n NewUser) (User, error) {
	return Do(ctx, s, actor, CreateUser{n})
}

// InviteUser invites an external user. See [InviteUser].
func (s *Service) InviteUser(ctx context.Context, actor Actor, n NewUser) (User, error) {
	return Do(ctx, s, actor, InviteUser{n})
}

// CreateEmptyExtension creates a Setup Required extension. See
// [CreateEmptyExtension].
func (s *Service) CreateEmptyExtension(ctx context.Context, actor Actor, n NewUser) (User, error) {
	return Do(ctx, s, actor, CreateEmptyExtension{n})
}

func validateNewUser(opName string, ev lifecycle.Event, n *NewUser) error {
	if err := checkID(opName, "office id", n.OfficeID); err != nil {
		return err
	}
	if n.ParentID != "" {
		if err := checkID(opName, "parent id", n.ParentID); err != nil {
			return err
		}
	}
	switch ev {
	case lifecycle.EventCreate:
		if err := lifecycle.ValidatePerson(n.Person); err != nil {
			return err
		}
	case lifecycle.EventInvite:
		if n.Email == "" {
			return errs.E(errs.Invalid, opName, "an invitation needs an email address").
				Say("An invitation needs an email address.")
		}
		if !n.Person.IsZero() {
			if err := lifecycle.ValidatePerson(n.Person); err != nil {
				return err
			}
		}
	case lifecycle.EventCreateEmpty:
		if !n.Person.IsZero() || n.Email != "" || n.Username != "" {
			return errs.E(errs.Invalid, opName, "an empty extension has no person, email or username; create a user instead").
				Say("An empty extension has no name, email or username; create a user instead.")
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
	if n.ExternalID != "" {
		if ev == lifecycle.EventCreateEmpty {
			return errs.E(errs.Invalid, opName, "an empty extension has no person, so no external id").
				Say("An empty extension has no person, so it has no identity provider id.")
		}
		if err := lifecycle.ValidateExternalID(n.ExternalID); err != nil {
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

func (s *Service) createStep(opName string, ev lifecycle.Event, n NewUser) (step[User], error) {
	if err := validateNewUser(opName, ev, &n); err != nil {
		return nil, err
	}
	status, err := lifecycle.Start(ev)
	if err != nil {
		return nil, err
	}
	kind := lifecycle.Internal
	if ev == lifecycle.EventInvite {
		kind = lifecycle.External
	}
	return func(o *op) (User, error) {
		office, err := o.loadOffice(n.OfficeID)
		if err != nil {
			return User{}, err
		}
		if err := o.authorizeOffice(office); err != nil {
			return User{}, err
		}
		u, err := o.newUser(office, n, kind, status)
		if err != nil {
			return User{}, err
		}
		if ev == lifecycle.EventInvite {
			o.emit(u.CompanyID, EventInvitationEmail, u.ID, nil)
		}
		return viewOf(u), o.recordUser(lifecycle.User{}, u, "extension "+u.Extension, personalOf(u))
	}, nil
}

// newUser inserts a user of office with a seat license.
func (o *op) newUser(office licensing.Office, n NewUser, kind lifecycle.Kind, status lifecycle.Status) (lifecycle.User, error) {
	ctx := o.ctx
	if n.ParentID != "" {
		parent, err := o.loadUser(n.ParentID)
		if err != nil {
			return lifecycle.User{}, err
		}
		if parent.CompanyID != office.CompanyID || !parent.State().Live() {
			return lifecycle.User{}, errs.E(errs.Conflict, o.name, "parent user %s must be a live user of the same company", n.ParentID)
		}
	}
	if err := o.checkEmailFree(office.CompanyID, n.Email, ""); err != nil {
		return lifecycle.User{}, err
	}
	ext := n.Extension
	if ext == "" {
		var err error
		if ext, err = nextExtension(ctx, o.tx, office.CompanyID); err != nil {
			return lifecycle.User{}, err
		}
		if lifecycle.ValidateExtension(ext) != nil {
			return lifecycle.User{}, errs.E(errs.Conflict, o.name, "company %s has no extension left above its highest; give one explicitly", office.CompanyID)
		}
	} else if taken, err := o.tx.ExtensionTaken(ctx, office.CompanyID, ext); err != nil {
		return lifecycle.User{}, err
	} else if taken {
		return lifecycle.User{}, errs.E(errs.Conflict, o.name, "extension %s is already used in this company", ext)
	}
	u := lifecycle.User{
		ID: newID("usr_"), CompanyID: office.CompanyID, OfficeID: office.ID, ParentID: n.ParentID,
		Kind: kind, Extension: ext, Person: n.Person, Email: n.Email, Username: n.Username, ExternalID: n.ExternalID,
		Role: access.Member, Billing: n.Billing, Status: status, CreatedAt: o.now, UpdatedAt: o.now, Version: 1,
	}
	if err := o.takeLicense(office.ID, licensing.Seat); err != nil {
		return lifecycle.User{}, err
	}
	if err := o.tx.InsertUser(ctx, u); err != nil {
		return lifecycle.User{}, err
	}
	if err := o.tx.SetUserLicenses(ctx, u.ID, []licensing.LicenseType{licensing.Seat}); err != nil {
		return lifecycle.User{}, err
	}
	return u, nil
}

// personalOf describes the personal data a record may mention; it lands only
// in the audit trail's erasable column.
func personalOf(u lifecycle.User) string {
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
	if u.ExternalID != "" {
		parts = append(parts, "external id "+u.ExternalID)
	}
	return strings.Join(parts, ", ")
}

// checkEmailFree refuses, with an *EmailInUseError, an email (normalized:
// the whole address lower-cased) that a user of the company other than
// selfID holds, deleted users included.
func (o *op) checkEmailFree(companyID, email, selfID string) error {
	if email == "" {
		return nil
	}
	other, err := o.tx.FindUserByEmail(o.ctx, companyID, email)
	switch {
	case errs.Is(err, errs.NotFound):
		return nil
	case err != nil:
		return err
	case other.ID != selfID:
		// A deleted holder keeps its address until it is anonymized; the
		// error says when that will be.
		return emailInUse(o, email, other)
	}
	return nil
}

// recordUser records a user's change from before to after: an effect and
// the audit record derived from it.
func (o *op) recordUser(before, after lifecycle.User, detail, personal string) error {
	return o.recordUserAs(o.name, before, after, detail, personal)
}

// recordUserAs is recordUser for a step that is an action of its own
// inside the operation, such as the anonymization of a free user that a
// deletion triggers.
func (o *op) recordUserAs(action string, before, after lifecycle.User, detail, personal string) error {
	o.eff.Users = append(o.eff.Users, UserChange{UserID: after.ID, Action: action, From: before.State(), To: after.State()})
	if before.State() != after.State() {
		if err := o.recordingEffects(after, strings.TrimPrefix(action, "user.")); err != nil {
			return err
		}
	}
	return o.audit(o.ctx, store.AuditRecord{
		Action: action, CompanyID: after.CompanyID, TargetKind: "user", TargetID: after.ID, UserID: after.ID,
		FromState: string(before.State()), ToState: string(after.State()), Detail: detail, Personal: personal,
	})
}

// saveUser writes next over before, advances next to the version the
// store gave it, and records the change.
func (o *op) saveUser(before lifecycle.User, next *lifecycle.User, detail, personal string) error {
	return o.saveUserAs(o.name, before, next, detail, personal)
}

// saveUserAs is saveUser for a step that is an action of its own inside
// the operation.
func (o *op) saveUserAs(action string, before lifecycle.User, next *lifecycle.User, detail, personal string) error {
	next.UpdatedAt = o.now
	if err := o.writeUser(next); err != nil {
		return err
	}
	o.touch(ExpectUser(before.ID, before.Version))
	return o.recordUserAs(action, before, *next, detail, personal)
}

// writeUser stores u over the version it was read at and advances u to the
// version the store gave it.
func (o *op) writeUser(u *lifecycle.User) error {
	if err := o.tx.UpdateUser(o.ctx, *u); err != nil {
		return err
	}
	u.Version++
	return nil
}

// userChange computes a user's next record from its current one, with the
// audit detail and personal text of the change.
type userChange func(o *op, u lifecycle.User) (next lifecycle.User, detail, personal string, err error)

// userStep is the step of every single-user operation: load the user,
// authorize, compute the change, save it and record it.
func userStep(userID string, change userChange) step[User] {
	return func(o *op) (User, error) {
		before, err := o.userToActOn(userID)
		if err != nil {
			return User{}, err
		}
		next, detail, personal, err := change(o, before.Clone())
		if err != nil {
			return User{}, named(o, before.ID, err)
		}
		if err := o.saveUser(before, &next, detail, personal); err != nil {
			return User{}, err
		}
		return viewOf(next), nil
	}
}

// named adds the operation and the user to a transition error, so it says
// which call on which user was refused.
func named(o *op, userID string, err error) error {
	var te *lifecycle.TransitionError
	if errors.As(err, &te) && te.Op == "" {
		c := *te
		c.Op, c.UserID = o.name, userID
		return &c
	}
	return err
}

// GetUser reads one user.
type GetUser struct{ UserID string }

// Spec implements Operation.
func (GetUser) Spec() OpSpec { return specGetUser }

func (x GetUser) prepare(context.Context, *Service) (step[User], error) {
	return func(o *op) (User, error) {
		u, err := o.loadUser(x.UserID)
		if err != nil {
			return User{}, err
		}
		return viewOf(u), o.authorizeUser(u)
	}, nil
}

// GetUser returns a user. An anonymized user is returned with nothing
// personal left in it.
func (s *Service) GetUser(ctx context.Context, actor Actor, id string) (User, error) {
	return Do(ctx, s, actor, GetUser{UserID: id})
}

// UserQuery selects users to list. Give a company or an office.
type UserQuery struct {
	CompanyID string
	OfficeID  string
	// States filters by state; empty means all.
	States []State
	// ExternalID keeps the users an identity provider knows by that id
	// (compared exactly; "" does not filter).
	ExternalID string
	// AfterID and Limit page through users ordered by id (Limit 0: 1000).
	AfterID string
	Limit   int
}

// ListUsers lists the users of a company or an office that the actor may
// see: the query itself is limited to the actor's scope.
type ListUsers struct{ UserQuery }

// Spec implements Operation.
func (ListUsers) Spec() OpSpec { return specListUsers }

func (x ListUsers) prepare(context.Context, *Service) (step[[]User], error) {
	q := x.UserQuery
	const opName = "user.list"
	if q.CompanyID == "" && q.OfficeID == "" {
		return nil, errs.E(errs.Invalid, opName, "name a company or an office")
	}
	if q.ExternalID != "" {
		if err := lifecycle.ValidateExternalID(q.ExternalID); err != nil {
			return nil, err
		}
	}
	for what, id := range map[string]string{"company id": q.CompanyID, "office id": q.OfficeID, "after id": q.AfterID} {
		if id != "" {
			if err := checkID(opName, what, id); err != nil {
				return nil, err
			}
		}
	}
	if err := lifecycle.ValidateStates(q.States); err != nil {
		return nil, err
	}
	if q.Limit <= 0 || q.Limit > 1000 {
		q.Limit = 1000
	}
	return func(o *op) ([]User, error) {
		f := store.UserFilter{CompanyID: q.CompanyID, States: q.States, ExternalID: q.ExternalID, AfterID: q.AfterID, Limit: q.Limit}
		var t access.Target
		if q.OfficeID != "" {
			off, err := o.loadOffice(q.OfficeID)
			if err != nil {
				return nil, err
			}
			if q.CompanyID != "" && q.CompanyID != off.CompanyID {
				return nil, errs.E(errs.NotFound, o.name, "office %q does not exist in company %q", q.OfficeID, q.CompanyID)
			}
			f.CompanyID, f.OfficeIDs = off.CompanyID, []string{off.ID}
			t = access.Target{CompanyID: off.CompanyID, OfficeIDs: f.OfficeIDs}
		} else {
			// Rows of the company prove it exists: it is read only when
			// the page is empty, so a page is one statement.
			if !o.sees(q.CompanyID) {
				return nil, errs.E(errs.NotFound, o.name, "company %q does not exist", q.CompanyID).Say("That company does not exist, or you cannot see it.")
			}
			t = access.Target{CompanyID: q.CompanyID}
		}
		// The scope goes into the query: a member lists itself, an office
		// admin or manager the offices it is given, a company admin all.
		p := o.principal
		switch scope := access.ScopeOf(p.Role, access.ReadUser); {
		case p.System != "" || scope == access.ScopeCompany:
			o.authorized = true
		case scope == access.ScopeOffices:
			o.authorized = true
			if f.OfficeIDs == nil {
				f.OfficeIDs = slices.Clone(p.Offices)
			} else if err := o.authorize(t); err != nil {
				return nil, err
			}
			if len(f.OfficeIDs) == 0 {
				return nil, nil
			}
		case scope == access.ScopeSelf:
			o.authorized = true
			f.UserID = p.UserID
		default:
			return nil, o.authorize(t)
		}
		list, err := o.tx.ListUsers(o.ctx, f)
		if err != nil {
			return nil, err
		}
		if len(list) == 0 && q.OfficeID == "" {
			if _, err := o.loadCompany(q.CompanyID); err != nil {
				return nil, err
			}
		}
		out := make([]User, len(list))
		for i, u := range list {
			out[i] = viewOf(u)
		}
		return out, nil
	}, nil
}

// ListUsers lists users of a company or office. See [ListUsers].
func (s *Service) ListUsers(ctx context.Context, actor Actor, q UserQuery) ([]User, error) {
	return Do(ctx, s, actor, ListUsers{q})
}

// requireLive refuses an operation on a user that is not live, with the
// typed transition error of the lifecycle.
func requireLive(u lifecycle.User, ev lifecycle.Event) error {
	if !u.State().Live() {
		return &lifecycle.TransitionError{State: u.State(), Event: ev}
	}
	return nil
}

// UserUpdate changes a user's person, email, username or external id. Nil
// fields are left alone; a pointer to "" clears. Roles and grants change
// through their own operations.
type UserUpdate struct {
	Person   *Person
	Email    *string
	Username *string
	// ExternalID is the id an identity provider knows the user by.
	ExternalID *string
}

// UpdateUser changes a live user's details. A changed email becomes the
// login id and needs the permission to change credentials; an invited user
// keeps an email, since it logs in with it.
type UpdateUser struct {
	UserID string
	UserUpdate
}

// Spec implements Operation.
func (UpdateUser) Spec() OpSpec { return specUpdateUser }

func (x UpdateUser) prepare(context.Context, *Service) (step[User], error) {
	up := x.UserUpdate
	if up.Person != nil {
		if err := lifecycle.ValidatePerson(*up.Person); err != nil {
			return nil, err
		}
	}
	if up.Email != nil && *up.Email != "" {
		if err := lifecycle.ValidateEmail(*up.Email); err != nil {
			return nil, err
		}
		e := lifecycle.NormalizeEmail(*up.Email)
		up.Email = &e
	}
	if up.Username != nil && *up.Username != "" {
		if err := lifecycle.ValidateUsername(*up.Username); err != nil {
			return nil, err
		}
	}
	if up.ExternalID != nil && *up.ExternalID != "" {
		if err := lifecycle.ValidateExternalID(*up.ExternalID); err != nil {
			return nil, err
		}
	}
	return userStep(x.UserID, func(o *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "update"); err != nil {
			return u, "", "", err
		}
		var changed []string
		if up.Person != nil {
			if u.State() == lifecycle.SetupRequired {
				return u, "", "", errs.E(errs.Conflict, o.name, "user %s is Setup Required: give the extension a person with Recycle", u.ID)
			}
			u.Person = *up.Person
			changed = append(changed, "person")
		}
		if up.Email != nil {
			if err := o.authorizeAs(access.SetCredentials, userTarget(u)); err != nil {
				return u, "", "", err
			}
			if *up.Email == "" && u.Kind == lifecycle.External && u.State() != lifecycle.SetupRequired {
				return u, "", "", errs.E(errs.Conflict, o.name, "user %s was invited by email and logs in with it; give a new address instead of clearing it", u.ID)
			}
			if err := o.checkEmailFree(u.CompanyID, *up.Email, u.ID); err != nil {
				return u, "", "", err
			}
			u.Email = *up.Email
			changed = append(changed, "email")
		}
		if up.Username != nil {
			// The username is an internal user's login, as the email is
			// an invited one's: changing it follows the credentials'
			// rank rule.
			if err := o.authorizeAs(access.SetCredentials, userTarget(u)); err != nil {
				return u, "", "", err
			}
			u.Username = *up.Username
			changed = append(changed, "username")
		}
		if up.ExternalID != nil {
			if u.State() == lifecycle.SetupRequired && *up.ExternalID != "" {
				return u, "", "", errs.E(errs.Conflict, o.name, "user %s is Setup Required: an extension without a person has no external id", u.ID)
			}
			u.ExternalID = *up.ExternalID
			changed = append(changed, "external id")
		}
		return u, "changed " + strings.Join(changed, ", "), personalOf(u), nil
	}), nil
}

// UpdateUser changes a live user's details. See [UpdateUser].
func (s *Service) UpdateUser(ctx context.Context, actor Actor, userID string, up UserUpdate) (User, error) {
	return Do(ctx, s, actor, UpdateUser{UserID: userID, UserUpdate: up})
}

// SetPassword sets a user's password: a Password Required user (including
// an invitee accepting the invitation) becomes Active; an Active user's
// password is changed. The password is hashed before the transaction
// begins, so the store's writer is never held for the hash; only the
// argon2id hash is stored.
type SetPassword struct {
	UserID   string
	Password string
}

// Spec implements Operation.
func (SetPassword) Spec() OpSpec { return specSetPassword }

func (x SetPassword) prepare(ctx context.Context, s *Service) (step[User], error) {
	if err := lifecycle.ValidatePassword(x.Password); err != nil {
		return nil, err
	}
	hash, err := s.hashSecret(ctx, specSetPassword.Name, x.Password)
	if err != nil {
		return nil, err
	}
	return userStep(x.UserID, func(_ *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		st, err := u.Status.Apply(lifecycle.EventSetPassword)
		if err != nil {
			return u, "", "", err
		}
		u.Status = st
		u.PasswordHash = hash
		return u, "password set", "", nil
	}), nil
}

// SetPassword sets a user's password. See [SetPassword].
func (s *Service) SetPassword(ctx context.Context, actor Actor, userID, password string) (User, error) {
	return Do(ctx, s, actor, SetPassword{UserID: userID, Password: password})
}

// verifyPassword reads the hash a password is checked against; the check
// itself runs after the transaction.
type verifyPassword struct{ UserID string }

func (verifyPassword) Spec() OpSpec { return specVerifyPassword }

func (x verifyPassword) prepare(context.Context, *Service) (step[string], error) {
	return func(o *op) (string, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return "", err
		}
		if u.State() != lifecycle.Active {
			return "", nil
		}
		return u.PasswordHash, nil
	}, nil
}

// VerifyPassword reports whether password is the user's password. It never
// says more: a user without a password, or not Active, simply does not
// match, after the same work as a wrong password. It is no operation value
// of its own: it reads the user in an operation ("user.verify-password")
// and checks the password after that transaction, in a slot of the
// service's hash limit ([WithHashConcurrency]), so [Do] cannot run it.
func (s *Service) VerifyPassword(ctx context.Context, actor Actor, userID, password string) (bool, error) {
	hash, err := Do(ctx, s, actor, verifyPassword{UserID: userID})
	if err != nil {
		return false, err
	}
	return s.verifySecret(ctx, specVerifyPassword.Name, hash, password)
}

// ForcePasswordReset sends an Active user back to Password Required and
// clears the password.
type ForcePasswordReset struct{ UserID string }

// Spec implements Operation.
func (ForcePasswordReset) Spec() OpSpec { return specForcePasswordReset }

func (x ForcePasswordReset) prepare(context.Context, *Service) (step[User], error) {
	return userStep(x.UserID, func(o *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		st, err := u.Status.Apply(lifecycle.EventForcePasswordReset)
		if err != nil {
			return u, "", "", err
		}
		u.Status, u.PasswordHash = st, ""
		o.emit(u.CompanyID, EventPasswordResetEmail, u.ID, nil)
		return u, "", "", nil
	}), nil
}

// ForcePasswordReset sends an Active user back to Password Required. See
// [ForcePasswordReset].
func (s *Service) ForcePasswordReset(ctx context.Context, actor Actor, userID string) (User, error) {
	return Do(ctx, s, actor, ForcePasswordReset{UserID: userID})
}

// SetVoicemailPIN sets a live user's voicemail PIN (4–12 digits), hashed
// before the transaction and stored only as a hash.
type SetVoicemailPIN struct {
	UserID string
	PIN    string
}

// Spec implements Operation.
func (SetVoicemailPIN) Spec() OpSpec { return specSetVoicemailPIN }

func (x SetVoicemailPIN) prepare(ctx context.Context, s *Service) (step[User], error) {
	if err := lifecycle.ValidateVoicemailPIN(x.PIN); err != nil {
		return nil, err
	}
	hash, err := s.hashSecret(ctx, specSetVoicemailPIN.Name, x.PIN)
	if err != nil {
		return nil, err
	}
	return userStep(x.UserID, func(_ *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "set-voicemail-pin"); err != nil {
			return u, "", "", err
		}
		u.VoicemailPINHash = hash
		return u, "voicemail PIN set", "", nil
	}), nil
}

// SetVoicemailPIN sets a live user's voicemail PIN. See [SetVoicemailPIN].
func (s *Service) SetVoicemailPIN(ctx context.Context, actor Actor, userID, pin string) (User, error) {
	return Do(ctx, s, actor, SetVoicemailPIN{UserID: userID, PIN: pin})
}

// SetDevices replaces a live user's devices.
type SetDevices struct {
	UserID  string
	Devices []string
}

// Spec implements Operation.
func (SetDevices) Spec() OpSpec { return specSetDevices }

func (x SetDevices) prepare(context.Context, *Service) (step[User], error) {
	if err := lifecycle.ValidateDevices(x.Devices); err != nil {
		return nil, err
	}
	devices := slices.Clone(x.Devices)
	return userStep(x.UserID, func(_ *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "set-devices"); err != nil {
			return u, "", "", err
		}
		u.Devices = slices.Clone(devices)
		return u, fmt.Sprintf("%d devices", len(devices)), "", nil
	}), nil
}

// SetDevices replaces a live user's devices. See [SetDevices].
func (s *Service) SetDevices(ctx context.Context, actor Actor, userID string, devices []string) (User, error) {
	return Do(ctx, s, actor, SetDevices{UserID: userID, Devices: devices})
}

// SetSettings replaces a live user's settings.
type SetSettings struct {
	UserID   string
	Settings map[string]string
}

// Spec implements Operation.
func (SetSettings) Spec() OpSpec { return specSetSettings }

func (x SetSettings) prepare(context.Context, *Service) (step[User], error) {
	if err := lifecycle.ValidateSettings(x.Settings); err != nil {
		return nil, err
	}
	settings := maps.Clone(x.Settings)
	return userStep(x.UserID, func(_ *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "set-settings"); err != nil {
			return u, "", "", err
		}
		u.Settings = maps.Clone(settings)
		return u, fmt.Sprintf("%d settings", len(settings)), "", nil
	}), nil
}

// SetSettings replaces a live user's settings. See [SetSettings].
func (s *Service) SetSettings(ctx context.Context, actor Actor, userID string, settings map[string]string) (User, error) {
	return Do(ctx, s, actor, SetSettings{UserID: userID, Settings: settings})
}

// transitionStep applies one table event that needs nothing beyond the
// state change and an optional tweak of the user.
func transitionStep(userID string, ev lifecycle.Event, tweak func(*lifecycle.User)) step[User] {
	return userStep(userID, func(_ *op, u lifecycle.User) (lifecycle.User, string, string, error) {
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

// Reset clears the chosen fields of a live user: any of name, email,
// password, voicemail PIN and devices; the zero Fields, like
// lifecycle.FieldsAll, means all of them (DESIGN.md: "default all"). The
// user becomes Setup Required if the name was cleared, Password Required if
// only the password was; extension, numbers and licenses stay. Clearing the
// name clears the person: username, external id, role, offices, analytics,
// proxy access and settings go with it. The rules are
// [lifecycle.User.Reset]'s.
type Reset struct {
	UserID string
	Fields Fields
}

// Spec implements Operation.
func (Reset) Spec() OpSpec { return specReset }

func (x Reset) prepare(context.Context, *Service) (step[User], error) {
	if x.Fields&^lifecycle.FieldsAll != 0 {
		return nil, errs.E(errs.Invalid, specReset.Name, "unknown reset fields %#x", uint8(x.Fields)).
			Say("Choose what to reset among the name, email, password, voicemail PIN and devices.")
	}
	return userStep(x.UserID, func(o *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if x.Fields.Has(lifecycle.FieldPassword) || x.Fields.Has(lifecycle.FieldEmail) {
			if err := o.authorizeAs(access.SetCredentials, userTarget(u)); err != nil {
				return u, "", "", err
			}
		}
		next, err := u.Reset(x.Fields)
		return next, "cleared " + describeFields(x.Fields), "", err
	}), nil
}

// Reset clears the chosen fields of a live user. See [Reset].
func (s *Service) Reset(ctx context.Context, actor Actor, userID string, fields Fields) (User, error) {
	return Do(ctx, s, actor, Reset{UserID: userID, Fields: fields})
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
// voicemail PIN, no role or grant, no setting or device of the old person;
// extension, numbers and seat are kept. The rules are
// [lifecycle.User.Recycle]'s.
type Recycle struct {
	UserID string
	Person Person
	Email  string
}

// Spec implements Operation.
func (Recycle) Spec() OpSpec { return specRecycle }

// recycleInput validates a recycle's new person and email, and returns the
// email normalized.
func recycleInput(p Person, email string) (string, error) {
	if err := lifecycle.ValidatePerson(p); err != nil {
		return "", err
	}
	if email == "" {
		return "", nil
	}
	if err := lifecycle.ValidateEmail(email); err != nil {
		return "", err
	}
	return lifecycle.NormalizeEmail(email), nil
}

func (x Recycle) prepare(context.Context, *Service) (step[User], error) {
	email, err := recycleInput(x.Person, x.Email)
	if err != nil {
		return nil, err
	}
	return userStep(x.UserID, func(o *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		next, err := u.Recycle(x.Person, email)
		if err != nil {
			return u, "", "", err
		}
		if err := o.checkEmailFree(u.CompanyID, email, u.ID); err != nil {
			return u, "", "", err
		}
		return next, "", personalOf(next), nil
	}), nil
}

// Recycle gives a Setup Required extension to a new person. See [Recycle].
func (s *Service) Recycle(ctx context.Context, actor Actor, userID string, p Person, email string) (User, error) {
	return Do(ctx, s, actor, Recycle{UserID: userID, Person: p, Email: email})
}

// Suspend blocks an Active or Password Required user's login; numbers,
// licenses and data are kept.
type Suspend struct{ UserID string }

// Spec implements Operation.
func (Suspend) Spec() OpSpec { return specSuspend }

func (x Suspend) prepare(context.Context, *Service) (step[User], error) {
	return transitionStep(x.UserID, lifecycle.EventSuspend, nil), nil
}

// Suspend blocks a user's login. See [Suspend].
func (s *Service) Suspend(ctx context.Context, actor Actor, userID string) (User, error) {
	return Do(ctx, s, actor, Suspend{UserID: userID})
}

// Reinstate returns a suspended user to the state it was suspended from.
type Reinstate struct{ UserID string }

// Spec implements Operation.
func (Reinstate) Spec() OpSpec { return specReinstate }

func (x Reinstate) prepare(context.Context, *Service) (step[User], error) {
	return transitionStep(x.UserID, lifecycle.EventReinstate, nil), nil
}

// Reinstate returns a suspended user to its earlier state. See [Reinstate].
func (s *Service) Reinstate(ctx context.Context, actor Actor, userID string) (User, error) {
	return Do(ctx, s, actor, Reinstate{UserID: userID})
}

// GrantRole sets a live user's role and, for an office admin or manager,
// the offices it is given. Nobody grants a role above its own; RoleMember
// revokes every admin role.
type GrantRole struct {
	UserID  string
	Role    Role
	Offices []string
}

// Spec implements Operation.
func (GrantRole) Spec() OpSpec { return specGrantRole }

func (x GrantRole) prepare(context.Context, *Service) (step[User], error) {
	const opName = "user.grant-role"
	if !x.Role.Valid() {
		return nil, errs.E(errs.Invalid, opName, "%q is not a role", x.Role).
			Say("%s is not a role; choose company admin, office admin, office manager or member.", errs.Quote(string(x.Role)))
	}
	offices := slices.Clone(x.Offices)
	slices.Sort(offices)
	offices = slices.Compact(offices)
	if x.Role.Scoped() != (len(offices) > 0) {
		if x.Role.Scoped() {
			return nil, errs.E(errs.Invalid, opName, "an %s is given at least one office", x.Role)
		}
		return nil, errs.E(errs.Invalid, opName, "a %s is not given offices", x.Role)
	}
	for _, id := range offices {
		if err := checkID(opName, "office id", id); err != nil {
			return nil, err
		}
	}
	return func(o *op) (User, error) {
		before, err := o.loadUser(x.UserID)
		if err != nil {
			return User{}, err
		}
		t := userTarget(before)
		t.GrantRole = x.Role
		// Changing an admin's offices touches the offices it has now too.
		for _, id := range before.Offices {
			if !slices.Contains(t.OfficeIDs, id) {
				t.OfficeIDs = append(t.OfficeIDs, id)
			}
		}
		for _, id := range offices {
			off, err := o.loadOffice(id)
			if err != nil {
				return User{}, err
			}
			if off.CompanyID != before.CompanyID {
				return User{}, errs.E(errs.NotFound, o.name, "office %q does not exist", id).Say("That office does not exist, or you cannot see it.")
			}
			t.OfficeIDs = append(t.OfficeIDs, id)
		}
		if err := o.authorize(t); err != nil {
			return User{}, err
		}
		if err := requireLive(before, "grant-role"); err != nil {
			return User{}, named(o, before.ID, err)
		}
		u := before.Clone()
		u.Role, u.Offices = x.Role, offices
		if x.Role == access.Member {
			u.Proxy = false // proxy access is for admins
		}
		detail := fmt.Sprintf("role %s -> %s", roleOf(before), x.Role)
		if len(offices) > 0 {
			detail += " of " + strings.Join(offices, ", ")
		}
		if err := o.saveUser(before, &u, detail, ""); err != nil {
			return User{}, err
		}
		return viewOf(u), nil
	}, nil
}

func roleOf(u lifecycle.User) Role {
	if u.Role == "" {
		return access.Member
	}
	return u.Role
}

// GrantRole sets a user's role. See [GrantRole].
func (s *Service) GrantRole(ctx context.Context, actor Actor, userID string, role Role, offices ...string) (User, error) {
	return Do(ctx, s, actor, GrantRole{UserID: userID, Role: role, Offices: offices})
}

// SetAnalytics grants or removes a live user's analytics permission (charting
// data, not call history). Only a company admin may.
type SetAnalytics struct {
	UserID string
	On     bool
}

// Spec implements Operation.
func (SetAnalytics) Spec() OpSpec { return specSetAnalytics }

func (x SetAnalytics) prepare(context.Context, *Service) (step[User], error) {
	return userStep(x.UserID, func(_ *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "set-analytics"); err != nil {
			return u, "", "", err
		}
		u.Analytics = x.On
		return u, fmt.Sprintf("analytics=%t", x.On), "", nil
	}), nil
}

// SetAnalytics grants or removes analytics. See [SetAnalytics].
func (s *Service) SetAnalytics(ctx context.Context, actor Actor, userID string, on bool) (User, error) {
	return Do(ctx, s, actor, SetAnalytics{UserID: userID, On: on})
}

// SetProxyAccess grants or revokes an admin's proxy access: the right to act
// as another user of its scope with that user's permissions. A company
// admin on an Advanced or Premium plan grants it.
type SetProxyAccess struct {
	UserID string
	On     bool
}

// Spec implements Operation.
func (SetProxyAccess) Spec() OpSpec { return specSetProxy }

func (x SetProxyAccess) prepare(context.Context, *Service) (step[User], error) {
	return userStep(x.UserID, func(o *op, u lifecycle.User) (lifecycle.User, string, string, error) {
		if err := requireLive(u, "set-proxy-access"); err != nil {
			return u, "", "", err
		}
		if x.On && roleOf(u) == access.Member {
			return u, "", "", errs.E(errs.Conflict, o.name, "user %s is a member; proxy access is granted to admins", u.ID)
		}
		u.Proxy = x.On
		return u, fmt.Sprintf("proxy=%t", x.On), "", nil
	}), nil
}

// SetProxyAccess grants or revokes proxy access. See [SetProxyAccess].
func (s *Service) SetProxyAccess(ctx context.Context, actor Actor, userID string, on bool) (User, error) {
	return Do(ctx, s, actor, SetProxyAccess{UserID: userID, On: on})
}

var specSendWelcomeEmail = declare("user.send-welcome-email", access.SetCredentials, true)

// SendWelcomeEmail asks the host, through the outbox, to send a live user
// with a login its welcome email (seed 002's bulk action). The email holds
// no secret; the host reads the address when it sends.
type SendWelcomeEmail struct{ UserID string }

// Spec implements Operation.
func (SendWelcomeEmail) Spec() OpSpec { return specSendWelcomeEmail }

func (x SendWelcomeEmail) prepare(context.Context, *Service) (step[User], error) {
	return func(o *op) (User, error) {
		u, err := o.userToActOn(x.UserID)
		if err != nil {
			return User{}, err
		}
		if err := requireLive(u, "send-welcome-email"); err != nil {
			return User{}, named(o, u.ID, err)
		}
		if u.Email == "" {
			return User{}, errs.E(errs.Conflict, o.name, "user %s has no email address to send to", u.ID)
		}
		o.emit(u.CompanyID, EventWelcomeEmail, u.ID, nil)
		return viewOf(u), o.audit(o.ctx, store.AuditRecord{CompanyID: u.CompanyID, TargetKind: "user", TargetID: u.ID, UserID: u.ID})
	}, nil
}

// SendWelcomeEmail queues a user's welcome email. See [SendWelcomeEmail].
func (s *Service) SendWelcomeEmail(ctx context.Context, actor Actor, userID string) (User, error) {
	return Do(ctx, s, actor, SendWelcomeEmail{UserID: userID})
}

var specResetAndRecycle = declare("user.reset-recycle", access.ResetUser, true, stagedAs[User, ResetAndRecycle]())

// ResetAndRecycle clears every field of a live user and gives the
// extension to a new person in one step (seed 002's bulk "reset and
// recycle"): the old person's login, role, grants, settings and devices
// go, the extension, numbers and seat stay, and the user is Password
// Required.
type ResetAndRecycle struct {
	UserID string
	Person Person
	Email  string
}

// Spec implements Operation.
func (ResetAndRecycle) Spec() OpSpec { return specResetAndRecycle }

func (x ResetAndRecycle) prepare(context.Context, *Service) (step[User], error) {
	email, err := recycleInput(x.Person, x.Email)
	if err != nil {
		return nil, err
	}
	return func(o *op) (User, error) {
		before, err := o.userToActOn(x.UserID)
		if err != nil {
			return User{}, err
		}
		// A full reset clears the password and email: credentials too.
		if err := o.authorizeAs(access.SetCredentials, userTarget(before)); err != nil {
			return User{}, err
		}
		cleared, err := before.Reset(lifecycle.FieldsAll)
		if err != nil {
			return User{}, named(o, before.ID, err)
		}
		if err := o.saveUserAs("user.reset", before, &cleared, "cleared "+describeFields(lifecycle.FieldsAll), ""); err != nil {
			return User{}, err
		}
		// The two halves are recorded as the lifecycle events they are, so
		// their effects (recording stops for the new person) apply.
		next, err := cleared.Recycle(x.Person, email)
		if err != nil {
			return User{}, named(o, before.ID, err)
		}
		if err := o.checkEmailFree(cleared.CompanyID, email, cleared.ID); err != nil {
			return User{}, err
		}
		if err := o.saveUserAs("user.recycle", cleared, &next, "", personalOf(next)); err != nil {
			return User{}, err
		}
		return viewOf(next), nil
	}, nil
}
