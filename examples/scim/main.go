// SCIM serves lifeline's SCIM 2.0 endpoint on localhost and provisions a
// user through it the way Microsoft Entra ID does — look up, create,
// update, deactivate (with Entra's string "False"), reactivate, delete —
// printing after each request what the identity provider sees and what
// lifeline did: the user's state, its ETag and the office's seats.
//
// Run it with
//
//	go run ./examples/scim            # a database in a new temp dir
//	go run ./examples/scim -db my.db  # or a file of your choosing
//
// The host authenticates: here a bearer token maps to a provisioning
// principal of one company, lifeline.SystemFor("scim-entra", companyID),
// which the audit trail names "system:scim-entra".
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/examples/internal/exampledb"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/scim"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	exampledb.Main("scim", func(ctx context.Context, dbPath string) error { return run(ctx, dbPath, os.Stdout) })
}

// token is the bearer token the identity provider is configured with.
const token = "entra-provisioning-secret"

func run(ctx context.Context, dbPath string, w io.Writer) error {
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return err
	}
	defer st.Close()
	clk := clock.NewMock()
	clk.Set(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))
	svc, err := lifeline.New(st, lifeline.WithClock(clk))
	if err != nil {
		return err
	}
	b, err := svc.Bootstrap(ctx, lifeline.System("signup"), lifeline.Bootstrap{
		CompanyName: "Acme Telecom", Tier: licensing.Premium,
		Office:        lifeline.NewOffice{Name: "San Francisco", Country: "US"},
		Admin:         lifeline.NewUser{Person: lifeline.Person{FirstName: "Margaret", LastName: "Hamilton"}, Email: "margaret@acme.example"},
		AdminPassword: "correct horse battery staple",
	})
	if err != nil {
		return err
	}
	admin, office := lifeline.Actor{ID: b.Admin.ID}, b.Office
	if _, err := svc.SetPoolTotal(ctx, admin, office.ID, licensing.Seat, 5); err != nil {
		return err
	}

	// The host's side: authenticate the provider, then mount the endpoint
	// under a prefix of its choice.
	provisioner := lifeline.SystemFor("scim-entra", b.Company.ID)
	h, err := scim.New(svc, scim.Config{Principal: func(r *http.Request) (lifeline.Actor, error) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			return lifeline.Actor{}, errors.New("unknown bearer token")
		}
		return provisioner, nil
	}})
	if err != nil {
		return err
	}
	mux := http.NewServeMux()
	mux.Handle("/scim/v2/", http.StripPrefix("/scim/v2", h))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	defer func() {
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	base := "http://" + ln.Addr().String() + "/scim/v2"
	fmt.Fprintf(w, "SCIM for %s at http://127.0.0.1:<port>/scim/v2; the bearer token acts as %s\n", b.Company.Name, provisioner.Name())

	p := &provider{ctx: ctx, base: base, w: w, svc: svc, admin: admin, office: office.ID}
	p.step("Entra looks the user up before creating it", "GET", "/Users?filter="+url.QueryEscape(`userName eq "alex.wu@acme.example"`), "")
	id := p.step("Entra creates the user", "POST", "/Users", `{
		"schemas": ["urn:ietf:params:scim:schemas:core:2.0:User", "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"],
		"externalId": "8c1f2d7e-4b6a-4d0e-9a55-0f3e2b1c9d11",
		"userName": "alex.wu@acme.example",
		"active": true,
		"emails": [{"primary": true, "type": "work", "value": "alex.wu@acme.example"}],
		"name": {"formatted": "Alex Wu", "familyName": "Wu", "givenName": "Alex"},
		"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": {"department": "Sales"}
	}`)
	p.step("Entra finds it by externalId", "GET", "/Users?filter="+url.QueryEscape(`externalId eq "8c1f2d7e-4b6a-4d0e-9a55-0f3e2b1c9d11"`), "")
	p.step("Entra updates the family name and title", "PATCH", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [
			{"op": "Replace", "path": "name.familyName", "value": "Wu-Martin"},
			{"op": "Add", "path": "title", "value": "Account Executive"}
		]
	}`)
	p.step(`Entra deactivates the user (the string "False")`, "PATCH", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "path": "active", "value": "False"}]
	}`)
	p.step("Entra reactivates the user", "PATCH", "/Users/"+id, `{
		"schemas": ["urn:ietf:params:scim:api:messages:2.0:PatchOp"],
		"Operations": [{"op": "Replace", "path": "active", "value": true}]
	}`)
	p.step("Entra deletes the user (30 days after a soft delete)", "DELETE", "/Users/"+id, "")
	p.step("Entra reads it again", "GET", "/Users/"+id, "")
	if p.err != nil {
		return p.err
	}

	// What the audit trail says the provisioner did.
	audit, err := svc.ListAudit(ctx, admin, lifeline.AuditQuery{CompanyID: b.Company.ID, UserID: id})
	if err != nil {
		return err
	}
	fmt.Fprintln(w, "\naudit trail of the user:")
	for _, a := range audit {
		fmt.Fprintf(w, "  %-16s %-14s %s -> %s\n", a.ActorID, a.Action, orDash(a.FromState), orDash(a.ToState))
	}
	return nil
}

