package main

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/errs"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// portal is the admin portal: an http.Handler over one lifeline Service.
// It authenticates nobody for real: the sign-in page lets a visitor act as
// one of the demo accounts, and from then on every call goes to the facade
// as that account's Actor, which lifeline authorizes on its own data.
type portal struct {
	svc     *lifeline.Service
	demo    demo
	carrier *fakeCarrier
	log     *slog.Logger
	pages   map[string]*template.Template
	mux     *http.ServeMux

	// secret keys the sign-in form's CSRF token; random per process.
	secret []byte
	// origins refuses a form posted from another site.
	origins *http.CrossOriginProtection

	mu       sync.Mutex
	sessions sessionStore
	jobs     map[string]*bulkJob
}

func newPortal(svc *lifeline.Service, d demo, carrier *fakeCarrier, opts sessionOptions, log *slog.Logger) (*portal, error) {
	secret := make([]byte, 32)
	if _, err := rand.Read(secret); err != nil {
		return nil, err
	}
	p := &portal{svc: svc, demo: d, carrier: carrier, log: log, secret: secret, origins: http.NewCrossOriginProtection(),
		pages: map[string]*template.Template{}, jobs: map[string]*bulkJob{},
		sessions: sessionStore{opts: opts.withDefaults(), byID: map[string]*session{}}}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New(base).Funcs(funcs).ParseFS(templateFS, "templates/layout.html", n)
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", base, err)
		}
		p.pages[base] = t
	}
	p.routes()
	return p, nil
}

// routes registers every page. Paths carry ids only, never a name, an
// email or a search text.
func (p *portal) routes() {
	m := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	m.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	m.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/users", http.StatusSeeOther) })
	m.Handle("GET /signin", p.page(p.signinPage))
	m.Handle("POST /signin", p.page(p.signin))
	m.Handle("POST /signout", p.page(p.signout))

	m.Handle("GET /users", p.auth(p.usersPage))
	m.Handle("POST /users/search", p.auth(p.search))
	m.Handle("GET /users/{id}", p.auth(p.userPage))
	m.Handle("POST /users/{id}/do", p.auth(p.userAction))
	m.Handle("GET /users/{id}/offboard/{option}", p.auth(p.offboardPreview))
	m.Handle("POST /users/{id}/offboard/{option}", p.auth(p.offboard))
	m.Handle("POST /users/{id}/transfer", p.auth(p.transferPreview))
	m.Handle("POST /users/{id}/proxy", p.auth(p.proxy))
	m.Handle("POST /proxy/stop", p.auth(p.stopProxy))
	m.Handle("GET /users/{id}/audit", p.auth(p.auditPage))

	m.Handle("POST /numbers/assign", p.auth(p.assignReserved))
	m.Handle("POST /numbers/release", p.auth(p.releaseReserved))

	m.Handle("POST /bulk", p.auth(p.bulkConfirm))
	m.Handle("POST /bulk/run", p.auth(p.bulkRun))
	m.Handle("GET /bulk/{job}", p.auth(p.bulkPage))
	m.Handle("GET /bulk/{job}/progress", p.auth(p.bulkProgress))

	m.Handle("GET /licenses", p.auth(p.licensesPage))
	m.Handle("POST /licenses/review", p.auth(p.licenseReview))
	m.Handle("POST /licenses/transfer", p.auth(p.licenseTransfer))

	p.changeSetRoutes(m)
	p.mux = m
}

// ServeHTTP sets the headers every response carries, then routes.
func (p *portal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	// No inline script or style anywhere: the policy makes an injected
	// <script> inert even if escaping were ever missed.
	h.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
	rec := &statusRecorder{ResponseWriter: w, status: http.StatusOK}
	start := time.Now()
	p.mux.ServeHTTP(rec, r)
	// The log names the route pattern, never the path's ids or a form's
	// content: no personal data reaches it.
	p.log.Info("request", "method", r.Method, "route", r.Pattern, "status", rec.status, "ms", time.Since(start).Milliseconds())
}

type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	s.status = code
	s.ResponseWriter.WriteHeader(code)
}

// handlerFunc is a page handler: it returns an error to render as a
// problem page, or nil once it has written the response.
type handlerFunc func(w http.ResponseWriter, r *http.Request, s *session) error

// page wraps a handler that works signed in or not: it finds the session
// (an anonymous one, stored nowhere, when the browser has not signed in)
// and, for every POST, refuses a form sent from another site and checks
// its CSRF token.
func (p *portal) page(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := p.sessionOf(w, r)
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
			if err := r.ParseForm(); err != nil {
				p.fail(w, r, s, portalError(errs.Invalid, "the form could not be read"))
				return
			}
			if err := p.origins.Check(r); err != nil {
				p.fail(w, r, s, portalError(errs.Forbidden, "the form was sent from another site"))
				return
			}
			if !validToken(s.csrf, r.PostForm.Get("csrf")) {
				p.fail(w, r, s, portalError(errs.Forbidden, "the form's security token is missing or out of date: reload the page and try again"))
				return
			}
		}
		if err := h(w, r, s); err != nil {
			p.fail(w, r, s, err)
		}
	})
}

