package scim_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// The request sequences below are those of the providers' public
// documentation, replayed in order against the endpoint:
//
//   - Microsoft Entra ID: "Tutorial: Develop and plan provisioning for a
//     SCIM endpoint in Microsoft Entra ID" (learn.microsoft.com, section
//     "User Operations": Create User, Get User by query, Get User by query
//     - Zero results, Update User [Multi-valued properties], Update User
//     [Single-valued properties], Disable User, Delete User), plus the
//     string form "False" of its PATCH deactivation, which Entra sends
//     unless the app is created with the aadOptscim062020 flag.
//   - Okta: "Okta and SCIM Version 2.0" (developer.okta.com, "SCIM User
//     operations": the userName lookup with startIndex and count, Create,
//     Retrieve, Update (PUT), Update a specific User (PATCH) to deactivate
//     and reactivate with a path-less value map).
//
// Ids and timestamps in the documents are the providers' examples; the
// endpoint's own ids are substituted where a later request names one.

func TestEntraSequence(t *testing.T) {
	e := newEnv(t)
	tok := e.x.token

	// Entra's "Test connection" and its lookup before a create: a userName
	// that does not exist is an empty ListResponse, never an error.
	r := e.do(tok, "GET", "/scim/v2/Users?filter="+url.QueryEscape(`userName eq "non-existent user"`), "").want(t, "lookup of a missing user", 200)
	if r.body["totalResults"] != 0.0 || len(r.body["Resources"].([]any)) != 0 || r.body["startIndex"] != 1.0 || r.body["itemsPerPage"] != 0.0 {
		t.Errorf("empty lookup: %s", r.raw)
	}

	create := `{
		"schemas": [
			"urn:ietf:params:scim:schemas:core:2.0:User",
			"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"userName": "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
		"active": true,
		"emails": [{
			"primary": true,
			"type": "work",
			"value": "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"
		}],
		"meta": {
			"resourceType": "User"
		},
		"name": {
			"formatted": "givenName familyName",
			"familyName": "familyName",
			"givenName": "givenName"
		},
		"roles": []
	}`
	r = e.do(tok, "POST", "/scim/v2/Users", create).want(t, "Create User", 201)
	id := r.str("id")
	for path, want := range map[string]string{
		"userName":        "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1",
		"externalId":      "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef",
		"name.givenName":  "givenName",
		"name.familyName": "familyName",
		"emails.0.value":  "test_user_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com",
		"emails.0.type":   "work",
		"meta.location":   "http://idp.test/scim/v2/Users/" + id,
	} {
		if got := r.str(path); got != want {
			t.Errorf("Create User: %s = %q, want %q", path, got, want)
		}
	}
	if r.body["active"] != true || r.header.Get("Location") != r.str("meta.location") || r.header.Get("ETag") == "" || r.header.Get("ETag") != r.str("meta.version") {
		t.Errorf("Create User: active, Location or ETag wrong: %v %v\n%s", r.header, r.body["active"], r.raw)
	}
	if u := e.user(e.x, id); u.State() != lifecycle.PasswordRequired || u.Username != "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1" || u.ExternalID != "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef" {
		t.Errorf("lifeline user after Create User: %+v", u)
	}

	// A second create of the same userName (Entra retries) is 409 uniqueness.
	r = e.do(tok, "POST", "/scim/v2/Users", create).want(t, "Create User again", 409)
	if r.str("scimType") != "uniqueness" {
		t.Errorf("duplicate create: scimType %q, want uniqueness", r.str("scimType"))
	}

	// Get User by query, in each form Entra uses to match.
	for _, f := range []string{
		`userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1"`,
		`userName eq "test_user_ab6490ee-1e48-479e-a20b-2d77186b5dd1"`, // userName is case-insensitive
		`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
		`emails[type eq "work"].value eq "Test_User_fd0ea19b-0777-472c-9f96-4f70d2226f2e@testuser.com"`,
		`userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1" and externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`,
	} {
		r = e.do(tok, "GET", "/scim/v2/Users?filter="+url.QueryEscape(f), "").want(t, f, 200)
		if r.body["totalResults"] != 1.0 || r.str("Resources.0.id") != id {
			t.Errorf("filter %s: %s", f, r.raw)
		}
	}
	for _, f := range []string{
		`externalId eq "0A21F0F2-8D2A-4F8E-BF98-7363C4AED4EF"`, // externalId is case-exact
		`userName eq "Test_User_ab6490ee-1e48-479e-a20b-2d77186b5dd1" and externalId eq "someone-else"`,
	} {
		r = e.do(tok, "GET", "/scim/v2/Users?filter="+url.QueryEscape(f), "").want(t, f, 200)
		if r.body["totalResults"] != 0.0 {
			t.Errorf("filter %s matched: %s", f, r.raw)
		}
	}

	// Update User [Multi-valued properties].
	r = e.do(tok, "PATCH", "/scim/v2/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [
			{
				"op": "Replace",
				"path": "emails[type eq \"work\"].value",
				"value": "updatedEmail@microsoft.com"
			},
			{
				"op": "Replace",
				"path": "name.familyName",
				"value": "updatedFamilyName"
			}
		]
	}`).want(t, "Update User [Multi-valued properties]", 200)
	if r.str("emails.0.value") != "updatedemail@microsoft.com" || r.str("name.familyName") != "updatedFamilyName" {
		t.Errorf("after the multi-valued update: %s", r.raw)
	}

	// Update User [Single-valued properties]: the userName becomes an
	// address, so it is the user's email (lifeline keeps one).
	r = e.do(tok, "PATCH", "/scim/v2/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{
			"op": "Replace",
			"path": "userName",
			"value": "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com"
		}]
	}`).want(t, "Update User [Single-valued properties]", 200)
	if r.str("userName") != "5b50642d-79fc-4410-9e90-4c077cdd1a59@testuser.com" {
		t.Errorf("after the single-valued update: %s", r.raw)
	}

	// Disable User, in the string form first (Entra's default), then
	// re-enable and disable in the boolean form.
	for i, v := range []string{`"False"`, `"True"`, `false`} {
		r = e.do(tok, "PATCH", "/scim/v2/Users/"+id, `{
			"Operations": [{"op": "Replace", "path": "active", "value": `+v+`}],
			"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"]
		}`).want(t, "Disable User "+v, 200)
		wantActive := i == 1
		if r.body["active"] != wantActive {
			t.Errorf("after active %s: active %v", v, r.body["active"])
		}
		wantState := lifecycle.Suspended
		if wantActive {
			wantState = lifecycle.PasswordRequired
		}
		if got := e.user(e.x, id).State(); got != wantState {
			t.Errorf("after active %s: lifeline state %s, want %s", v, got, wantState)
		}
	}
	// A suspended user stays readable and findable.
	e.do(tok, "GET", "/scim/v2/Users/"+id, "").want(t, "GET of a disabled user", 200)
	r = e.do(tok, "GET", "/scim/v2/Users?filter="+url.QueryEscape(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "").want(t, "lookup of a disabled user", 200)
	if r.body["totalResults"] != 1.0 || r.body["Resources"].([]any)[0].(map[string]any)["active"] != false {
		t.Errorf("lookup of a disabled user: %s", r.raw)
	}

	// Delete User: lifeline's delete with its restore window, then 404.
	r = e.do(tok, "DELETE", "/scim/v2/Users/"+id, "").want(t, "Delete User", 204)
	if r.raw != "" {
		t.Errorf("Delete User: body %q, want none", r.raw)
	}
	e.do(tok, "GET", "/scim/v2/Users/"+id, "").want(t, "GET after Delete User", 404)
	e.do(tok, "DELETE", "/scim/v2/Users/"+id, "").want(t, "Delete User again", 404)
	r = e.do(tok, "GET", "/scim/v2/Users?filter="+url.QueryEscape(`externalId eq "0a21f0f2-8d2a-4f8e-bf98-7363c4aed4ef"`), "").want(t, "lookup after Delete User", 200)
	if r.body["totalResults"] != 0.0 {
		t.Errorf("a deleted user is still found: %s", r.raw)
	}
	if u := e.user(e.x, id); u.State() != lifecycle.Deleted || u.RestoreUntil.IsZero() {
		t.Errorf("lifeline user after Delete User: state %s, restore until %v; want Deleted with a restore window", u.State(), u.RestoreUntil)
	}
	// The audit trail names the provisioning principal.
	audit, err := e.svc.ListAudit(e.ctx, e.x.admin, lifeline.AuditQuery{CompanyID: e.x.company.ID, UserID: id})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, a := range audit {
		if a.ActorID != "system:scim-x-token" {
			t.Errorf("audit record %s by %q, want system:scim-x-token", a.Action, a.ActorID)
		}
		actions = append(actions, a.Action)
	}
	if want := "user.create user.update user.update user.suspend user.reinstate user.suspend user.delete"; strings.Join(actions, " ") != want {
		t.Errorf("audit actions %q, want %q", strings.Join(actions, " "), want)
	}
}

