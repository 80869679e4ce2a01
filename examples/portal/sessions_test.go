package main

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"
)

// sessionCount is how many signed-in sessions are stored, expired or not.
func (p *portal) sessionCount() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.sessions.byID)
}

// signedIn reports whether c's browser is signed in: the users page shows
// the sign-out button only then, and otherwise redirects to sign-in.
func (c *client) signedIn() bool {
	c.tb.Helper()
	code, body := c.get("/users")
	return code == http.StatusOK && strings.Contains(body, `action="/signout"`)
}

// countingWriter is a ResponseWriter that keeps the status and counts the
// body, so that many requests cost only what the handler does.
type countingWriter struct {
	header http.Header
	status int
	n      int
}

func (w *countingWriter) Header() http.Header { return w.header }

func (w *countingWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	w.n += len(b)
	return len(b), nil
}

// TestAnonymousTrafficKeepsSessions: a flood of visitors who never sign in
// (fresh ones, and ones with a made-up session cookie) stores nothing and
// signs nobody out. It was 90 000 such requests that signed out every
// admin when each made a session and the 10 000th evicted one at random.
func TestAnonymousTrafficKeepsSessions(t *testing.T) {
	tp := newTestPortal(t)
	admin := tp.signIn(t, "company-admin")
	if n := tp.p.sessionCount(); n != 1 {
		t.Fatalf("after one sign-in %d sessions are stored, want 1", n)
	}
	tp.p.log = slog.New(slog.DiscardHandler) // 100 000 request lines are not the point
	start := time.Now()
	// In-process calls, one worker per CPU, so the test costs what the
	// handler does and no more.
	const requests = 100_000
	workers := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for k := range workers {
		wg.Go(func() {
			for i := k; i < requests; i += workers {
				req, _ := http.NewRequest(http.MethodGet, "/signin", nil)
				if i%2 == 1 {
					req.AddCookie(&http.Cookie{Name: sessionCookie, Value: randomID()})
				}
				w := &countingWriter{header: http.Header{}}
				tp.p.ServeHTTP(w, req)
				if w.status != http.StatusOK || w.n == 0 || w.header.Get("Set-Cookie") == "" {
					t.Errorf("anonymous GET /signin %d: %d, %d bytes, cookie %q; want 200 with the sign-in form and its cookie", i, w.status, w.n, w.header.Get("Set-Cookie"))
					return
				}
			}
		})
	}
	wg.Wait()
	t.Logf("100 000 anonymous requests in %v", time.Since(start).Round(time.Millisecond))
	if n := tp.p.sessionCount(); n != 1 {
		t.Errorf("after 100 000 anonymous requests %d sessions are stored, want 1", n)
	}
	if !admin.signedIn() {
		t.Errorf("after 100 000 anonymous requests the admin is signed out")
	}
}

// TestSessionIdleExpiry: a session is signed out once no request has used
// it for the idle time; each request starts that time again.
func TestSessionIdleExpiry(t *testing.T) {
	clk := clock.NewMock()
	tp := newTestPortalWith(t, sessionOptions{Idle: 30 * time.Minute, MaxAge: 8 * time.Hour, Clock: clk})
	c := tp.signIn(t, "office-admin")
	clk.Add(29 * time.Minute)
	if !c.signedIn() {
		t.Fatalf("signed out after 29 minutes idle, idle limit 30")
	}
	clk.Add(29 * time.Minute) // 58 minutes after sign-in, 29 after the last request
	if !c.signedIn() {
		t.Fatalf("signed out 29 minutes after the last request: a request must restart the idle time")
	}
	clk.Add(30 * time.Minute)
	if c.signedIn() {
		t.Errorf("still signed in after 30 minutes idle, idle limit 30")
	}
	if n := tp.p.sessionCount(); n != 0 {
		t.Errorf("an expired session is still stored: %d sessions, want 0", n)
	}
}

// TestSessionAbsoluteExpiry: a session is signed out at its maximum age
// however busy it is.
func TestSessionAbsoluteExpiry(t *testing.T) {
	clk := clock.NewMock()
	tp := newTestPortalWith(t, sessionOptions{Idle: 30 * time.Minute, MaxAge: 8 * time.Hour, Clock: clk})
	c := tp.signIn(t, "company-admin")
	// A request every 20 minutes: never idle for 30.
	for elapsed := 20 * time.Minute; elapsed < 8*time.Hour; elapsed += 20 * time.Minute {
		clk.Add(20 * time.Minute)
		if !c.signedIn() {
			t.Fatalf("signed out %v after sign-in, busy, maximum age 8h", elapsed)
		}
	}
	clk.Add(20 * time.Minute) // 8h after sign-in
	if c.signedIn() {
		t.Errorf("still signed in 8h after sign-in, maximum age 8h")
	}
	// Signing in again starts a new session with a new age.
	c = tp.signIn(t, "company-admin")
	clk.Add(20 * time.Minute)
	if !c.signedIn() {
		t.Errorf("a new sign-in after the maximum age does not work")
	}
}

// TestSessionDefaults: the documented bounds are the defaults.
func TestSessionDefaults(t *testing.T) {
	o := sessionOptions{}.withDefaults()
	if o.Idle != 30*time.Minute || o.MaxAge != 8*time.Hour || o.Max != 1000 || o.Clock == nil {
		t.Errorf("defaults: idle %v, max age %v, max %d; want 30m0s, 8h0m0s, 1000", o.Idle, o.MaxAge, o.Max)
	}
}

