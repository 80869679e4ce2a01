package scim

import (
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// The URNs of RFC 7643 and RFC 7644 the endpoint speaks.
const (
	urnUser         = "urn:ietf:params:scim:schemas:core:2.0:User"
	urnList         = "urn:ietf:params:scim:api:messages:2.0:ListResponse"
	urnPatch        = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
	urnError        = "urn:ietf:params:scim:api:messages:2.0:Error"
	urnSPConfig     = "urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig"
	urnResourceType = "urn:ietf:params:scim:schemas:core:2.0:ResourceType"
	urnSchema       = "urn:ietf:params:scim:schemas:core:2.0:Schema"
)

// userJSON is a User resource as the endpoint writes it.
type userJSON struct {
	Schemas     []string    `json:"schemas"`
	ID          string      `json:"id"`
	ExternalID  string      `json:"externalId,omitempty"`
	UserName    string      `json:"userName"`
	Name        *nameJSON   `json:"name,omitempty"`
	DisplayName string      `json:"displayName,omitempty"`
	Emails      []emailJSON `json:"emails,omitempty"`
	Active      bool        `json:"active"`
	Meta        metaJSON    `json:"meta"`
}

type nameJSON struct {
	Formatted  string `json:"formatted,omitempty"`
	GivenName  string `json:"givenName,omitempty"`
	FamilyName string `json:"familyName,omitempty"`
}

type emailJSON struct {
	Value   string `json:"value"`
	Type    string `json:"type"`
	Primary bool   `json:"primary"`
}

type metaJSON struct {
	ResourceType string `json:"resourceType"`
	Created      string `json:"created,omitempty"`
	LastModified string `json:"lastModified,omitempty"`
	Location     string `json:"location,omitempty"`
	Version      string `json:"version,omitempty"`
}

// visible reports whether a lifeline user is a SCIM User: a person who is
// Active, Password Required or Suspended. Deleted and anonymized users
// are not found; a Setup Required extension is a seat kept for a person
// to come, which no identity provider owns.
func visible(u lifeline.User) bool {
	switch u.State() {
	case lifecycle.Active, lifecycle.PasswordRequired, lifecycle.Suspended:
		return true
	}
	return false
}

// userName is the SCIM userName of u: its username, else its email, else
// its extension (a user made in an admin portal may have only that).
func userName(u lifeline.User) string {
	switch {
	case u.Username != "":
		return u.Username
	case u.Email != "":
		return u.Email
	}
	return u.Extension
}

// toJSON renders u; base is the URL of the endpoint, for meta.location.
func toJSON(u lifeline.User, base string) userJSON {
	j := userJSON{
		Schemas:    []string{urnUser},
		ID:         u.ID,
		ExternalID: u.ExternalID,
		UserName:   userName(u),
		Active:     u.State() != lifecycle.Suspended,
		Meta: metaJSON{
			ResourceType: "User",
			Created:      stamp(u.CreatedAt),
			LastModified: stamp(u.UpdatedAt),
			Location:     base + "/Users/" + u.ID,
			Version:      etag(u),
		},
	}
	if !u.Person.IsZero() {
		j.Name = &nameJSON{Formatted: u.Person.Full(), GivenName: u.Person.FirstName, FamilyName: u.Person.LastName}
		j.DisplayName = u.Person.Full()
	}
	if u.Email != "" {
		j.Emails = []emailJSON{{Value: u.Email, Type: "work", Primary: true}}
	}
	return j
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339Nano)
}

// desired is what a request asks a user to be, in SCIM's terms.
type desired struct {
	UserName   string
	GivenName  string
	FamilyName string
	// Email is the work (or primary) email.
	Email      string
	ExternalID string
	Active     bool
}

// desiredOf is what u is now.
func desiredOf(u lifeline.User) desired {
	return desired{
		UserName: userName(u), GivenName: u.Person.FirstName, FamilyName: u.Person.LastName,
		Email: u.Email, ExternalID: u.ExternalID, Active: u.State() != lifecycle.Suspended,
	}
}

// login splits a userName into lifeline's username and email: a userName
// that is a valid lifeline username is the username, and the work email
// is the email; a userName that is an email address is the email (and
// lifeline keeps one address per user, so a different work email is not
// kept). Anything else is refused.
func (d desired) login() (username, email string, err error) {
	switch {
	case d.UserName == "":
		return "", "", &scimError{status: 400, scimType: "invalidValue", detail: "userName is required"}
	case isUsername(d.UserName):
		return d.UserName, d.Email, nil
	case isAddress(d.UserName):
		return "", d.UserName, nil
	}
	return "", "", &scimError{status: 400, scimType: "invalidValue", detail: fmt.Sprintf(
		"userName %s is neither a username (1 to %d letters, digits, '.', '_' or '-') nor an email address", clipQuote(d.UserName), maxUsernameLen)}
}

