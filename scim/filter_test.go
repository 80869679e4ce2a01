package scim

import (
	"errors"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline/errs"
)

func TestParseFilter(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []term
	}{
		{`userName eq "bjensen"`, []term{{attrUserName, "bjensen"}}},
		{`USERNAME EQ "bjensen"`, []term{{attrUserName, "bjensen"}}},
		{`  userName   eq   "b\"j\\ensen\u00e9"  `, []term{{attrUserName, `b"j\ensené`}}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName eq "x"`, []term{{attrUserName, "x"}}},
		{`externalId eq "00ujl29u0le5T6Aj10h7"`, []term{{attrExternalID, "00ujl29u0le5T6Aj10h7"}}},
		{`emails[type eq "work"].value eq "a@b.c"`, []term{{attrWorkEmail, "a@b.c"}}},
		{`emails[ type EQ "Work" ].value eq "a@b.c"`, []term{{attrWorkEmail, "a@b.c"}}},
		{`userName eq "a" and externalId eq "b" AND emails[type eq "work"].value eq "c"`,
			[]term{{attrUserName, "a"}, {attrExternalID, "b"}, {attrWorkEmail, "c"}}},
		{`userName eq ""`, []term{{attrUserName, ""}}},
	} {
		got, err := parseFilter(c.in)
		if err != nil {
			t.Errorf("parseFilter(%q): %v", c.in, err)
			continue
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("parseFilter(%q) (-want +got):\n%s", c.in, diff)
		}
	}
	for _, in := range []string{
		``, ` `, `userName`, `userName eq`, `userName eq bjensen`, `userName eq 1`, `userName eq true`, `userName eq null`,
		`userName ne "x"`, `userName co "x"`, `userName sw "x"`, `userName pr`, `displayName eq "x"`, `name.givenName eq "x"`,
		`userName eq "x" or userName eq "y"`, `not (userName eq "x")`, `(userName eq "x")`, `userName eq "x" and`,
		`userName eq "x" userName eq "y"`, `emails eq "x"`, `emails.value eq "x"`, `emails[type eq "home"].value eq "x"`,
		`emails[type eq "work"] eq "x"`, `emails[type eq "work"].display eq "x"`, `emails[value eq "x"].value eq "x"`,
		`emails[type eq "work"`, `userName eq "x`, `userName eq "\x"`, "userName eq \"\xff\"", `!!!invalid_filter!!!`,
		strings.Repeat(`userName eq "x" and `, 9) + `userName eq "x"`, `userName eq "` + strings.Repeat("a", 3000) + `"`,
	} {
		got, err := parseFilter(in)
		var fe *filterError
		if !errors.As(err, &fe) {
			t.Errorf("parseFilter(%q) = %v, %v; want a *filterError", in, got, err)
			continue
		}
		if len(fe.msg) > 200 {
			t.Errorf("parseFilter(%q): a %d-byte message; it should echo at most a short prefix", in[:min(len(in), 40)], len(fe.msg))
		}
	}
}

func TestParsePath(t *testing.T) {
	for _, c := range []struct {
		in   string
		want path
	}{
		{"active", path{attr: "active"}},
		{"name.givenName", path{attr: "name", sub: "givenname"}},
		{`emails[type eq "work"].value`, path{attr: "emails", filtered: true, sub: "value"}},
		{`emails[type eq "home"].value`, path{attr: "emails", filtered: true, other: true, sub: "value"}},
		{`emails[primary eq true]`, path{attr: "emails", filtered: true}},
		{`urn:ietf:params:scim:schemas:core:2.0:User:userName`, path{attr: "username"}},
		{`urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager`, path{}},
	} {
		got, err := parsePath(c.in)
		if err != nil {
			t.Errorf("parsePath(%q): %v", c.in, err)
			continue
		}
		if got != c.want {
			t.Errorf("parsePath(%q) = %+v, want %+v", c.in, got, c.want)
		}
	}
	for _, in := range []string{`emails[type eq "work"`, `emails]x[`, `emails[type eq "work"]value`, `emails[value co "x"]`, `emails[type eq "work" and primary eq true]`} {
		if _, err := parsePath(in); err == nil {
			t.Errorf("parsePath(%q) accepted", in)
		} else if se := toSCIM(err); se.status != 400 || se.scimType != "invalidPath" {
			t.Errorf("parsePath(%q): %d %s, want 400 invalidPath", in, se.status, se.scimType)
		}
	}
}

// TestErrorKinds: every lifeline error kind maps to one status and
// scimType, Unavailable with Retry-After, and an unexpected error to a 500
// that says nothing of its cause.
func TestErrorKinds(t *testing.T) {
	for _, c := range []struct {
		kind       errs.Kind
		status     int
		scimType   string
		retryAfter string
	}{
		{errs.Invalid, 400, "invalidValue", ""},
		{errs.NotFound, 404, "", ""},
		{errs.Gone, 404, "", ""},
		{errs.Conflict, 409, "uniqueness", ""},
		{errs.Forbidden, 403, "", ""},
		{errs.Stale, 412, "", ""},
		{errs.Unavailable, 503, "", "1"},
		{errs.Other, 500, "", ""},
	} {
		err := fmt.Errorf("wrapped: %w", errs.E(c.kind, "user.test", "secret cause %s", "x"))
		w := httptest.NewRecorder()
		writeError(w, err)
		body := w.Body.String()
		if w.Code != c.status || w.Header().Get("Retry-After") != c.retryAfter {
			t.Errorf("kind %v: status %d, Retry-After %q; want %d, %q", c.kind, w.Code, w.Header().Get("Retry-After"), c.status, c.retryAfter)
		}
		if c.scimType != "" && !strings.Contains(body, `"scimType":"`+c.scimType+`"`) || c.scimType == "" && strings.Contains(body, "scimType") {
			t.Errorf("kind %v: body %s, want scimType %q", c.kind, body, c.scimType)
		}
		if !strings.Contains(body, urnError) || !strings.Contains(body, fmt.Sprintf(`"status":"%d"`, c.status)) {
			t.Errorf("kind %v: body %s is not a SCIM Error", c.kind, body)
		}
		if c.kind == errs.Other && strings.Contains(body, "secret cause") {
			t.Errorf("a 500 reveals its cause: %s", body)
		}
	}
}

// FuzzParseFilter: no filter panics the parser; every refusal is a
// *filterError (so a 400 invalidFilter); every acceptance is of the three
// supported forms, and the same filter parses the same way twice.
func FuzzParseFilter(f *testing.F) {
	for _, s := range []string{
		`userName eq "bjensen"`, `externalId eq "x" and userName eq "y"`, `emails[type eq "work"].value eq "a@b.c"`,
		`userName eq "a\u00e9\"b"`, `!!!`, `(userName eq "x")`, `emails[type eq "work"`, `userName eq "\`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		terms, err := parseFilter(s)
		if err != nil {
			var fe *filterError
			if !errors.As(err, &fe) {
				t.Fatalf("parseFilter(%q): %T %v, want a *filterError", s, err, err)
			}
			if se := toSCIM(err); se.status != 400 || se.scimType != "invalidFilter" {
				t.Fatalf("parseFilter(%q) refusal maps to %d %s", s, se.status, se.scimType)
			}
			return
		}
		if len(terms) == 0 || len(terms) > maxFilterTerms {
			t.Fatalf("parseFilter(%q) = %d terms", s, len(terms))
		}
		for _, tm := range terms {
			if tm.Attr < attrUserName || tm.Attr > attrWorkEmail {
				t.Fatalf("parseFilter(%q): attribute %v", s, tm.Attr)
			}
		}
		again, err := parseFilter(s)
		if err != nil || !cmp.Equal(terms, again) {
			t.Fatalf("parseFilter(%q) is not deterministic", s)
		}
	})
}

// FuzzPatchOps: no PATCH body panics the parser or the application of
// its operations to a user; every refusal is a 400 SCIM error.
func FuzzPatchOps(f *testing.F) {
	for _, s := range []string{
		`{"Operations":[{"op":"Replace","path":"active","value":"False"}]}`,
		`{"Operations":[{"op":"replace","value":{"active":false,"name.givenName":"A"}}]}`,
		`{"Operations":[{"op":"add","path":"emails[type eq \"work\"].value","value":"a@b.c"}]}`,
		`{"Operations":[{"op":"remove","path":"emails[type eq \"work\"]"},{"op":"remove","path":"externalId"}]}`,
		`{"Operations":[{"op":"replace","path":"emails","value":[{"value":"x","primary":"True"}]}]}`,
		`{"Operations":[{"op":"replace","path":"emails[","value":1}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		o, err := decodeObject(body)
		if err != nil {
			want400(t, body, err)
			return
		}
		ops, err := parsePatch(o)
		if err != nil {
			want400(t, body, err)
			return
		}
		d := desired{UserName: "ada", GivenName: "Ada", FamilyName: "Lovelace", Active: true}
		for _, op := range ops {
			if err := d.apply(op); err != nil {
				want400(t, body, err)
				return
			}
		}
		if _, _, err := d.login(); err != nil {
			want400(t, body, err)
		}
	})
}

func want400(t *testing.T, body []byte, err error) {
	t.Helper()
	se := toSCIM(err)
	if se.status != 400 || se.scimType == "" || se.detail == "" {
		t.Fatalf("body %q refused as %d %q %q; want 400 with a scimType and a detail", body, se.status, se.scimType, se.detail)
	}
}