// TestSessionBound: at the bound a new sign-in signs out the session idle
// the longest (not the oldest sign-in) and no other; signing in again from
// a signed-in browser replaces its session rather than adding one.
func TestSessionBound(t *testing.T) {
	clk := clock.NewMock()
	tp := newTestPortalWith(t, sessionOptions{Max: 3, Clock: clk})
	a := tp.signIn(t, "company-admin")
	clk.Add(time.Minute)
	b := tp.signIn(t, "office-admin")
	clk.Add(time.Minute)
	c := tp.signIn(t, "member")
	clk.Add(time.Minute)
	// a signed in first but works on; c has been idle the longest.
	if !a.signedIn() || !b.signedIn() {
		t.Fatalf("signed out before the bound was reached")
	}
	clk.Add(time.Minute)
	// Signing in again from a signed-in browser does not add a session.
	b.get("/signin")
	if code, _ := b.post("/signin", url.Values{"account": {"office-admin"}}); code != http.StatusOK {
		t.Fatalf("sign in again: %d", code)
	}
	if n := tp.p.sessionCount(); n != 3 {
		t.Fatalf("after signing in again %d sessions are stored, want 3", n)
	}
	clk.Add(time.Minute)
	d := tp.signIn(t, "member")
	if n := tp.p.sessionCount(); n != 3 {
		t.Errorf("%d sessions are stored, bound 3", n)
	}
	if c.signedIn() {
		t.Errorf("the session idle the longest is still signed in past the bound")
	}
	for name, cl := range map[string]*client{"a": a, "b": b, "d": d} {
		if !cl.signedIn() {
			t.Errorf("%s was signed out; only the session idle the longest should be", name)
		}
	}
}

// TestSignInFormCSRF: the sign-in form is refused without its token, with
// the token of another browser's cookie, with a token but no cookie, and
// from another site; a refused sign-in stores nothing.
func TestSignInFormCSRF(t *testing.T) {
	tp := newTestPortal(t)
	form := func(csrf string) url.Values { return url.Values{"account": {"company-admin"}, "csrf": {csrf}} }

	fresh := tp.client(t) // has never read a page: no cookie, no token
	if code, _ := fresh.post("/signin", form("")); code != http.StatusForbidden {
		t.Errorf("sign-in with neither cookie nor token: %d, want 403", code)
	}
	a, b := tp.client(t), tp.client(t)
	a.get("/signin")
	b.get("/signin")
	if a.csrf == "" {
		t.Fatalf("the sign-in page carries no token")
	}
	if code, _ := a.post("/signin", form("")); code != http.StatusForbidden {
		t.Errorf("sign-in without the token: %d, want 403", code)
	}
	if code, _ := a.post("/signin", form(b.csrf)); code != http.StatusForbidden {
		t.Errorf("sign-in with another browser's token: %d, want 403", code)
	}
	if code, _ := fresh.post("/signin", form(a.csrf)); code != http.StatusForbidden {
		t.Errorf("sign-in with a token but not its cookie: %d, want 403", code)
	}
	for _, h := range []http.Header{{"Sec-Fetch-Site": {"cross-site"}}, {"Origin": {"https://attacker.example"}}} {
		req, _ := http.NewRequest(http.MethodPost, a.base+"/signin", strings.NewReader(form(a.csrf).Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		for k, v := range h {
			req.Header[k] = v
		}
		if code, _ := a.do(req); code != http.StatusForbidden {
			t.Errorf("sign-in with the right token from another site (%v): %d, want 403", h, code)
		}
	}
	if n := tp.p.sessionCount(); n != 0 {
		t.Fatalf("after refused sign-ins %d sessions are stored, want 0", n)
	}
	if a.signedIn() || fresh.signedIn() {
		t.Fatalf("a refused sign-in signed in")
	}
	a.get("/signin")
	if code, _ := a.post("/signin", form(a.csrf)); code != http.StatusOK || !a.signedIn() {
		t.Errorf("sign-in with the token of its own cookie: %d, not signed in", code)
	}
	if n := tp.p.sessionCount(); n != 1 {
		t.Errorf("after a sign-in %d sessions are stored, want 1", n)
	}
}

// TestSignOut: sign-out needs the session's token, forgets the session,
// and the old cookie no longer signs anyone in.
func TestSignOut(t *testing.T) {
	tp := newTestPortal(t)
	c := tp.signIn(t, "company-admin")
	other := tp.signIn(t, "member")
	base, _ := url.Parse(c.base)
	var old *http.Cookie
	for _, k := range c.http.Jar.Cookies(base) {
		if k.Name == sessionCookie {
			old = k
		}
	}
	if old == nil {
		t.Fatalf("no session cookie after sign-in")
	}
	c.get("/users")
	if code, _ := c.post("/signout", url.Values{"csrf": {"nope"}}); code != http.StatusForbidden || !c.signedIn() {
		t.Fatalf("sign-out with a bad token: %d, want 403 and still signed in", code)
	}
	code, body := c.post("/signout", url.Values{})
	if code != http.StatusOK || !strings.Contains(body, `action="/signin"`) {
		t.Fatalf("sign-out: %d, want the sign-in page", code)
	}
	if c.signedIn() {
		t.Errorf("still signed in after sign-out")
	}
	if n := tp.p.sessionCount(); n != 1 {
		t.Errorf("after one of two signs out %d sessions are stored, want 1", n)
	}
	// The old cookie, replayed, is a stranger.
	req := httptest.NewRequest(http.MethodGet, "/users", nil)
	req.AddCookie(old)
	rec := httptest.NewRecorder()
	tp.p.ServeHTTP(rec, req)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/signin" {
		t.Errorf("GET /users with the signed-out cookie: %d to %q, want 303 to /signin", rec.Code, rec.Header().Get("Location"))
	}
	if !other.signedIn() {
		t.Errorf("someone else's sign-out signed out the member")
	}
}
