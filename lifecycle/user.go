package lifecycle

import (
	"maps"
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/text"
)

// Kind says how a user came to the account.
type Kind string

// The kinds of user of seed 001.
const (
	// Internal is a "user by username", created inside the organisation.
	Internal Kind = "internal"
	// External is a "user by email", invited to join.
	External Kind = "external"
)

// BillingClass decides how long a deleted user may be restored and how soon
// it must be purged.
type BillingClass string

// The billing classes.
const (
	Free BillingClass = "free"
	Paid BillingClass = "paid"
)

// Valid reports whether c is Free or Paid.
func (c BillingClass) Valid() bool { return c == Free || c == Paid }

// Person is who a user is.
type Person struct {
	FirstName string
	LastName  string
}

// Full returns "First Last", or "" for a cleared person.
func (p Person) Full() string { return strings.TrimSpace(p.FirstName + " " + p.LastName) }

// IsZero reports whether the person is cleared.
func (p Person) IsZero() bool { return p.FirstName == "" && p.LastName == "" }

// User is one user of a company, as stores keep it. Secrets are hashes only;
// the facade hashes them before a User is ever built.
type User struct {
	ID        string
	CompanyID string
	OfficeID  string
	// ParentID is the user this one is a sub-user of, if any.
	ParentID  string
	Kind      Kind
	Extension string
	Person    Person
	// Email is unique per company among users that are not anonymized; when
	// set it is the login id.
	Email    string
	Username string
	// ExternalID is the id an identity provider gives the user (SCIM's
	// externalId); "" when none provisions it. It names the person at the
	// provider, so it goes wherever the person goes.
	ExternalID string
	// PasswordHash and VoicemailPINHash are PHC-style hashes; "" means unset.
	PasswordHash     string
	VoicemailPINHash string
	Devices          []string
	Settings         map[string]string
	// Role is the user's administrative role ("" reads as a member) and
	// Offices the offices an office admin or manager is given. They belong
	// to the person: clearing the person clears them.
	Role    access.Role
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
	// HeldAtDeletion lists the numbers the deletion moved to the reserved
	// pool, so a restore can bring back exactly those.
	HeldAtDeletion []string
	// Version is the user's revision: 1 when created, one more on every
	// change the store writes. Staged change sets, ETags and If-Match
	// compare it to notice that the user changed since it was read.
	Version int64
}

// State is shorthand for u.Status.State.
func (u User) State() State { return u.Status.State }

// Clone returns a deep copy of u.
func (u User) Clone() User {
	u.Devices = slices.Clone(u.Devices)
	u.HeldAtDeletion = slices.Clone(u.HeldAtDeletion)
	u.Offices = slices.Clone(u.Offices)
	u.Settings = maps.Clone(u.Settings)
	return u
}

// Login returns the id the user logs in with: the email when set, else the username.
func (u User) Login() string {
	if u.Email != "" {
		return u.Email
	}
	return u.Username
}

// HasLogin reports whether the user has something to log in with: an email,
// a username, or — for an [Internal] user, since internal users of a PBX log
// in with extension and password — an extension. An [External] user, invited
// by email, has no extension login.
func (u User) HasLogin() bool {
	return u.Email != "" || u.Username != "" || (u.Kind == Internal && u.Extension != "")
}

