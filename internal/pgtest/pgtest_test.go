package pgtest

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) {
	code := m.Run()
	StopShared()
	os.Exit(code)
}

// needBinaries skips the test when the binaries are missing and CI does not
// require them, and fails it when CI does.
func needBinaries(t *testing.T) {
	t.Helper()
	if _, err := Binaries(); err != nil {
		if errors.Is(err, ErrNoBinaries) && !Required() {
			t.Skip(err)
		}
		t.Fatal(err)
	}
}

func TestStartCreateStop(t *testing.T) {
	needBinaries(t)
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()

	begin := time.Now()
	srv, err := Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("Start took %v (dir %s)", time.Since(begin).Round(time.Millisecond), srv.dir)
	stopped := false
	defer func() {
		if !stopped {
			_ = srv.Stop()
		}
	}()

	if len(srv.dir)+len("/.s.PGSQL.5432") > maxSocketPath {
		t.Errorf("socket path %s/.s.PGSQL.5432 too long", srv.dir)
	}
	if _, err := os.Stat(srv.log); err != nil {
		t.Errorf("server log: %v", err)
	}

	maint, err := pgx.Connect(ctx, srv.DSN())
	if err != nil {
		t.Fatal(err)
	}
	var dbname string
	if err := maint.QueryRow(ctx, "SELECT current_database()").Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	if dbname != "postgres" {
		t.Errorf("DSN database = %q, want postgres", dbname)
	}
	var settings [4]string
	if err := maint.QueryRow(ctx, `SELECT current_setting('fsync'), current_setting('synchronous_commit'),
		current_setting('full_page_writes'), current_setting('max_connections')`).Scan(
		&settings[0], &settings[1], &settings[2], &settings[3]); err != nil {
		t.Fatal(err)
	}
	if want := [4]string{"off", "off", "off", "200"}; settings != want {
		t.Errorf("fsync, synchronous_commit, full_page_writes, max_connections = %v, want %v", settings, want)
	}
	_ = maint.Close(ctx)

	var dsns []string
	for i := range 2 {
		begin := time.Now()
		dsn, err := srv.CreateDatabase(ctx)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("CreateDatabase took %v: %s", time.Since(begin).Round(time.Millisecond), dsn)
		dsns = append(dsns, dsn)
		exercise(ctx, t, dsn, i)
	}
	if dsns[0] == dsns[1] {
		t.Errorf("two databases share DSN %s", dsns[0])
	}
	// Each database sees only its own rows.
	for i, dsn := range dsns {
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		var n int
		if err := conn.QueryRow(ctx, "SELECT count(*) FROM items").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			t.Errorf("database %d has %d rows, want 1", i, n)
		}
		_ = conn.Close(ctx)
	}

	pid := srv.postmasterPID()
	if pid == 0 {
		t.Error("no postmaster.pid while running")
	}
	begin = time.Now()
	if err := srv.Stop(); err != nil {
		t.Fatal(err)
	}
	t.Logf("Stop took %v", time.Since(begin).Round(time.Millisecond))
	stopped = true
	if err := srv.Stop(); err != nil {
		t.Errorf("second Stop: %v", err)
	}
	if _, err := os.Stat(srv.dir); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("temp dir %s still there after Stop: %v", srv.dir, err)
	}
	if _, err := pgx.Connect(ctx, dsns[0]); err == nil {
		t.Error("connected after Stop")
	}
	if _, err := srv.CreateDatabase(ctx); err == nil {
		t.Error("CreateDatabase after Stop succeeded")
	}
}

// exercise runs SELECT 1 and a small table round trip in the database at dsn.
func exercise(ctx context.Context, t *testing.T, dsn string, i int) {
	t.Helper()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = conn.Close(ctx) }()

	var one int
	if err := conn.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
		t.Fatalf("SELECT 1 = %d, %v", one, err)
	}
	if _, err := conn.Exec(ctx, "CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL)"); err != nil {
		t.Fatal(err)
	}
	want := fmt.Sprintf("item ünïcode %d", i)
	if _, err := conn.Exec(ctx, "INSERT INTO items (id, name) VALUES ($1, $2)", i, want); err != nil {
		t.Fatal(err)
	}
	var got string
	if err := conn.QueryRow(ctx, "SELECT name FROM items WHERE id = $1", i).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("name = %q, want %q", got, want)
	}
}

func TestShared(t *testing.T) {
	needBinaries(t)
	a, err := Shared(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	b, err := Shared(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if a != b {
		t.Fatal("Shared returned two servers")
	}
	dsn, err := a.CreateDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	exercise(t.Context(), t, dsn, 7)

	// Concurrent callers get distinct databases.
	const n = 8
	dsns := make(chan string, n)
	errs := make(chan error, n)
	for range n {
		go func() {
			dsn, err := a.CreateDatabase(t.Context())
			dsns <- dsn
			errs <- err
		}()
	}
	seen := map[string]bool{dsn: true}
	for range n {
		if err := <-errs; err != nil {
			t.Error(err)
		}
		d := <-dsns
		if seen[d] {
			t.Errorf("duplicate DSN %s", d)
		}
		seen[d] = true
	}
}

func TestBinariesMissing(t *testing.T) {
	t.Setenv("LIFELINE_PG_BIN", t.TempDir())
	_, err := Binaries()
	if !errors.Is(err, ErrNoBinaries) {
		t.Fatalf("Binaries with empty LIFELINE_PG_BIN: %v, want ErrNoBinaries", err)
	}
	t.Log(err)
}

func TestStartCanceled(t *testing.T) {
	needBinaries(t)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	srv, err := Start(ctx)
	if err == nil {
		_ = srv.Stop()
		t.Fatal("Start with a canceled context succeeded")
	}
	t.Log(err)
}

func TestVersionLess(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"9.6", "15", true},
		{"15", "9.6", false},
		{"15", "16", true},
		{"16", "16", false},
		{"10", "9.6", false},
	} {
		if got := versionLess(c.a, c.b); got != c.want {
			t.Errorf("versionLess(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestDSNQuoting(t *testing.T) {
	cfg, err := pgx.ParseConfig(connString(`/tmp/it's a \dir`, "db"))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Host != `/tmp/it's a \dir` || cfg.Database != "db" || cfg.User != "postgres" || cfg.Port != port {
		t.Errorf("parsed %q %q %q %d", cfg.Host, cfg.Database, cfg.User, cfg.Port)
	}
}
