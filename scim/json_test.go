package scim_test

import (
	"net/url"
	"strings"
	"testing"
)

// TestMalformedJSON: a body json.Unmarshal would quietly repair — invalid
// UTF-8 or a lone surrogate escape turned into U+FFFD, a member named twice
// of which the last would win — is 400 invalidSyntax with a detail for
// people, and changes nothing.
func TestMalformedJSON(t *testing.T) {
	e := newEnv(t)
	tok := e.x.token
	users := "/scim/v2/Users"
	r := e.do(tok, "POST", users, `{"userName":"erin","name":{"givenName":"Erin","familyName":"E"},"emails":[{"type":"work","value":"erin@x.example"}]}`).want(t, "create Erin", 201)
	erin := users + "/" + r.str("id")
	count := func() string {
		return e.do(tok, "GET", users+"?filter="+url.QueryEscape(`userName eq "frank"`), "").want(t, "look for frank", 200).str("totalResults")
	}
	frank := func(name string) string {
		return `{"userName":"frank","name":{"givenName":"` + name + `","familyName":"F"}}`
	}
	for _, c := range []struct {
		name, method, path, body string
		detail                   string // what the detail must say, by hand
	}{
		{"invalid UTF-8 in a value", "POST", users, frank("Fr\xffnk"), "not valid UTF-8 (byte 0xff at offset 43)"},
		{"invalid UTF-8 in a name", "POST", users, `{"userName":"frank","na` + "\xc3" + `me":{}}`, "not valid UTF-8 (byte 0xc3 at offset 23)"},
		{"an overlong encoding", "PUT", erin, frank("\xc0\xafFrank"), "not valid UTF-8 (byte 0xc0 at offset 41)"},
		{"an encoded surrogate", "PUT", erin, frank("\xed\xa0\x80"), "not valid UTF-8 (byte 0xed at offset 41)"},
		{"a lone high surrogate escape", "POST", users, frank(`\ud83d`), `offset 41 (\ud83d)`},
		{"a lone low surrogate escape", "POST", users, frank(`\ude00x`), `offset 41 (\ude00)`},
		{"a high surrogate before a letter escape", "PUT", erin, frank(`\ud83d\u0041`), `offset 41 (\ud83d)`},
		{"a lone surrogate in a PATCH value", "PATCH", erin, `{"Operations":[{"op":"replace","path":"name.givenName","value":"\udfff"}]}`, `offset 64 (\udfff)`},
		{"userName twice", "POST", users, `{"userName":"frank","userName":"frank2","name":{"givenName":"F","familyName":"F"}}`, `"userName" twice`},
		{"userName twice, in another case", "POST", users, `{"userName":"frank","USERNAME":"erin","name":{"givenName":"F","familyName":"F"}}`, `"USERNAME" twice`},
		{"givenName twice in name", "PUT", erin, `{"userName":"erin","name":{"givenName":"Erin","familyName":"E","givenName":"Mallory"}}`, `"givenName" twice`},
		{"value twice in an email", "PUT", erin, `{"userName":"erin","name":{"givenName":"Erin","familyName":"E"},"emails":[{"value":"erin@x.example","Value":"m@x.example"}]}`, `"Value" twice`},
		{"active twice", "PUT", erin, `{"userName":"erin","name":{"givenName":"Erin","familyName":"E"},"active":true,"active":false}`, `"active" twice`},
		{"op twice in a PATCH operation", "PATCH", erin, `{"Operations":[{"op":"add","op":"replace","path":"active","value":false}]}`, `"op" twice`},
		{"Operations twice", "PATCH", erin, `{"Operations":[],"Operations":[{"op":"replace","path":"active","value":false}]}`, `"Operations" twice`},
		{"twice in an ignored extension", "PUT", erin, `{"userName":"erin","name":{"givenName":"Erin","familyName":"E"},"urn:x:ext":{"a":1,"A":2}}`, `"A" twice`},
	} {
		t.Run(c.name, func(t *testing.T) {
			before, n := e.do(tok, "GET", erin, "").want(t, "read Erin", 200), count()
			r := e.do(tok, c.method, c.path, c.body).want(t, c.name, 400)
			if got := r.str("scimType"); got != "invalidSyntax" {
				t.Errorf("scimType %q, want invalidSyntax\n%s", got, r.raw)
			}
			if d := r.str("detail"); !strings.Contains(d, c.detail) {
				t.Errorf("detail %q does not say %q", d, c.detail)
			}
			if after := e.do(tok, "GET", erin, "").want(t, "read Erin", 200); after.raw != before.raw {
				t.Errorf("a refused request changed Erin:\n%s\n%s", before.raw, after.raw)
			}
			if got := count(); got != n {
				t.Errorf("a refused request created frank: %s users, was %s", got, n)
			}
		})
	}

	// A filter string with a lone surrogate escape is refused too.
	r = e.do(tok, "GET", users+"?filter="+url.QueryEscape(`userName eq "\ud800"`), "").want(t, "filter with a lone surrogate", 400)
	if got := r.str("scimType"); got != "invalidFilter" {
		t.Errorf("a filter with a lone surrogate: scimType %q, want invalidFilter", got)
	}

	// What is well formed still works: a surrogate pair is one character,
	// the same name in two objects is not a duplicate, escapes are fine.
	r = e.do(tok, "PUT", erin, `{"userName":"erin","name":{"givenName":"Erin \ud83d\ude00","familyName":"E \"q\" \\ \u00e9"},"emails":[{"value":"erin@x.example","type":"work"},{"value":"e2@x.example","type":"home"}]}`).want(t, "PUT with escapes", 200)
	if got, want := r.str("name.givenName"), "Erin \U0001F600"; got != want {
		t.Errorf("givenName %+q, want %+q", got, want)
	}
	if got, want := r.str("name.familyName"), `E "q" \ é`; got != want {
		t.Errorf("familyName %+q, want %+q", got, want)
	}
}