// Reset clears fields (zero means all) and moves the user to the state the
// table gives. Extension, numbers and licenses stay, and so do the email,
// password, voicemail PIN and devices when not selected.
//
// Clearing the name clears the person: the username, the external id, the
// role and its offices, analytics, proxy access and every setting go with
// it, so nothing of the old person's login, rights or preferences
// survives into the Setup Required seat (a full reset clears the email,
// password, voicemail PIN and devices too). See the package doc for what
// belongs to the person and what to the extension.
//
// An [External] user logs in with its email, so clearing the email but not
// the name of an External user that would not end up Setup Required is
// refused with an [errs.Conflict] error: it would leave a live user with no
// login. Clear the name too, or set a new email instead.
func (u User) Reset(fields Fields) (User, error) {
	st, err := u.Status.ApplyReset(fields)
	if err != nil {
		return u, err
	}
	fields = fields.Normalize()
	next := st.State
	if next == Suspended {
		next = st.SuspendedFrom
	}
	if u.Kind == External && fields.Has(FieldEmail) && !fields.Has(FieldName) && next != SetupRequired {
		return u, errs.E(errs.Conflict, "lifecycle.User.Reset",
			"user %s was invited by email and logs in with it: clearing the email alone would leave it no login; clear the name too, or set a new email instead", u.ID).
			Say("This user was invited by email and signs in with it: clearing the email alone would leave them no way to sign in. Clear the name too, or set a new email instead.")
	}
	u = u.without(fields)
	u.Status = st
	return u, nil
}

// without returns a copy of u with the person's data that fields select
// cleared: the one list of what a reset clears, which a recycle applies
// whole (see the package doc, "The person and the extension"). The name
// stands for the person: with it go the username, the external id, the
// role and its offices, analytics, proxy access and the settings, none of
// which has a field of its own. Nothing of the extension — id, company,
// office, parent, kind, extension, billing class, status, timestamps — is
// touched.
func (u User) without(fields Fields) User {
	u = u.Clone()
	if fields.Has(FieldName) {
		u.Person = Person{}
		u.Username = ""
		u.ExternalID = ""
		u.Role, u.Offices, u.Analytics, u.Proxy = "", nil, false, false
		u.Settings = nil
	}
	if fields.Has(FieldEmail) {
		u.Email = ""
	}
	if fields.Has(FieldPassword) {
		u.PasswordHash = ""
	}
	if fields.Has(FieldVoicemailPIN) {
		u.VoicemailPINHash = ""
	}
	if fields.Has(FieldDevices) {
		u.Devices = nil
	}
	return u
}

// Recycle gives a Setup Required extension to a new person: first and last
// name are required, email is optional (recommended). The recycled user is a
// new person and is Password Required: it keeps nothing of the old login —
// no username, no external id, no password, no voicemail PIN, the given
// email or none — none of the old person's role, offices, analytics or
// proxy access, and none of its settings or devices: whatever a reset of
// every field clears, a recycle clears too, even when the reset that made
// the seat kept some of it. Without an email it becomes an [Internal]
// user, who logs in with its extension; with one it keeps its kind.
// Extension, numbers, licenses and billing class stay.
func (u User) Recycle(p Person, email string) (User, error) {
	if err := ValidatePerson(p); err != nil {
		return u, err
	}
	if email != "" {
		if err := ValidateEmail(email); err != nil {
			return u, err
		}
	}
	st, err := u.Status.Apply(EventRecycle)
	if err != nil {
		return u, err
	}
	u = u.without(FieldsAll)
	u.Person = p
	u.Email = email
	if email == "" {
		u.Kind = Internal
	}
	u.Status = st
	return u, nil
}

// Anonymize returns what is left of u after anonymization: ids, office,
// extension, billing class and timestamps stay so history and counts stay
// whole; everything personal is gone.
func (u User) Anonymize(now time.Time) User {
	return User{
		ID:        u.ID,
		CompanyID: u.CompanyID,
		OfficeID:  u.OfficeID,
		ParentID:  u.ParentID,
		Kind:      u.Kind,
		Extension: u.Extension,
		Billing:   u.Billing,
		Status:    Status{State: Anonymized},
		CreatedAt: u.CreatedAt,
		UpdatedAt: now,
		DeletedAt: u.DeletedAt,
		Version:   u.Version,
	}
}

// Limits on user fields. They keep a stray megabyte out of the store and are
// generous for any real name.
const (
	MaxNameLen     = 100
	MaxEmailLen    = 254
	MaxUsernameLen = 64
	// MaxExternalIDLen bounds an identity provider's id for a user (Entra
	// and Okta ids are 20–36 bytes).
	MaxExternalIDLen = 255
	MaxDevices       = 32
	MaxDeviceLen     = 128
	MaxSettings      = 64
	MaxSettingKey    = 64
	MaxSettingVal    = 1024
	MinPasswordLen   = 8
	MaxPasswordLen   = 256
)

