package bench

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/benbjohnson/clock"
	"github.com/jackc/pgx/v5"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/postgres"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// Start is the instant every side's clock starts at.
var Start = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// CheapHash is the password hash cost of both sides, so that the store and
// the facade are measured, not argon2id.
var CheapHash = lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1}

// Admin is the actor of every facade call: a system principal, so that the
// floor writes the same audit actor ("bench", role "system").
var Admin = lifeline.System("bench")

// Backend is where a pair's databases live.
type Backend struct {
	// Name is "sqlite-FULL", "sqlite-NORMAL" or "postgres".
	Name string
	// SQLite holds the options of a SQLite backend; nil for PostgreSQL.
	SQLite []sqlite.Option
	// Postgres marks the PostgreSQL backend.
	Postgres bool
}

// Backends are the backends a benchmark runs on: SQLite at both synchronous
// settings, and PostgreSQL.
var Backends = []Backend{
	{Name: "sqlite-FULL", SQLite: []sqlite.Option{}},
	{Name: "sqlite-NORMAL", SQLite: []sqlite.Option{sqlite.WithSynchronousNormal()}},
	{Name: "postgres", Postgres: true},
}

// ErrNoPostgres is returned for the PostgreSQL backend on a machine without
// the PostgreSQL binaries.
var ErrNoPostgres = pgtest.ErrNoBinaries

// Side is one database of a pair with a facade on it. The facade runs the
// measured operations on the lifeline side and the untimed set-up on both.
type Side struct {
	Store store.Store
	Svc   *lifeline.Service
	Clock *clock.Mock
	// DB is the store's database, for the floor's connection and for dumps.
	DB *sql.DB

	close func() error
}

// Close closes the side's store (and database, if the side opened it).
func (s *Side) Close() error { return s.close() }

// World is what Seed made: one company, one office with unlimited seats,
// an inventory of numbers, users each holding one of them (user i holds
// Numbers[i]), and a template user.
type World struct {
	CompanyID, OfficeID string
	Users               []string
	Numbers             []string
	// Template is a live user holding no number, for Clone.
	Template string
}

// Seed creates w's company and office, inventory numbers and users holding
// one number each, through the facade.
func Seed(ctx context.Context, svc *lifeline.Service, users, inventory int) (World, error) {
	var w World
	if inventory < users {
		return w, fmt.Errorf("bench: %d users need at least as many numbers, not %d", users, inventory)
	}
	if inventory > 10_000 {
		return w, fmt.Errorf("bench: at most 10 000 numbers, not %d", inventory)
	}
	c, err := svc.CreateCompany(ctx, Admin, "Bench", licensing.Premium)
	if err != nil {
		return w, err
	}
	o, err := svc.CreateOffice(ctx, Admin, lifeline.NewOffice{CompanyID: c.ID, Name: "HQ", Country: "US"})
	if err != nil {
		return w, err
	}
	if _, err := svc.SetPoolTotal(ctx, Admin, o.ID, licensing.Seat, licensing.MaxTotal); err != nil {
		return w, err
	}
	w.CompanyID, w.OfficeID = c.ID, o.ID
	for i := 0; i < inventory; i += 1000 {
		var raw []string
		for j := i; j < min(i+1000, inventory); j++ {
			raw = append(raw, fmt.Sprintf("+1650253%04d", j))
		}
		ns, err := svc.AddNumbers(ctx, Admin, o.ID, "", raw...)
		if err != nil {
			return w, err
		}
		for _, n := range ns {
			w.Numbers = append(w.Numbers, n.E164)
		}
	}
	for i := range users {
		u, err := svc.CreateUser(ctx, Admin, lifeline.NewUser{OfficeID: o.ID,
			Person: lifeline.Person{FirstName: "Bench", LastName: fmt.Sprintf("User %d", i)}})
		if err != nil {
			return w, err
		}
		if _, err := svc.AssignNumber(ctx, Admin, w.Numbers[i], u.ID, lifeline.AssignOptions{}); err != nil {
			return w, err
		}
		w.Users = append(w.Users, u.ID)
	}
	t, err := svc.CreateUser(ctx, Admin, lifeline.NewUser{OfficeID: o.ID, Person: lifeline.Person{FirstName: "Template", LastName: "User"}})
	w.Template = t.ID
	return w, err
}

// Pair is two databases seeded identically: Lifeline for the facade,
// Floor for the hand-written SQL.
type Pair struct {
	Backend  Backend
	Lifeline *Side
	Floor    *Side
	World    World
}