func TestOktaSequence(t *testing.T) {
	e := newEnv(t)
	tok := e.y.token

	// Okta looks the user up by userName before creating it.
	lookup := "/scim/v2/Users?filter=userName%20eq%20%22test.user%40okta.local%22&startIndex=1&count=100"
	r := e.do(tok, "GET", lookup, "").want(t, "Okta lookup before create", 200)
	if r.body["totalResults"] != 0.0 || r.body["startIndex"] != 1.0 {
		t.Errorf("Okta lookup before create: %s", r.raw)
	}

	r = e.do(tok, "POST", "/scim/v2/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"userName": "test.user@okta.local",
		"name": {
			"givenName": "Test",
			"familyName": "User"
		},
		"emails": [{
			"primary": true,
			"value": "test.user@okta.local",
			"type": "work"
		}],
		"displayName": "Test User",
		"locale": "en-US",
		"externalId": "00ujl29u0le5T6Aj10h7",
		"groups": [],
		"password": "1mz050nq",
		"active": true
	}`).want(t, "Okta create", 201)
	id := r.str("id")
	if r.str("userName") != "test.user@okta.local" || r.str("externalId") != "00ujl29u0le5T6Aj10h7" || r.str("displayName") != "Test User" {
		t.Errorf("Okta create: %s", r.raw)
	}
	if u := e.user(e.y, id); u.Email != "test.user@okta.local" || u.Username != "" || u.HasPassword {
		t.Errorf("lifeline user after Okta create: email %q, username %q, has password %v (Okta's password is not kept)", u.Email, u.Username, u.HasPassword)
	}

	r = e.do(tok, "GET", lookup, "").want(t, "Okta lookup after create", 200)
	if r.body["totalResults"] != 1.0 || r.str("Resources.0.id") != id {
		t.Errorf("Okta lookup after create: %s", r.raw)
	}
	e.do(tok, "GET", "/scim/v2/Users/"+id, "").want(t, "Okta retrieve", 200)

	// Update (PUT): the whole profile, with the new name.
	r = e.do(tok, "PUT", "/scim/v2/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User"],
		"id": "`+id+`",
		"userName": "test.user@okta.local",
		"name": {
			"givenName": "Another",
			"middleName": "",
			"familyName": "User"
		},
		"emails": [{
			"primary": true,
			"value": "test.user@okta.local",
			"type": "work"
		}],
		"displayName": "Another User",
		"locale": "en-US",
		"externalId": "00ujl29u0le5T6Aj10h7",
		"groups": [],
		"active": true,
		"meta": {"resourceType": "User"}
	}`).want(t, "Okta PUT", 200)
	if r.str("name.givenName") != "Another" || r.body["active"] != true || r.str("externalId") != "00ujl29u0le5T6Aj10h7" {
		t.Errorf("after Okta PUT: %s", r.raw)
	}

	// Deactivate and reactivate: a path-less replace with a value map.
	for _, active := range []bool{false, true} {
		v := "false"
		if active {
			v = "true"
		}
		r = e.do(tok, "PATCH", "/scim/v2/Users/"+id, `{
			"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
			"Operations": [{
				"op": "replace",
				"value": {
					"active": `+v+`
				}
			}]
		}`).want(t, "Okta PATCH active "+v, 200)
		if r.body["active"] != active || r.str("id") != id {
			t.Errorf("after Okta PATCH active %s: %s", v, r.raw)
		}
		want := lifecycle.Suspended
		if active {
			want = lifecycle.PasswordRequired
		}
		if got := e.user(e.y, id).State(); got != want {
			t.Errorf("after Okta PATCH active %s: lifeline state %s, want %s", v, got, want)
		}
	}
}
