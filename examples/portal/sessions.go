package main

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/lifeline-go/lifeline"
)

// sessionOptions bound the signed-in sessions the portal keeps in memory.
// The zero value of a field takes its default.
type sessionOptions struct {
	// Idle signs a session out once no request has used it for this
	// long. Default 30 minutes.
	Idle time.Duration
	// MaxAge signs a session out this long after sign-in, however busy
	// it is. Default 8 hours: a working day.
	MaxAge time.Duration
	// Max is how many signed-in sessions are kept at once. At the bound,
	// a new sign-in signs out the session idle the longest. Default 1000.
	Max int
	// Clock is read for expiry; tests pass a mock. Default the wall clock.
	Clock clock.Clock
}

// Default session bounds; main.go's flags start from these.
const (
	defaultSessionIdle   = 30 * time.Minute
	defaultSessionMaxAge = 8 * time.Hour
	defaultMaxSessions   = 1000
)

func (o sessionOptions) withDefaults() sessionOptions {
	if o.Idle <= 0 {
		o.Idle = defaultSessionIdle
	}
	if o.MaxAge <= 0 {
		o.MaxAge = defaultSessionMaxAge
	}
	if o.Max <= 0 {
		o.Max = defaultMaxSessions
	}
	if o.Clock == nil {
		o.Clock = clock.New()
	}
	return o
}

// session is the state of one signed-in browser, kept on the server: the
// cookie holds only a random id. Personal data a page needs (the search
// text) stays here, out of URLs and logs.
//
// A visitor who has not signed in gets a session value too, so that pages
// render the same way, but it is never stored: its id is empty and its
// csrf is the sign-in form's token (see [portal.signinToken]).
type session struct {
	id   string
	csrf string
	// actor is who the visitor signed in as; the zero Actor before.
	actor lifeline.Actor
	role  string
	// search is the text of the users search, kept here so it never
	// appears in a URL.
	search string
	// numberSearch is the text of the reserved numbers' own search.
	numberSearch string
	// flash is a one-time message for the next page.
	flash string
	// created is when the session signed in, lastSeen when a request
	// last used it: the absolute and the idle expiry count from them.
	created, lastSeen time.Time
}

// signedIn reports whether the session acts as a demo account.
func (s *session) signedIn() bool { return s.actor.ID != "" }

const (
	// sessionCookie holds a signed-in session's id.
	sessionCookie = "portal_session"
	// signinCookie holds a random value the sign-in form's token is
	// bound to, so the form needs nothing stored on the server.
	signinCookie = "portal_signin"
)

// expired reports whether s is past its idle or absolute expiry at now.
func (p *portal) expired(s *session, now time.Time) bool {
	return now.Sub(s.lastSeen) >= p.sessions.opts.Idle || now.Sub(s.created) >= p.sessions.opts.MaxAge
}

// sessionStore is the signed-in sessions, by id; p.mu guards it.
type sessionStore struct {
	opts sessionOptions
	byID map[string]*session
}

// sessionOf returns the request's signed-in session, or, when the request
// has none the server knows or it has expired, an anonymous session that
// is not stored. A request never adds a session: only signing in does.
func (p *portal) sessionOf(w http.ResponseWriter, r *http.Request) *session {
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, err := r.Cookie(sessionCookie); err == nil {
		s, ok := p.sessions.byID[c.Value]
		now := p.sessions.opts.Clock.Now()
		if ok && !p.expired(s, now) {
			s.lastSeen = now
			return s
		}
		if ok {
			delete(p.sessions.byID, s.id)
		}
		// An unknown or expired id: the browser may forget it.
		http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	return p.anonymous(w, r)
}

// anonymous is the session value of a visitor who has not signed in. Its
// CSRF token is the HMAC, under the portal's secret, of a random value in
// the visitor's sign-in cookie: a page read with a safe method sets that
// cookie when it is missing, and a form posted back must carry the token
// of the cookie it comes with. A forger can read neither the cookie nor
// the token, and cannot make a token for a cookie it planted without the
// secret; nothing is kept on the server.
func (p *portal) anonymous(w http.ResponseWriter, r *http.Request) *session {
	s := &session{}
	value := ""
	if c, err := r.Cookie(signinCookie); err == nil && c.Value != "" && len(c.Value) <= 64 {
		value = c.Value
	} else if r.Method == http.MethodGet || r.Method == http.MethodHead {
		value = randomID()
		http.SetCookie(w, &http.Cookie{Name: signinCookie, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	}
	if value != "" {
		s.csrf = p.signinToken(value)
	}
	return s
}

// signinToken is the sign-in form's CSRF token for a sign-in cookie's
// value.
func (p *portal) signinToken(cookie string) string {
	m := hmac.New(sha256.New, p.secret)
	m.Write([]byte("portal sign-in form\x00"))
	m.Write([]byte(cookie))
	return hex.EncodeToString(m.Sum(nil))
}

// startSession signs a browser in as actor: it forgets the session the
// request came with, if any, and stores a new one under a new id, so an id
// fixed before sign-in does not carry over. Expired sessions are dropped
// first; if the bound is still reached, the session idle the longest is
// signed out to make room. Anonymous requests never reach here, so they
// never sign anyone out.
func (p *portal) startSession(w http.ResponseWriter, old *session, actor lifeline.Actor, role string) *session {
	p.mu.Lock()
	defer p.mu.Unlock()
	st := &p.sessions
	if old.id != "" {
		delete(st.byID, old.id)
	}
	now := st.opts.Clock.Now()
	for id, s := range st.byID {
		if p.expired(s, now) {
			delete(st.byID, id)
		}
	}
	if len(st.byID) >= st.opts.Max {
		var oldest *session
		for _, s := range st.byID {
			if oldest == nil || s.lastSeen.Before(oldest.lastSeen) {
				oldest = s
			}
		}
		delete(st.byID, oldest.id)
		p.log.Info("session limit reached: signed out the session idle the longest", "max", st.opts.Max)
	}
	s := &session{id: randomID(), csrf: randomID(), actor: actor, role: role, created: now, lastSeen: now}
	st.byID[s.id] = s
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: s.id, Path: "/", HttpOnly: true, SameSite: http.SameSiteStrictMode})
	// The sign-in cookie has done its work.
	http.SetCookie(w, &http.Cookie{Name: signinCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
	return s
}

// endSession signs s out: it forgets it, and the browser its cookie.
func (p *portal) endSession(w http.ResponseWriter, s *session) {
	p.mu.Lock()
	if s.id != "" {
		delete(p.sessions.byID, s.id)
	}
	p.mu.Unlock()
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, SameSite: http.SameSiteStrictMode})
}