// maxUsernameLen is lifeline's bound (lifecycle.MaxUsernameLen), repeated
// here because the endpoint depends only on the root package.
const maxUsernameLen = 64

func isUsername(s string) bool {
	if s == "" || len(s) > maxUsernameLen {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func isAddress(s string) bool {
	a, err := mail.ParseAddress(s)
	return err == nil && a.Name == "" && a.Address == s && strings.Contains(s[strings.LastIndexByte(s, '@')+1:], ".")
}

// object is a JSON object whose keys are matched without regard to case,
// as SCIM attribute names are (RFC 7643 section 2.1).
type object map[string]any

// fold returns m with lower-cased keys; of two keys differing only in
// case, the later one wins, as a JSON decoder would keep the later of two
// equal keys.
func fold(m map[string]any) object {
	o := make(object, len(m))
	for k, v := range m {
		o[strings.ToLower(k)] = v
	}
	return o
}

// decodeObject decodes a request body that must be a JSON object, in UTF-8,
// with no attribute named twice ([checkJSON]).
func decodeObject(body []byte) (object, error) {
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, &scimError{status: 400, scimType: "invalidSyntax", detail: "the body is not a JSON object"}
	}
	if err := checkJSON(body); err != nil {
		return nil, err
	}
	return fold(m), nil
}

func invalidValue(format string, args ...any) error {
	return &scimError{status: 400, scimType: "invalidValue", detail: fmt.Sprintf(format, args...)}
}

// asString reads a string attribute; null reads as "".
func asString(name string, v any) (string, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return v, nil
	}
	return "", invalidValue("%s must be a string", name)
}

// asBool reads a boolean the way identity providers send one: true and
// false, or the strings "True" and "False" in any case (Entra ID).
func asBool(name string, v any) (bool, error) {
	switch v := v.(type) {
	case bool:
		return v, nil
	case string:
		switch strings.ToLower(strings.TrimSpace(v)) {
		case "true":
			return true, nil
		case "false":
			return false, nil
		}
	}
	return false, invalidValue("%s must be true or false", name)
}

// setName sets the parts of a name object it holds.
func (d *desired) setName(v any) error {
	if v == nil {
		return invalidValue("name cannot be removed: lifeline keeps a first and last name for every person")
	}
	m, ok := v.(map[string]any)
	if !ok {
		return invalidValue("name must be an object")
	}
	for k, x := range fold(m) {
		switch k {
		case "givenname":
			s, err := asString("name.givenName", x)
			if err != nil {
				return err
			}
			d.GivenName = s
		case "familyname":
			s, err := asString("name.familyName", x)
			if err != nil {
				return err
			}
			d.FamilyName = s
		}
	}
	return nil
}

// pickEmail returns the email an emails array gives lifeline: the one of
// type work, else the primary one, else the first; "" for an empty array.
func pickEmail(v any) (string, error) {
	if v == nil {
		return "", nil
	}
	list, ok := v.([]any)
	if !ok {
		// A single email object is forgiven.
		if m, isObj := v.(map[string]any); isObj {
			list = []any{m}
		} else {
			return "", invalidValue("emails must be an array of objects")
		}
	}
	var work, primary, first string
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return "", invalidValue("emails[%d] must be an object", i)
		}
		e := fold(m)
		value, err := asString("emails.value", e["value"])
		if err != nil {
			return "", err
		}
		typ, _ := e["type"].(string)
		prim := false
		if p, ok := e["primary"]; ok && p != nil {
			if prim, err = asBool("emails.primary", p); err != nil {
				return "", err
			}
		}
		if first == "" {
			first = value
		}
		if prim && primary == "" {
			primary = value
		}
		if strings.EqualFold(typ, "work") && work == "" {
			work = value
		}
	}
	for _, e := range []string{work, primary, first} {
		if e != "" {
			return e, nil
		}
	}
	return "", nil
}

// fromResource reads a whole User resource (POST and PUT) into d. Read-only
// attributes (id, meta) and attributes lifeline does not keep are ignored.
func (d *desired) fromResource(o object) error {
	var err error
	if d.UserName, err = asString("userName", o["username"]); err != nil {
		return err
	}
	if v, ok := o["name"]; ok && v != nil {
		if err := d.setName(v); err != nil {
			return err
		}
	}
	if d.Email, err = pickEmail(o["emails"]); err != nil {
		return err
	}
	if d.ExternalID, err = asString("externalId", o["externalid"]); err != nil {
		return err
	}
	d.Active = true
	if v, ok := o["active"]; ok && v != nil {
		if d.Active, err = asBool("active", v); err != nil {
			return err
		}
	}
	return nil
}
