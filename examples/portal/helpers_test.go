package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
)

// lockedBuffer is a log sink tests read while the server writes.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// testPortal is a seeded portal on a fresh database, its log and an
// httptest server in front of it.
type testPortal struct {
	p   *portal
	srv *httptest.Server
	log *lockedBuffer
}

func newTestPortal(tb testing.TB) *testPortal {
	tb.Helper()
	return newTestPortalWith(tb, sessionOptions{})
}

// newTestPortalWith is newTestPortal with its sessions bounded by opts.
func newTestPortalWith(tb testing.TB, opts sessionOptions) *testPortal {
	tb.Helper()
	logs := &lockedBuffer{}
	p, closeStore, err := open(context.Background(), filepath.Join(tb.TempDir(), "portal.db"), opts, slog.New(slog.NewTextHandler(logs, nil)))
	if err != nil {
		tb.Fatalf("open: %v", err)
	}
	tb.Cleanup(closeStore)
	srv := httptest.NewServer(p)
	tb.Cleanup(srv.Close)
	return &testPortal{p: p, srv: srv, log: logs}
}

// client is a browser stand-in: a cookie jar, and the CSRF token of the
// last page it read.
type client struct {
	tb   testing.TB
	base string
	http *http.Client
	csrf string
}

func (tp *testPortal) client(tb testing.TB) *client {
	jar, _ := cookiejar.New(nil)
	return &client{tb: tb, base: tp.srv.URL, http: &http.Client{Jar: jar}}
}

// signIn signs a new client in as one of the demo accounts.
func (tp *testPortal) signIn(tb testing.TB, account string) *client {
	tb.Helper()
	c := tp.client(tb)
	c.get("/signin")
	if code, body := c.post("/signin", url.Values{"account": {account}}); code != http.StatusOK {
		tb.Fatalf("sign in as %s: %d\n%s", account, code, body)
	}
	return c
}

var csrfRE = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

func (c *client) do(req *http.Request) (int, string) {
	c.tb.Helper()
	resp, err := c.http.Do(req)
	if err != nil {
		c.tb.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if m := csrfRE.FindSubmatch(b); m != nil {
		c.csrf = string(m[1])
	}
	return resp.StatusCode, string(b)
}

func (c *client) get(path string) (int, string) {
	c.tb.Helper()
	req, _ := http.NewRequest(http.MethodGet, c.base+path, nil)
	return c.do(req)
}

// post sends a form with the client's CSRF token (unless the form has a
// csrf field of its own) and follows the redirect.
func (c *client) post(path string, form url.Values) (int, string) {
	c.tb.Helper()
	if !form.Has("csrf") {
		form.Set("csrf", c.csrf)
	}
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return c.do(req)
}