// Close closes both sides.
func (p *Pair) Close() error {
	return errors.Join(p.Lifeline.Close(), p.Floor.Close())
}

// Tick moves both sides' clocks on by d.
func (p *Pair) Tick(d time.Duration) {
	p.Lifeline.Clock.Add(d)
	p.Floor.Clock.Add(d)
}

// OpenPair seeds one database in dir (SQLite) or on the shared test server
// (PostgreSQL) with seed, copies it, and opens a facade on each copy.
func OpenPair(ctx context.Context, b Backend, dir string, seed func(*lifeline.Service) (World, error)) (*Pair, error) {
	if b.Postgres {
		return openPostgresPair(ctx, b, seed)
	}
	a, bPath := filepath.Join(dir, "lifeline.db"), filepath.Join(dir, "floor.db")
	first, err := openSQLite(ctx, a, sqlite.WithSynchronousNormal())
	if err != nil {
		return nil, err
	}
	w, err := seed(first.Svc)
	if err := errors.Join(err, first.Close()); err != nil {
		return nil, err
	}
	for _, suffix := range []string{"", "-wal"} {
		if err := copyFile(a+suffix, bPath+suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	p := &Pair{Backend: b, World: w}
	if p.Lifeline, err = openSQLite(ctx, a, b.SQLite...); err != nil {
		return nil, err
	}
	if p.Floor, err = openSQLite(ctx, bPath, b.SQLite...); err != nil {
		p.Lifeline.Close()
		return nil, err
	}
	return p, nil
}

func copyFile(from, to string) error {
	in, err := os.Open(from)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

func newSide(st store.Store, db *sql.DB, closeFn func() error) (*Side, error) {
	clk := clock.NewMock()
	clk.Set(Start)
	svc, err := lifeline.New(st, lifeline.WithClock(clk), lifeline.WithHashParams(CheapHash))
	if err != nil {
		closeFn()
		return nil, err
	}
	return &Side{Store: st, Svc: svc, Clock: clk, DB: db, close: closeFn}, nil
}

func openSQLite(ctx context.Context, path string, opts ...sqlite.Option) (*Side, error) {
	st, err := sqlite.Open(ctx, path, opts...)
	if err != nil {
		return nil, err
	}
	return newSide(st, st.DB(), st.Close)
}

func openPostgres(ctx context.Context, dsn string) (*Side, error) {
	st, err := postgres.Open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	return newSide(st, st.DB(), st.Close)
}

func openPostgresPair(ctx context.Context, b Backend, seed func(*lifeline.Service) (World, error)) (*Pair, error) {
	srv, err := pgtest.Shared(ctx)
	if err != nil {
		return nil, err
	}
	dsn, err := srv.CreateDatabase(ctx)
	if err != nil {
		return nil, err
	}
	first, err := openPostgres(ctx, dsn)
	if err != nil {
		return nil, err
	}
	var name string
	err = first.DB.QueryRowContext(ctx, "SELECT current_database()").Scan(&name)
	if err == nil {
		var w World
		w, err = seed(first.Svc)
		if cerr := first.Close(); err == nil && cerr == nil {
			return copyPostgres(ctx, b, srv, dsn, name, w)
		} else if err == nil {
			err = cerr
		}
	}
	first.Close()
	return nil, err
}

// copyPostgres makes the floor's database a copy of the seeded one (CREATE
// DATABASE ... TEMPLATE, which needs the template without connections).
func copyPostgres(ctx context.Context, b Backend, srv *pgtest.Server, dsn, name string, w World) (*Pair, error) {
	conn, err := pgx.Connect(ctx, srv.DSN())
	if err != nil {
		return nil, err
	}
	floor := name + "_floor"
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{floor}.Sanitize()+" TEMPLATE "+pgx.Identifier{name}.Sanitize())
	conn.Close(context.WithoutCancel(ctx))
	if err != nil {
		return nil, err
	}
	floorDSN := strings.Replace(dsn, "dbname='"+name+"'", "dbname='"+floor+"'", 1)
	if floorDSN == dsn {
		return nil, fmt.Errorf("bench: cannot find dbname='%s' in the connection string", name)
	}
	p := &Pair{Backend: b, World: w}
	if p.Lifeline, err = openPostgres(ctx, dsn); err != nil {
		return nil, err
	}
	if p.Floor, err = openPostgres(ctx, floorDSN); err != nil {
		p.Lifeline.Close()
		return nil, err
	}
	return p, nil
}
