// Portal is a server-rendered admin portal that embeds lifeline: the
// example a host copies to build its own, and the proof that the facade
// serves a portal well (each page is one or two calls, and every refusal
// renders as a message an admin understands).
//
//	go run ./examples/portal                 # demo data in a new temp dir
//	go run ./examples/portal -db portal.db   # or a file of your choosing
//	go run ./examples/portal -addr 127.0.0.1:9000
//
// It listens on loopback only and prints its address. The sign-in page
// lets you act as one of three demo accounts of Acme Telecom (two offices,
// San Francisco and London): the company admin, the office admin of San
// Francisco, or a member. Authentication is the host's job; lifeline only
// authorizes, from its own role data, so the pages offer exactly what the
// account may do, and a forged request for anything else is refused with
// 403.
//
// # Pages
//
//   - Users: tabs Active, Pending, Suspended, Deleted (time left to
//     restore) and Reserved numbers, with counts; search by name, email
//     or extension; cursor paging; checkboxes for bulk actions.
//   - A user: details, numbers, licenses, recording plan and recordings,
//     and the actions its state and the account's role allow, each
//     checked by a preview; the three off-boarding options with their
//     preview; proxy into the account (a red banner while proxying).
//   - Bulk: a confirmation step with a dry run of every item, then a
//     progress view that updates as items finish, then per-item results.
//   - Licenses: pools per office; a transfer between offices with a
//     review before it is confirmed.
//   - Change sets: a bulk action staged instead of run, its preview,
//     confirm and discard; a re-sync with a demo carrier account, which
//     discards every open change set.
//   - Audit trail of a user.
//
// # Sessions
//
// Only signing in makes a session on the server; a visitor who has not
// signed in has none, so any amount of anonymous traffic adds nothing and
// signs nobody out. A session is signed out after 30 minutes without a
// request (-session-idle) and 8 hours after sign-in however busy it is
// (-session-max-age). At most 1000 are kept (-max-sessions): at the bound,
// expired sessions go first, and if none has expired, a new sign-in signs
// out the session idle the longest (rather than refusing the sign-in, so
// that browsers closed without signing out can never lock everyone out).
// Sessions live in memory: a restart signs everyone out.
//
// # Safety
//
// Every form carries a CSRF token. A signed-in session's token is random
// and kept with the session. The sign-in form's token is an HMAC, under a
// secret the portal draws at start, of a random value in a cookie the
// sign-in page sets, so the form needs nothing on the server; a token
// without its cookie, or for another cookie, is refused. A form posted from
// another site is refused too (Sec-Fetch-Site, else Origin against Host).
// Templates are html/template, so names render as text; a
// Content-Security-Policy allows no inline script. URLs carry ids only: the
// search text is kept in the server-side session, and the request log names
// routes, not paths.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on (loopback)")
	dbPath := flag.String("db", "", "SQLite database file (default: a new temp dir, removed at exit)")
	var opts sessionOptions
	flag.DurationVar(&opts.Idle, "session-idle", defaultSessionIdle, "sign a session out after this long without a request")
	flag.DurationVar(&opts.MaxAge, "session-max-age", defaultSessionMaxAge, "sign a session out this long after sign-in")
	flag.IntVar(&opts.Max, "max-sessions", defaultMaxSessions, "signed-in sessions kept at once; at the bound a sign-in signs out the session idle the longest")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := runMain(ctx, *addr, *dbPath, opts, os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "portal:", err)
		os.Exit(1)
	}
}

// runMain serves the portal on addr until ctx ends. Without dbPath it
// seeds a database in a temp dir it removes afterwards; with one, it seeds
// the file only when it is new.
func runMain(ctx context.Context, addr, dbPath string, opts sessionOptions, out, logw io.Writer) error {
	if dbPath == "" {
		dir, err := os.MkdirTemp("", "lifeline-portal")
		if err != nil {
			return err
		}
		defer os.RemoveAll(dir)
		dbPath = filepath.Join(dir, "lifeline.db")
	}
	ln, err := listenLoopback(addr)
	if err != nil {
		return err
	}
	p, closeStore, err := open(ctx, dbPath, opts, slog.New(slog.NewTextHandler(logw, nil)))
	if err != nil {
		ln.Close()
		return err
	}
	defer closeStore()
	srv := &http.Server{Handler: p, ReadHeaderTimeout: 10 * time.Second}
	fmt.Fprintf(out, "portal: http://%s/ (Ctrl-C to stop)\n", ln.Addr())
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(sctx)
	}()
	if err := srv.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// listenLoopback listens on addr, which must be a loopback address: the
// demo signs anyone in and must not be reachable from the network.
func listenLoopback(addr string) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("address %s is not a loopback address: the demo portal signs anyone in", addr)
	}
	return net.Listen("tcp", addr)
}

// open opens the store at dbPath, seeds it when it is new, and returns the
// portal over it, its sessions bounded by opts.
func open(ctx context.Context, dbPath string, opts sessionOptions, log *slog.Logger) (*portal, func(), error) {
	_, statErr := os.Stat(dbPath)
	fresh := errors.Is(statErr, os.ErrNotExist)
	st, err := sqlite.Open(ctx, dbPath)
	if err != nil {
		return nil, nil, err
	}
	fail := func(err error) (*portal, func(), error) {
		st.Close()
		return nil, nil, err
	}
	var d demo
	if fresh {
		if d, err = seed(ctx, st, time.Now()); err != nil {
			return fail(fmt.Errorf("seeding the demo data: %w", err))
		}
		if err := saveDemo(dbPath, d); err != nil {
			return fail(err)
		}
	} else if d, err = loadDemo(dbPath); err != nil {
		return fail(err)
	}
	svc, err := lifeline.New(st, lifeline.WithLogger(log))
	if err != nil {
		return fail(err)
	}
	p, err := newPortal(svc, d, newFakeCarrier(d), opts, log)
	if err != nil {
		return fail(err)
	}
	return p, func() { st.Close() }, nil
}

// demoFile is where the ids of the demo accounts are kept beside a
// database given with -db, so a second run finds them.
func demoFile(dbPath string) string { return dbPath + ".portal.json" }

func saveDemo(dbPath string, d demo) error {
	b, err := json.Marshal(d)
	if err != nil {
		return err
	}
	return os.WriteFile(demoFile(dbPath), b, 0o600)
}

func loadDemo(dbPath string) (demo, error) {
	var d demo
	b, err := os.ReadFile(demoFile(dbPath))
	if err != nil {
		return d, fmt.Errorf("%s was not made by this portal (no %s beside it): %w", filepath.Base(dbPath), filepath.Base(demoFile(dbPath)), err)
	}
	return d, json.Unmarshal(b, &d)
}