func invalid(op, format string, args ...any) *errs.Error {
	return errs.E(errs.Invalid, op, format, args...)
}

// checkText is the shared text policy's check (internal/text.Check).
func checkText(op, what, v string, max int, required bool) error {
	return text.Check(op, what, v, max, required)
}

// ValidatePerson requires a first and a last name, each 1–100 bytes of
// text the shared text policy allows (no control, line-separator,
// bidirectional or other invisible characters; joiners only where a script
// or emoji needs them) without surrounding spaces.
func ValidatePerson(p Person) error {
	const op = "lifecycle.ValidatePerson"
	if err := checkText(op, "first name", p.FirstName, MaxNameLen, true); err != nil {
		return err
	}
	return checkText(op, "last name", p.LastName, MaxNameLen, true)
}

// ValidateEmail requires a bare address such as "ada@example.com": no
// display name, at most 254 bytes, a domain with a dot.
func ValidateEmail(email string) error {
	const op = "lifecycle.ValidateEmail"
	if err := checkText(op, "email", email, MaxEmailLen, true); err != nil {
		return err
	}
	a, err := mail.ParseAddress(email)
	if err != nil || a.Address != email || a.Name != "" {
		return invalid(op, "email %q is not a valid address", email).
			Say("%s is not a valid email address; write it as name@example.com.", errs.Quote(email))
	}
	at := strings.LastIndexByte(email, '@')
	if at < 1 || !strings.Contains(email[at+1:], ".") || strings.ContainsAny(email, " \"<>") {
		return invalid(op, "email %q is not a valid address", email).
			Say("%s is not a valid email address; write it as name@example.com.", errs.Quote(email))
	}
	return nil
}

// NormalizeEmail lower-cases the whole address, so that uniqueness checks
// and lookups see "Ada@Example.COM" and "ada@example.com" as one address.
// (RFC 5321 lets a mail server tell local parts apart by case; no mail
// system an admin meets does, and two logins differing only in case would
// be a trap.) In the rare case where lower-casing a non-ASCII letter would
// make the address longer than [MaxEmailLen], only ASCII letters are
// lower-cased, so the result stays valid and normalizing is stable.
func NormalizeEmail(email string) string {
	if lower := strings.ToLower(email); len(lower) <= MaxEmailLen || len(lower) <= len(email) {
		return lower
	}
	b := []byte(email)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ValidateUsername requires 1–64 characters of letters, digits, '.', '_' or '-'.
func ValidateUsername(name string) error {
	const op = "lifecycle.ValidateUsername"
	if err := checkText(op, "username", name, MaxUsernameLen, true); err != nil {
		return err
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-') {
			return invalid(op, "username may hold only letters, digits, '.', '_' and '-', not %q (%U)", r, r).
				Say("The username may hold only letters, digits, dots, underscores and hyphens, not %s.", errs.Quote(string(r)))
		}
	}
	return nil
}

// ValidateExternalID requires 1–255 bytes of printable UTF-8 without
// surrounding spaces: an identity provider's id for the user.
func ValidateExternalID(id string) error {
	return checkText("lifecycle.ValidateExternalID", "external id", id, MaxExternalIDLen, true)
}

// ValidateExtension requires 2–8 ASCII digits, the first not 0 (0 dials
// the operator on most systems, and no leading zero keeps numeric and text
// order the same).
func ValidateExtension(ext string) error {
	const op = "lifecycle.ValidateExtension"
	if len(ext) < 2 || len(ext) > 8 || !asciiDigits(ext) || ext[0] == '0' {
		if p := text.Problem(ext); p != "" {
			return invalid(op, "extension %s; it must be 2 to 8 digits, not starting with 0", p).
				Say("The extension must be 2 to 8 digits, not starting with 0.")
		}
		return invalid(op, "extension %q must be 2 to 8 digits, not starting with 0", ext).
			Say("The extension %s must be 2 to 8 digits, not starting with 0.", errs.Quote(ext))
	}
	return nil
}

