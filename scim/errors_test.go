package scim_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/lifecycle"
)

// developerText is what a detail for an identity provider's log never
// shows: a Go package-qualified name (access.Authorize), an operation name
// followed by a colon (user.create:) or a lifeline id (usr_ and hex).
var developerText = regexp.MustCompile(`\b[a-z][a-z0-9]*\.[A-Z]\w*|\b[a-z]+\.[a-z-]+: |\b[a-z]{2,6}_[0-9a-f]{6,}`)

// TestRefusals: every refusal has its status and scimType, as a SCIM Error
// resource, and changes nothing.
func TestRefusals(t *testing.T) {
	e := newEnv(t)
	tok := e.x.token
	r := e.do(tok, "POST", "/scim/v2/Users", `{"userName":"carol","name":{"givenName":"Carol","familyName":"C"},"emails":[{"type":"work","value":"carol@x.example"}]}`).want(t, "create Carol", 201)
	carol := r.str("id")
	stale := r.header.Get("ETag")
	r = e.do(tok, "PATCH", "/scim/v2/Users/"+carol, `{"Operations":[{"op":"add","path":"externalId","value":"c-1"}]}`).want(t, "change Carol", 200)
	etag := r.header.Get("ETag")
	if etag == stale || etag != `W/"2"` {
		t.Fatalf("ETag after one change: %s (was %s), want W/\"2\"", etag, stale)
	}
	users := "/scim/v2/Users"
	filter := func(f string) string { return users + "?filter=" + url.QueryEscape(f) }
	valid := `{"userName":"dave","name":{"givenName":"Dave","familyName":"D"}}`

	for _, c := range []struct {
		name           string
		method, path   string
		body           string
		hdr            []string
		status         int
		scimType       string
		detailContains string
	}{
		{"wrong media type", "POST", users, valid, []string{"Content-Type", "text/plain"}, 400, "invalidSyntax", "application/scim+json"},
		{"malformed media type", "POST", users, valid, []string{"Content-Type", ";;;"}, 400, "invalidSyntax", ""},
		{"not JSON", "POST", users, `{"userName":`, nil, 400, "invalidSyntax", "not a JSON object"},
		{"a JSON array", "POST", users, `[1,2]`, nil, 400, "invalidSyntax", ""},
		{"JSON null", "POST", users, `null`, nil, 400, "invalidSyntax", ""},
		{"oversized body", "POST", users, `{"userName":"` + strings.Repeat("a", 70<<10) + `"}`, nil, 413, "", "longer than"},
		{"no userName", "POST", users, `{"name":{"givenName":"A","familyName":"B"}}`, nil, 400, "invalidValue", "userName is required"},
		{"userName not a string", "POST", users, `{"userName":42,"name":{"givenName":"A","familyName":"B"}}`, nil, 400, "invalidValue", "userName must be a string"},
		{"userName neither username nor address", "POST", users, `{"userName":"a b","name":{"givenName":"A","familyName":"B"}}`, nil, 400, "invalidValue", "neither a username"},
		{"no name (lifeline needs a person)", "POST", users, `{"userName":"nameless"}`, nil, 400, "invalidValue", "first name"},
		{"active not a boolean", "POST", users, `{"userName":"x1","name":{"givenName":"A","familyName":"B"},"active":"maybe"}`, nil, 400, "invalidValue", "active must be true or false"},
		{"taken userName", "POST", users, `{"userName":"CAROL","name":{"givenName":"A","familyName":"B"}}`, nil, 409, "uniqueness", "already taken"},
		{"taken email", "POST", users, `{"userName":"carol2","name":{"givenName":"A","familyName":"B"},"emails":[{"value":"Carol@X.example"}]}`, nil, 409, "uniqueness", ""},
		{"bad external id", "POST", users, `{"userName":"ext","externalId":" padded ","name":{"givenName":"A","familyName":"B"}}`, nil, 400, "invalidValue", "external id"},

		{"filter on another attribute", "GET", filter(`displayName eq "Carol C"`), "", nil, 400, "invalidFilter", "displayName"},
		{"filter with another operator", "GET", filter(`userName co "car"`), "", nil, 400, "invalidFilter", "co"},
		{"filter with or", "GET", filter(`userName eq "a" or userName eq "b"`), "", nil, 400, "invalidFilter", ""},
		{"filter with parentheses", "GET", filter(`(userName eq "a")`), "", nil, 400, "invalidFilter", ""},
		{"filter with a number", "GET", filter(`userName eq 42`), "", nil, 400, "invalidFilter", "string"},
		{"filter of a home email", "GET", filter(`emails[type eq "home"].value eq "a@b.c"`), "", nil, 400, "invalidFilter", "work"},
		{"filter garbage", "GET", users + "?filter=!!!invalid_filter!!!", "", nil, 400, "invalidFilter", ""},
		{"filter unterminated", "GET", filter(`userName eq "carol`), "", nil, 400, "invalidFilter", "not closed"},
		{"count not a number", "GET", users + "?count=ten", "", nil, 400, "invalidValue", "count"},
		{"startIndex not a number", "GET", users + "?startIndex=1.5", "", nil, 400, "invalidValue", "startIndex"},

		{"PATCH without Operations", "PATCH", users + "/" + carol, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"]}`, nil, 400, "invalidSyntax", "Operations"},
		{"PATCH with an unknown op", "PATCH", users + "/" + carol, `{"Operations":[{"op":"frobnicate","path":"active","value":true}]}`, nil, 400, "invalidSyntax", "frobnicate"},
		{"PATCH remove without path", "PATCH", users + "/" + carol, `{"Operations":[{"op":"remove"}]}`, nil, 400, "noTarget", ""},
		{"PATCH remove of userName", "PATCH", users + "/" + carol, `{"Operations":[{"op":"remove","path":"userName"}]}`, nil, 400, "invalidValue", ""},
		{"PATCH remove of the name", "PATCH", users + "/" + carol, `{"Operations":[{"op":"remove","path":"name.givenName"}]}`, nil, 400, "invalidValue", "name"},
		{"PATCH with an unclosed filter", "PATCH", users + "/" + carol, `{"Operations":[{"op":"replace","path":"emails[type eq \"work\".value","value":"a@b.c"}]}`, nil, 400, "invalidPath", ""},
		{"PATCH path-less with a string", "PATCH", users + "/" + carol, `{"Operations":[{"op":"replace","value":"x"}]}`, nil, 400, "invalidValue", ""},
		{"PATCH with a bad email", "PATCH", users + "/" + carol, `{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"not an address"}]}`, nil, 400, "invalidValue", ""},
		{"PATCH with a stale If-Match", "PATCH", users + "/" + carol, `{"Operations":[{"op":"replace","path":"active","value":false}]}`, []string{"If-Match", stale}, 412, "", "has changed"},
		{"PUT with a stale If-Match", "PUT", users + "/" + carol, valid, []string{"If-Match", stale}, 412, "", ""},
		{"DELETE with a stale If-Match", "DELETE", users + "/" + carol, "", []string{"If-Match", stale}, 412, "", ""},
		{"missing user", "GET", users + "/usr_nobody", "", nil, 404, "", "does not exist"},
		{"an id lifeline refuses", "GET", users + "/" + url.PathEscape(strings.Repeat("z", 300)), "", nil, 404, "", ""},
		{"PATCH of a missing user", "PATCH", users + "/usr_nobody", `{"Operations":[{"op":"replace","path":"active","value":false}]}`, nil, 404, "", ""},
		{"unknown endpoint", "GET", "/scim/v2/Groups", "", nil, 404, "", ""},
		{"method not allowed", "DELETE", users, "", nil, 405, "", ""},
		{"unknown resource type", "GET", "/scim/v2/ResourceTypes/Group", "", nil, 404, "", ""},
		{"unknown schema", "GET", "/scim/v2/Schemas/urn:x", "", nil, 404, "", ""},
	} {
		t.Run(c.name, func(t *testing.T) {
			before := e.user(e.x, carol)
			r := e.do(tok, c.method, c.path, c.body, c.hdr...).want(t, c.name, c.status)
			if got := r.str("scimType"); got != c.scimType {
				t.Errorf("scimType %q, want %q\n%s", got, c.scimType, r.raw)
			}
			if !strings.Contains(r.str("detail"), c.detailContains) {
				t.Errorf("detail %q does not say %q", r.str("detail"), c.detailContains)
			}
			if m := developerText.FindString(r.str("detail")); m != "" {
				t.Errorf("detail %q shows developer detail %q: it must be the message for people", r.str("detail"), m)
			}
			if len(r.raw) > 2048 {
				t.Errorf("the error body is %d bytes: it should echo at most a short prefix of the input", len(r.raw))
			}
			if after := e.user(e.x, carol); after.UpdatedAt != before.UpdatedAt || after.State() != before.State() {
				t.Errorf("a refused request changed Carol")
			}
		})
	}

	// The operations of one PATCH are one transaction: Carol, suspended,
	// is reinstated and given an address another user holds; the address
	// is refused, and the reinstatement with it.
	e.do(tok, "PATCH", users+"/"+carol, `{"Operations":[{"op":"replace","path":"active","value":false}]}`).want(t, "suspend Carol", 200)
	r = e.do(tok, "PATCH", users+"/"+carol, `{"Operations":[{"op":"replace","path":"active","value":true},{"op":"replace","path":"emails[type eq \"work\"].value","value":"admin@x.example"}]}`).want(t, "reinstate Carol with a taken address", 409)
	if u := e.user(e.x, carol); u.State() != lifecycle.Suspended || u.Email != "carol@x.example" {
		t.Errorf("a refused PATCH left Carol %s with %q: its first operation was not rolled back", u.State(), u.Email)
	}
	r = e.do(tok, "PATCH", users+"/"+carol, `{"Operations":[{"op":"replace","path":"active","value":true}]}`).want(t, "reinstate Carol", 200)
	etag = r.header.Get("ETag")

	// The right ETag passes, and the new one differs.
	r = e.do(tok, "PATCH", users+"/"+carol, `{"Operations":[{"op":"replace","path":"name.givenName","value":"Caroline"}]}`, "If-Match", etag).want(t, "PATCH with the current ETag", 200)
	if r.header.Get("ETag") == etag || r.header.Get("ETag") == "" {
		t.Errorf("ETag after a change: %q (was %q)", r.header.Get("ETag"), etag)
	}
	e.do(tok, "PATCH", users+"/"+carol, `{"Operations":[{"op":"replace","path":"name.givenName","value":"Carla"}]}`, "If-Match", etag).want(t, "PATCH with the old ETag", 412)
	// If-None-Match with the current ETag: 304, no body.
	cur := r.header.Get("ETag")
	r = e.do(tok, "GET", users+"/"+carol, "", "If-None-Match", cur)
	if r.status != 304 || r.raw != "" {
		t.Errorf("GET with If-None-Match of the current ETag: %d %q, want 304 and no body", r.status, r.raw)
	}
	// A PATCH that changes nothing writes nothing: same ETag.
	r = e.do(tok, "PATCH", users+"/"+carol, `{"Operations":[{"op":"replace","path":"name.givenName","value":"Caroline"}]}`).want(t, "a PATCH that changes nothing", 200)
	if r.header.Get("ETag") != cur {
		t.Errorf("a PATCH that changes nothing moved the ETag from %s to %s", cur, r.header.Get("ETag"))
	}
}

// TestPatchTolerance: the shapes providers send that RFC 7644 does not
// quite allow are accepted.
func TestPatchTolerance(t *testing.T) {
	e := newEnv(t)
	tok := e.x.token
	r := e.do(tok, "POST", "/scim/v2/Users", `{"userName":"erin","name":{"givenName":"Erin","familyName":"E"}}`).want(t, "create Erin", 201)
	id := r.str("id")
	path := "/scim/v2/Users/" + id
	for _, c := range []struct {
		name, ops string
		check     map[string]any
	}{
		{"op in any case, dotted keys in a path-less value map",
			`[{"op":"Add","value":{"name.givenName":"Erina","name.familyName":"Eriksen","externalId":"okta-erin","title":"Boss"}}]`,
			map[string]any{"name.givenName": "Erina", "name.familyName": "Eriksen", "externalId": "okta-erin"}},
		{"filtered replace adds the missing work email",
			`[{"op":"replace","path":"emails[type eq \"work\"].value","value":"erin@x.example"}]`,
			map[string]any{"emails.0.value": "erin@x.example", "emails.0.type": "work"}},
		{"attribute names in any case, schema URN prefix",
			`[{"op":"REPLACE","path":"urn:ietf:params:scim:schemas:core:2.0:User:NAME.GIVENNAME","value":"Eri"}]`,
			map[string]any{"name.givenName": "Eri"}},
		{"the enterprise extension and unkept attributes are ignored",
			`[{"op":"add","path":"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department","value":"Sales"},{"op":"replace","path":"phoneNumbers[type eq \"work\"].value","value":"+1 555"},{"op":"add","path":"emails[type eq \"home\"].value","value":"erin@home.example"},{"op":"remove","path":"addresses[formatted co \"x\" or type eq \"work\"]"}]`,
			map[string]any{"emails.0.value": "erin@x.example", "name.givenName": "Eri"}},
		{"several operations in order, deactivating with a string",
			`[{"op":"replace","path":"name","value":{"givenName":"Erin","familyName":"Eriksen"}},{"op":"Replace","path":"active","value":"False"},{"op":"remove","path":"externalId"}]`,
			map[string]any{"name.givenName": "Erin", "active": false, "externalId": ""}},
		{"a path-less replace reactivates and renames at once",
			`[{"op":"replace","value":{"active":"TRUE","name":{"familyName":"Eastwood"}}}]`,
			map[string]any{"active": true, "name.familyName": "Eastwood", "name.givenName": "Erin"}},
		{"emails replaced as an array, primary picked",
			`[{"op":"replace","path":"emails","value":[{"value":"other@x.example","type":"home"},{"value":"erin.e@x.example","primary":true}]}]`,
			map[string]any{"emails.0.value": "erin.e@x.example"}},
		{"remove of the email by filter",
			`[{"op":"remove","path":"emails[type eq \"work\"]"}]`,
			map[string]any{"emails": nil}},
	} {
		t.Run(c.name, func(t *testing.T) {
			r := e.do(tok, "PATCH", path, `{"schemas":["urn:ietf:params:scim:api:messages:2.0:PatchOp"],"Operations":`+c.ops+`}`).want(t, c.name, 200)
			for p, want := range c.check {
				var got any = lookupAny(r.body, p)
				if s, ok := want.(string); ok && s == "" && got == nil {
					continue
				}
				if got != want {
					t.Errorf("%s = %v, want %v\n%s", p, got, want, r.raw)
				}
			}
		})
	}
}

func lookupAny(v map[string]any, path string) any { return lookup(v, path) }

// TestConcurrentPatches: PATCHes without If-Match that race for one user
// all succeed — a loser recomputes its change on the user as the winner
// left it — and none of their changes is lost.
func TestConcurrentPatches(t *testing.T) {
	e := newEnv(t)
	tok := e.x.token
	r := e.do(tok, "POST", "/scim/v2/Users", `{"userName":"gina","name":{"givenName":"Gina","familyName":"G"}}`).want(t, "create Gina", 201)
	id := r.str("id")
	ops := []string{
		`{"Operations":[{"op":"replace","path":"name.givenName","value":"Georgina"}]}`,
		`{"Operations":[{"op":"replace","path":"externalId","value":"okta-gina"}]}`,
		`{"Operations":[{"op":"replace","path":"emails[type eq \"work\"].value","value":"gina@x.example"}]}`,
	}
	statuses := make(chan int, len(ops))
	for _, op := range ops {
		go func() {
			// e.do may not fail the test from another goroutine: read the
			// status and check it here.
			statuses <- e.doRaw(tok, "PATCH", "/scim/v2/Users/"+id, op)
		}()
	}
	for range ops {
		if s := <-statuses; s != 200 {
			t.Errorf("a concurrent PATCH answered %d, want 200", s)
		}
	}
	u := e.user(e.x, id)
	if u.Person.FirstName != "Georgina" || u.ExternalID != "okta-gina" || u.Email != "gina@x.example" {
		t.Errorf("after three concurrent PATCHes: first name %q, external id %q, email %q; a change was lost", u.Person.FirstName, u.ExternalID, u.Email)
	}
	if u.Version != 4 {
		t.Errorf("version %d after three changes, want 4", u.Version)
	}
}

// TestConcurrentCreates: of several POSTs of one userName at once, one
// creates the user and the others are 409 uniqueness.
func TestConcurrentCreates(t *testing.T) {
	e := newEnv(t)
	const n = 4
	statuses := make(chan int, n)
	for i := range n {
		go func() {
			statuses <- e.doRaw(e.x.token, "POST", "/scim/v2/Users",
				`{"userName":"twin","name":{"givenName":"Twin","familyName":"`+string(rune('A'+i))+`"}}`)
		}()
	}
	count := map[int]int{}
	for range n {
		count[<-statuses]++
	}
	if count[201] != 1 || count[409] != n-1 {
		t.Errorf("statuses %v, want one 201 and %d 409", count, n-1)
	}
}
