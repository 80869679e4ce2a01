package scim_test

import (
	"encoding/json"
	"net/url"
	"testing"
	"unicode/utf8"
)

// FuzzRequests sends fuzzed bodies to every writing endpoint and fuzzed
// filters to the list: the endpoint never panics and never fails inside
// (500), every refusal is a SCIM Error resource, every success is a User
// or a ListResponse, and a body that is not UTF-8 is always invalidSyntax.
func FuzzRequests(f *testing.F) {
	for _, s := range []struct {
		method uint8
		body   string
	}{
		{0, `{"userName":"fz","name":{"givenName":"F","familyName":"Z"},"emails":[{"type":"work","value":"fz@x.example"}],"externalId":"e1","active":false}`},
		{1, `{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`},
		{1, `{"Operations":[{"op":"replace","value":{"active":true,"name.givenName":"G","userName":"g@x.example"}}]}`},
		{1, `{"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"w@x.example"},{"op":"remove","path":"externalId"}]}`},
		{2, `{"userName":"seed","name":{"givenName":"S","familyName":"D"},"active":true}`},
		{3, `userName eq "seed" and emails[type eq "work"].value eq "seed@x.example"`},
		{3, `externalId eq "e1"`},
		{4, ``},
		{0, `{"userName":"fz","userName":"fy","name":{"givenName":"F","familyName":"Z"}}`},
		{2, `{"userName":"seed","name":{"givenName":"S\ud800","familyName":"D"}}`},
		{1, "{\"Operations\":[{\"op\":\"replace\",\"path\":\"name.givenName\",\"value\":\"\xff\"}]}"},
	} {
		f.Add(s.method, s.body)
	}
	e := newEnv(f)
	r := e.do(e.x.token, "POST", "/scim/v2/Users", `{"userName":"seed","name":{"givenName":"S","familyName":"D"},"emails":[{"value":"seed@x.example"}]}`)
	if r.status != 201 {
		f.Fatalf("seeding: %d %s", r.status, r.raw)
	}
	seed := r.str("id")
	f.Fuzz(func(t *testing.T, method uint8, body string) {
		e.t = t
		var resp response
		switch method % 5 {
		case 0:
			resp = e.do(e.x.token, "POST", "/scim/v2/Users", body)
		case 1:
			resp = e.do(e.x.token, "PATCH", "/scim/v2/Users/"+seed, body)
		case 2:
			resp = e.do(e.x.token, "PUT", "/scim/v2/Users/"+seed, body)
		case 3:
			resp = e.do(e.x.token, "GET", "/scim/v2/Users?count=3&filter="+url.QueryEscape(body), "")
		case 4:
			resp = e.do(e.x.token, "GET", "/scim/v2/Users/"+url.PathEscape(body), "")
		}
		switch {
		case method%5 <= 2 && !utf8.ValidString(body) && (resp.status != 400 || resp.str("scimType") != "invalidSyntax"):
			t.Fatalf("method %d body %q is not UTF-8: %d %s, want 400 invalidSyntax", method%5, body, resp.status, resp.raw)
		case resp.status >= 500:
			t.Fatalf("method %d body %q: %d %s", method%5, body, resp.status, resp.raw)
		case resp.status >= 400:
			wantError(t, "fuzzed request", resp)
			if resp.str("detail") == "" {
				t.Fatalf("a refusal without a detail: %s", resp.raw)
			}
		default:
			var v map[string]any
			if err := json.Unmarshal([]byte(resp.raw), &v); err != nil || (v["id"] == nil && v["Resources"] == nil) {
				t.Fatalf("method %d body %q: %d %s is neither a User nor a ListResponse", method%5, body, resp.status, resp.raw)
			}
		}
		if len(resp.raw) > 64<<10 {
			t.Fatalf("a %d-byte response", len(resp.raw))
		}
	})
}