// ValidateVoicemailPIN requires 4–12 ASCII digits.
func ValidateVoicemailPIN(pin string) error {
	if len(pin) < 4 || len(pin) > 12 || !asciiDigits(pin) {
		return invalid("lifecycle.ValidateVoicemailPIN", "voicemail PIN must be 4 to 12 digits").
			Say("The voicemail PIN must be 4 to 12 digits.")
	}
	return nil
}

// ValidatePassword requires 8–256 bytes of valid UTF-8. The password itself
// never appears in the error.
func ValidatePassword(pw string) error {
	const op = "lifecycle.ValidatePassword"
	switch {
	case len(pw) < MinPasswordLen:
		return invalid(op, "password is shorter than %d bytes", MinPasswordLen).
			Say("The password is too short: use at least %d characters.", MinPasswordLen)
	case len(pw) > MaxPasswordLen:
		return invalid(op, "password is longer than %d bytes", MaxPasswordLen).
			Say("The password is too long: use at most %d characters.", MaxPasswordLen)
	case !utf8.ValidString(pw):
		return invalid(op, "password is not valid UTF-8").
			Say("The password is not valid text.")
	}
	return nil
}

// ValidateDevices allows up to 32 device labels (a MAC, a SIP URI, a model
// name), each 1–128 bytes of printable text, without duplicates.
func ValidateDevices(devices []string) error {
	const op = "lifecycle.ValidateDevices"
	if len(devices) > MaxDevices {
		return invalid(op, "%d devices; at most %d allowed", len(devices), MaxDevices).
			Say("A user can have at most %d devices, not %d.", MaxDevices, len(devices))
	}
	seen := map[string]bool{}
	for _, d := range devices {
		if err := checkText(op, "device", d, MaxDeviceLen, true); err != nil {
			return err
		}
		if seen[d] {
			return invalid(op, "device %q is listed twice", d).
				Say("The device %s is listed twice.", errs.Quote(d))
		}
		seen[d] = true
	}
	return nil
}

// ValidateSettings allows up to 64 settings with keys of letters, digits,
// '.', '_' and '-' (1–64 bytes) and printable values (the shared text
// policy, which refuses control characters such as NUL and ESC) up to 1024
// bytes. A value may be empty.
func ValidateSettings(settings map[string]string) error {
	const op = "lifecycle.ValidateSettings"
	if len(settings) > MaxSettings {
		return invalid(op, "%d settings; at most %d allowed", len(settings), MaxSettings).
			Say("A user can have at most %d settings, not %d.", MaxSettings, len(settings))
	}
	for _, k := range slices.Sorted(maps.Keys(settings)) { // sorted: the same input gives the same message
		if err := checkText(op, "setting key", k, MaxSettingKey, true); err != nil {
			return err
		}
		for _, r := range k {
			if !(r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-')) {
				return invalid(op, "setting key may hold only ASCII letters, digits, '.', '_' and '-', not %q (%U)", r, r).
					Say("A setting's name may hold only letters A to Z, digits, dots, underscores and hyphens, not %s.", errs.Quote(string(r)))
			}
		}
		v := settings[k]
		if len(v) > MaxSettingVal {
			return invalid(op, "setting %q: value is %d bytes long; at most %d allowed", k, len(v), MaxSettingVal).
				Say("The value of the setting %s is too long: it can be at most %d characters.", errs.Quote(k), MaxSettingVal)
		}
		if p := text.Problem(v); p != "" {
			return invalid(op, "setting %q: value %s", k, p).
				Say("The value of the setting %s %s.", errs.Quote(k), text.PeopleProblem(v))
		}
	}
	return nil
}

func asciiDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}
