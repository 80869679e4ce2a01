package scim_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline"
)

// TestCompanyIsolation: a provisioning principal of company X gets 404 for
// every user of company Y, by every method, finds none of them by any
// filter or in its list, and changes nothing of theirs.
func TestCompanyIsolation(t *testing.T) {
	e := newEnv(t)
	// Y's users: one provisioned through SCIM, one made by Y's admin, and
	// Y's admin itself.
	r := e.do(e.y.token, "POST", "/scim/v2/Users", `{"userName":"yvonne","externalId":"y-ext-1",
		"name":{"givenName":"Yvonne","familyName":"Y"},"emails":[{"type":"work","value":"yvonne@y.example"}]}`).want(t, "Y creates Yvonne", 201)
	yvonne := r.str("id")
	yann, err := e.svc.CreateUser(e.ctx, e.y.admin, lifeline.NewUser{OfficeID: e.y.office.ID,
		Person: lifeline.Person{FirstName: "Yann", LastName: "Y"}, Email: "yann@y.example", Username: "yann"})
	if err != nil {
		t.Fatal(err)
	}
	// X has a user of its own, so its list is not empty by accident.
	r = e.do(e.x.token, "POST", "/scim/v2/Users", `{"userName":"xena","name":{"givenName":"Xena","familyName":"X"}}`).want(t, "X creates Xena", 201)
	xena := r.str("id")

	ys := []string{yvonne, yann.ID, e.y.admin.ID}
	before := map[string]lifeline.User{}
	for _, id := range ys {
		before[id] = e.user(e.y, id)
	}
	for _, id := range ys {
		for _, c := range []struct{ method, body string }{
			{"GET", ""},
			{"PUT", `{"userName":"stolen","name":{"givenName":"S","familyName":"S"},"active":false}`},
			{"PATCH", `{"Operations":[{"op":"replace","path":"active","value":false}]}`},
			{"PATCH", `{"Operations":[{"op":"replace","value":{"userName":"stolen","name.givenName":"S"}}]}`},
			{"DELETE", ""},
		} {
			what := fmt.Sprintf("X %s Y's user %s", c.method, id)
			e.do(e.x.token, c.method, "/scim/v2/Users/"+id, c.body).want(t, what, 404)
		}
	}
	for id, u := range before {
		if diff := cmp.Diff(u, e.user(e.y, id)); diff != "" {
			t.Errorf("Y's user %s changed by X's requests (-before +after):\n%s", id, diff)
		}
	}
	// No filter of X finds Y's users.
	for _, f := range []string{
		`userName eq "yvonne"`, `userName eq "yann"`, `externalId eq "y-ext-1"`,
		`emails[type eq "work"].value eq "yann@y.example"`, `emails[type eq "work"].value eq "admin@y.example"`,
	} {
		r = e.do(e.x.token, "GET", "/scim/v2/Users?filter="+url.QueryEscape(f), "").want(t, "X filters "+f, 200)
		if r.body["totalResults"] != 0.0 {
			t.Errorf("X's filter %s found Y's users: %s", f, r.raw)
		}
		// Y's own principal does find them, so the filter is not simply broken.
		r = e.do(e.y.token, "GET", "/scim/v2/Users?filter="+url.QueryEscape(f), "").want(t, "Y filters "+f, 200)
		if r.body["totalResults"] != 1.0 {
			t.Errorf("Y's filter %s: %s", f, r.raw)
		}
	}
	// X's list holds X's users only.
	r = e.do(e.x.token, "GET", "/scim/v2/Users?count=500", "").want(t, "X lists", 200)
	for _, res := range r.body["Resources"].([]any) {
		id := res.(map[string]any)["id"].(string)
		if id != xena && id != e.x.admin.ID {
			t.Errorf("X's list holds %s, which is not X's", id)
		}
	}
	if r.body["totalResults"] != 2.0 {
		t.Errorf("X's list: totalResults %v, want 2 (Xena and X's admin)", r.body["totalResults"])
	}
	// A principal trusted across companies is refused: the endpoint
	// serves one company per principal.
	e.do("global-token", "GET", "/scim/v2/Users", "").want(t, "a cross-company principal", 403)
	e.do("no-such-token", "GET", "/scim/v2/Users", "").want(t, "an unknown token", 401)
	// A lifeline user may be the principal: its company is its own.
	r = e.do("admin-token", "GET", "/scim/v2/Users/"+xena, "").want(t, "X's admin as principal", 200)
	e.do("admin-token", "GET", "/scim/v2/Users/"+yvonne, "").want(t, "X's admin reads Y's user", 404)
}