// provider plays the identity provider: it sends requests and prints what
// comes back and what lifeline did.
type provider struct {
	ctx    context.Context
	base   string
	w      io.Writer
	svc    *lifeline.Service
	admin  lifeline.Actor
	office string
	n      int
	id     string
	err    error
}

// step sends one request and returns the id of the user it names.
func (p *provider) step(what, method, path, body string) string {
	if p.err != nil {
		return p.id
	}
	p.n++
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(p.ctx, method, p.base+path, rd)
	if err != nil {
		p.err = err
		return p.id
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/scim+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		p.err = err
		return p.id
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		p.err = err
		return p.id
	}
	shown, _ := url.QueryUnescape(path)
	if p.id != "" {
		shown = strings.ReplaceAll(shown, p.id, "{id}")
	}
	fmt.Fprintf(p.w, "\n%d. %s\n   %s %s -> %d %s\n", p.n, what, method, shown, resp.StatusCode, summary(raw))
	if resp.StatusCode == http.StatusCreated {
		p.id = field(raw, "id")
	}
	if p.id == "" {
		return ""
	}
	u, err := p.svc.GetUser(p.ctx, p.admin, p.id)
	if err != nil {
		p.err = err
		return p.id
	}
	pools, err := p.svc.ListPools(p.ctx, p.admin, p.office)
	if err != nil {
		p.err = err
		return p.id
	}
	seats := ""
	for _, pl := range pools {
		if pl.Type == licensing.Seat {
			seats = fmt.Sprintf("%d of %d seats assigned", pl.Assigned, pl.Total)
		}
	}
	fmt.Fprintf(p.w, "   lifeline: %s %s is %s, version %d; %s\n", u.Person.Full(), u.Email, u.State(), u.Version, seats)
	return p.id
}

// summary is a one-line account of a SCIM response body.
func summary(raw []byte) string {
	s := string(raw)
	switch {
	case len(raw) == 0:
		return "(no body)"
	case strings.Contains(s, "ListResponse"):
		return "ListResponse, totalResults " + field(raw, "totalResults")
	case strings.Contains(s, "messages:2.0:Error"):
		return "Error: " + field(raw, "detail")
	}
	return fmt.Sprintf("User %s, active %s, ETag %s", field(raw, "userName"), field(raw, "active"), field(raw, "version"))
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// field returns the first value named name in a JSON document, searched
// depth first, as text ("" when there is none).
func field(raw []byte, name string) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return ""
	}
	var find func(v any) (any, bool)
	find = func(v any) (any, bool) {
		switch x := v.(type) {
		case map[string]any:
			if f, ok := x[name]; ok {
				return f, true
			}
			for _, k := range slices.Sorted(maps.Keys(x)) {
				if f, ok := find(x[k]); ok {
					return f, true
				}
			}
		case []any:
			for _, e := range x {
				if f, ok := find(e); ok {
					return f, true
				}
			}
		}
		return nil, false
	}
	f, ok := find(v)
	if !ok {
		return ""
	}
	return fmt.Sprint(f)
}
