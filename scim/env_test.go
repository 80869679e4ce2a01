package scim_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/scim"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// tenant is one company of the test environment and the bearer token
// that provisions it.
type tenant struct {
	company lifeline.Company
	office  lifeline.Office
	admin   lifeline.Actor
	token   string
	// scim is the provisioning principal the token maps to.
	scim lifeline.Actor
}

// env is a lifeline service on a SQLite file in a temp dir, two
// companies, and the SCIM endpoint mounted under /scim/v2.
type env struct {
	t       testing.TB
	ctx     context.Context
	svc     *lifeline.Service
	handler http.Handler
	x, y    tenant
}

func newEnv(t testing.TB) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "lifeline.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	svc, err := lifeline.New(st)
	if err != nil {
		t.Fatal(err)
	}
	e := &env{t: t, ctx: ctx, svc: svc}
	e.x = e.tenant("Xylophone Inc", "x-token")
	e.y = e.tenant("Yodel GmbH", "y-token")
	tokens := map[string]lifeline.Actor{e.x.token: e.x.scim, e.y.token: e.y.scim,
		"global-token": lifeline.System("scim-everywhere"), "admin-token": e.x.admin}
	h, err := scim.New(svc, scim.Config{Principal: func(r *http.Request) (lifeline.Actor, error) {
		a, ok := tokens[strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")]
		if !ok {
			return lifeline.Actor{}, errors.New("unknown token")
		}
		return a, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	e.handler = http.StripPrefix("/scim/v2", h)
	return e
}

func (e *env) tenant(name, token string) tenant {
	e.t.Helper()
	b, err := e.svc.Bootstrap(e.ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: name, Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "HQ", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Ada", LastName: "Admin"}, Email: "admin@" + strings.ToLower(name[:1]) + ".example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		e.t.Fatal(err)
	}
	admin := lifeline.Actor{ID: b.Admin.ID}
	if _, err := e.svc.SetPoolTotal(e.ctx, admin, b.Office.ID, licensing.Seat, 50); err != nil {
		e.t.Fatal(err)
	}
	return tenant{company: b.Company, office: b.Office, admin: admin, token: token,
		scim: lifeline.SystemFor("scim-"+token, b.Company.ID)}
}

// response is one answer of the endpoint.
type response struct {
	status int
	header http.Header
	raw    string
	body   map[string]any
}

// do sends one request as the holder of token; body is sent as
// application/scim+json unless a Content-Type header is given in hdr
// (name, value pairs).
func (e *env) do(token, method, path, body string, hdr ...string) response {
	e.t.Helper()
	var r *http.Request
	if body != "" {
		r = httptest.NewRequest(method, "http://idp.test"+path, strings.NewReader(body))
		r.Header.Set("Content-Type", "application/scim+json")
	} else {
		r = httptest.NewRequest(method, "http://idp.test"+path, nil)
	}
	r.Header.Set("Authorization", "Bearer "+token)
	r.Header.Set("Accept", "application/scim+json")
	for i := 0; i+1 < len(hdr); i += 2 {
		r.Header.Set(hdr[i], hdr[i+1])
	}
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	resp := response{status: w.Code, header: w.Header(), raw: w.Body.String()}
	if resp.raw != "" {
		if err := json.Unmarshal(w.Body.Bytes(), &resp.body); err != nil {
			e.t.Fatalf("%s %s: the response is not a JSON object: %v\n%s", method, path, err, resp.raw)
		}
	}
	if resp.raw != "" && w.Header().Get("Content-Type") != "application/scim+json" {
		e.t.Errorf("%s %s: Content-Type %q, want application/scim+json", method, path, w.Header().Get("Content-Type"))
	}
	return resp
}

// want fails the test unless r has status; an error status must come
// with a SCIM Error resource.
func (r response) want(t *testing.T, what string, status int) response {
	t.Helper()
	if r.status != status {
		t.Fatalf("%s: status %d, want %d\n%s", what, r.status, status, r.raw)
	}
	if status >= 400 {
		wantError(t, what, r)
	}
	return r
}

// wantError checks that r is a SCIM Error resource matching its status.
func wantError(t *testing.T, what string, r response) {
	t.Helper()
	schemas, _ := r.body["schemas"].([]any)
	if len(schemas) != 1 || schemas[0] != "urn:ietf:params:scim:api:messages:2.0:Error" {
		t.Errorf("%s: error body schemas %v, want the SCIM Error URN\n%s", what, r.body["schemas"], r.raw)
	}
	if s, _ := r.body["status"].(string); s != itoa(r.status) {
		t.Errorf("%s: error body status %q, want %q", what, s, itoa(r.status))
	}
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// str reads a string at a dotted path of a JSON object ("name.givenName",
// "emails.0.value").
func (r response) str(path string) string {
	v, _ := lookup(r.body, path).(string)
	return v
}

func lookup(v any, path string) any {
	for _, part := range strings.Split(path, ".") {
		switch x := v.(type) {
		case map[string]any:
			v = x[part]
		case []any:
			i := 0
			for _, c := range part {
				i = i*10 + int(c-'0')
			}
			if i >= len(x) {
				return nil
			}
			v = x[i]
		default:
			return nil
		}
	}
	return v
}

// user reads a lifeline user as the company's admin.
func (e *env) user(tn tenant, id string) lifeline.User {
	e.t.Helper()
	u, err := e.svc.GetUser(e.ctx, tn.admin, id)
	if err != nil {
		e.t.Fatalf("GetUser(%s): %v", id, err)
	}
	return u
}

// doRaw sends one request and returns its status only; it is safe to call
// from several goroutines.
func (e *env) doRaw(token, method, path, body string) int {
	r := httptest.NewRequest(method, "http://idp.test"+path, strings.NewReader(body))
	r.Header.Set("Content-Type", "application/scim+json")
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	e.handler.ServeHTTP(w, r)
	return w.Code
}
