package scim

import (
	"net/http"
	"strings"
)

// The discovery endpoints of RFC 7644 section 4 describe exactly what the
// endpoint does: Users only, PATCH, filters (the three forms of
// [parseFilter]), ETags; no bulk, sort, password change or groups.

type supported struct {
	Supported bool `json:"supported"`
}

type spConfigJSON struct {
	Schemas          []string  `json:"schemas"`
	DocumentationURI string    `json:"documentationUri,omitempty"`
	Patch            supported `json:"patch"`
	Bulk             struct {
		Supported      bool `json:"supported"`
		MaxOperations  int  `json:"maxOperations"`
		MaxPayloadSize int  `json:"maxPayloadSize"`
	} `json:"bulk"`
	Filter struct {
		Supported  bool `json:"supported"`
		MaxResults int  `json:"maxResults"`
	} `json:"filter"`
	ChangePassword supported    `json:"changePassword"`
	Sort           supported    `json:"sort"`
	ETag           supported    `json:"etag"`
	AuthSchemes    []authScheme `json:"authenticationSchemes"`
	Meta           metaJSON     `json:"meta"`
}

type authScheme struct {
	Type        string `json:"type"`
	Name        string `json:"name"`
	Description string `json:"description"`
	Primary     bool   `json:"primary"`
}

func (h *handler) serviceProviderConfig(w http.ResponseWriter, r *request) error {
	c := spConfigJSON{Schemas: []string{urnSPConfig}}
	c.Patch.Supported = true
	c.Filter.Supported, c.Filter.MaxResults = true, MaxCount
	c.ETag.Supported = true
	c.AuthSchemes = []authScheme{{
		Type: "oauthbearertoken", Name: "OAuth Bearer Token", Primary: true,
		Description: "Authentication is the host's: it maps each request to a provisioning principal of one company.",
	}}
	c.Meta = metaJSON{ResourceType: "ServiceProviderConfig", Location: base(r.Request) + "/ServiceProviderConfig"}
	writeJSON(w, http.StatusOK, c)
	return nil
}

type resourceTypeJSON struct {
	Schemas     []string `json:"schemas"`
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Endpoint    string   `json:"endpoint"`
	Description string   `json:"description"`
	Schema      string   `json:"schema"`
	Meta        metaJSON `json:"meta"`
}

func userType(b string) resourceTypeJSON {
	return resourceTypeJSON{
		Schemas: []string{urnResourceType}, ID: "User", Name: "User", Endpoint: "/Users",
		Description: "A person with a phone line in lifeline", Schema: urnUser,
		Meta: metaJSON{ResourceType: "ResourceType", Location: b + "/ResourceTypes/User"},
	}
}

func (h *handler) resourceTypes(w http.ResponseWriter, r *request) error {
	writeJSON(w, http.StatusOK, listJSON{Schemas: []string{urnList}, TotalResults: 1, StartIndex: 1, ItemsPerPage: 1,
		Resources: []any{userType(base(r.Request))}})
	return nil
}

func (h *handler) resourceType(w http.ResponseWriter, r *request) error {
	if !strings.EqualFold(r.id, "User") {
		return &scimError{status: http.StatusNotFound, detail: "the only resource type is User"}
	}
	writeJSON(w, http.StatusOK, userType(base(r.Request)))
	return nil
}

type attrJSON struct {
	Name          string     `json:"name"`
	Type          string     `json:"type"`
	MultiValued   bool       `json:"multiValued"`
	Description   string     `json:"description"`
	Required      bool       `json:"required"`
	CaseExact     bool       `json:"caseExact"`
	Mutability    string     `json:"mutability"`
	Returned      string     `json:"returned"`
	Uniqueness    string     `json:"uniqueness"`
	SubAttributes []attrJSON `json:"subAttributes,omitempty"`
}

type schemaJSON struct {
	Schemas     []string   `json:"schemas"`
	ID          string     `json:"id"`
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Attributes  []attrJSON `json:"attributes"`
	Meta        metaJSON   `json:"meta"`
}

func str(name, desc string, required, caseExact bool, mutability, uniqueness string) attrJSON {
	return attrJSON{Name: name, Type: "string", Description: desc, Required: required, CaseExact: caseExact,
		Mutability: mutability, Returned: "default", Uniqueness: uniqueness}
}

// userSchema lists the attributes lifeline keeps; the package doc's
// mapping table says where each goes.
func userSchema(b string) schemaJSON {
	return schemaJSON{
		Schemas: []string{urnSchema}, ID: urnUser, Name: "User", Description: "User Account (the attributes lifeline keeps)",
		Attributes: []attrJSON{
			str("userName", "The lifeline username, or the email when it is an address.", true, false, "readWrite", "server"),
			str("externalId", "The identity provider's id for the user.", false, true, "readWrite", "none"),
			{Name: "name", Type: "complex", Description: "The person's name.", Mutability: "readWrite", Returned: "default", Uniqueness: "none",
				SubAttributes: []attrJSON{
					str("givenName", "First name.", true, false, "readWrite", "none"),
					str("familyName", "Last name.", true, false, "readWrite", "none"),
					str("formatted", "First and last name.", false, false, "readOnly", "none"),
				}},
			str("displayName", "First and last name.", false, false, "readOnly", "none"),
			{Name: "emails", Type: "complex", MultiValued: true, Description: "The user's one email, of type work.", Mutability: "readWrite", Returned: "default", Uniqueness: "none",
				SubAttributes: []attrJSON{
					str("value", "The address.", false, false, "readWrite", "server"),
					str("type", "Always work.", false, false, "readWrite", "none"),
					{Name: "primary", Type: "boolean", Description: "Always true.", Mutability: "readWrite", Returned: "default", Uniqueness: "none"},
				}},
			{Name: "active", Type: "boolean", Description: "False while the user is suspended.", Mutability: "readWrite", Returned: "default", Uniqueness: "none"},
		},
		Meta: metaJSON{ResourceType: "Schema", Location: b + "/Schemas/" + urnUser},
	}
}

func (h *handler) schemas(w http.ResponseWriter, r *request) error {
	writeJSON(w, http.StatusOK, listJSON{Schemas: []string{urnList}, TotalResults: 1, StartIndex: 1, ItemsPerPage: 1,
		Resources: []any{userSchema(base(r.Request))}})
	return nil
}

func (h *handler) schema(w http.ResponseWriter, r *request) error {
	if r.id != urnUser {
		return &scimError{status: http.StatusNotFound, detail: "the only schema is " + urnUser}
	}
	writeJSON(w, http.StatusOK, userSchema(base(r.Request)))
	return nil
}