// auth is page for pages that need a signed-in session.
func (p *portal) auth(h handlerFunc) http.Handler {
	return p.page(func(w http.ResponseWriter, r *http.Request, s *session) error {
		if !s.signedIn() {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/signin", http.StatusSeeOther)
				return nil
			}
			return portalError(errs.Forbidden, "you are not signed in")
		}
		return h(w, r, s)
	})
}

func validToken(want, got string) bool {
	return want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(got)) == 1
}

func randomID() string {
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		panic("portal: reading random bytes: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// actor is who the session acts as: the demo account, or, while it proxies,
// the account acting as another user.
func (p *portal) actor(s *session) lifeline.Actor {
	p.mu.Lock()
	defer p.mu.Unlock()
	return s.actor
}

// view is what every page template receives.
type view struct {
	Title   string
	CSRF    string
	Role    string
	Me      string
	Proxy   string
	Flash   string
	Company string
	// Self is the acting user's id when its role reaches itself only: the
	// menu offers its own page instead of the users list.
	Self string
	// Licenses and ChangeSets: the menu offers those pages.
	Licenses   bool
	ChangeSets bool
	Data       any
}

// render writes a page with the layout.
func (p *portal) render(w http.ResponseWriter, s *session, status int, name, title string, data any) error {
	t, ok := p.pages[name]
	if !ok {
		return fmt.Errorf("no template %q", name)
	}
	p.mu.Lock()
	v := view{Title: title, CSRF: s.csrf, Role: s.role, Flash: s.flash, Company: p.demo.Company.Name, Data: data}
	s.flash = ""
	actor := s.actor
	p.mu.Unlock()
	ctx := context.Background()
	if actor.ID != "" {
		role := access.Member
		if me, err := p.svc.GetUser(ctx, lifeline.Actor{ID: actor.ID}, actor.ID); err == nil {
			v.Me, role = displayName(me), me.Role
		}
		if actor.OnBehalfOf != "" {
			v.Proxy, role = "user "+actor.OnBehalfOf, access.Member
			if u, err := p.svc.GetUser(ctx, actor, actor.OnBehalfOf); err == nil {
				v.Proxy, role = displayName(u)+" (ext "+u.Extension+")", u.Role
			}
		}
		// The menu offers the pages the acting role may read at all, from
		// the access matrix.
		if sc := access.ScopeOf(role, access.ReadUser); sc == access.ScopeSelf || sc == access.ScopeNone {
			v.Self = cmp.Or(actor.OnBehalfOf, actor.ID)
		}
		v.Licenses = access.ScopeOf(role, lifeline.ListPools{}.Spec().Permission) != access.ScopeNone
		v.ChangeSets = access.ScopeOf(role, lifeline.StageChanges{}.Spec().Permission) != access.ScopeNone
	}
	var buf strings.Builder
	if err := t.ExecuteTemplate(&buf, "layout", v); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write([]byte(buf.String()))
	return err
}

// fail renders err as a problem page with its status.
func (p *portal) fail(w http.ResponseWriter, r *http.Request, s *session, err error) {
	pr := describe(err)
	if pr.Status >= 500 {
		// The developer detail goes to the log, never to the page: the op,
		// ids and cause. Inputs in it are bounded by the library.
		p.log.Error("request failed", "route", r.Pattern, "kind", pr.Kind, "detail", err.Error())
	}
	// Only a refused change may say that nothing changed: a page that
	// could not be read changed nothing to begin with.
	d := problemPage{problem: pr, Refused: r.Method == http.MethodPost}
	if rerr := p.render(w, s, pr.Status, "problem", pr.Title, d); rerr != nil {
		http.Error(w, pr.Title, pr.Status)
	}
}

// redirect sends the browser on after a POST, with a message for the next
// page.
func (p *portal) redirect(w http.ResponseWriter, r *http.Request, s *session, to, flash string) error {
	p.mu.Lock()
	s.flash = flash
	p.mu.Unlock()
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func displayName(u lifeline.User) string {
	if n := u.Person.Full(); strings.TrimSpace(n) != "" {
		return n
	}
	return "(empty extension " + u.Extension + ")"
}

var funcs = template.FuncMap{
	"name": displayName,
	"when": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04 UTC")
	},
	"left":  left,
	"leftm": leftMinutes,
	"role":  roleLabel,
	"phone": formatNumber,
	"dur":   duration,
	"op":    opWords,
	"kind":  kindWords,
	"state": stateWords,
	// inc counts items from 1, as the library's messages do ("item 2").
	"inc": func(i int) int { return i + 1 },
}

// left says how long a restore window has left, in days and hours.
func left(d time.Duration) string {
	if d <= 0 {
		return "window over"
	}
	h := int(d.Hours())
	return fmt.Sprintf("%dd %dh left", h/24, h%24)
}
