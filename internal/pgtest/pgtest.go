// Package pgtest starts throwaway PostgreSQL servers for tests, from the
// PostgreSQL binaries installed on the machine: no Docker, no network.
//
// [Start] runs initdb into a fresh temporary directory made with
// [os.MkdirTemp] (a short name such as /tmp/pg123456, falling back to /tmp
// when $TMPDIR is too long for a unix socket path), then starts the server
// with pg_ctl and waits until it accepts connections. The directory holds
// everything:
//
//	/tmp/pgNNN/                 the server's unix socket (.s.PGSQL.5432)
//	/tmp/pgNNN/data/            the cluster
//	/tmp/pgNNN/data/server.log  the server log
//
// The server listens on that unix socket only (listen_addresses is empty), so
// there is no TCP port to race for. It is tuned for speed over durability
// (fsync, synchronous_commit and full_page_writes are off; initdb runs with
// --no-sync), uses UTF8 encoding with the C locale, trusts every local
// connection and has one superuser role, "postgres".
//
// initdb, pg_ctl and postgres refuse to run as root. When the test process is
// root, pgtest runs them as the "postgres" system user if there is one, else
// as "nobody", and hands the temporary directory to that user.
//
// [Server.CreateDatabase] makes a new, uniquely named database and returns a
// connection string for it that pgx (and libpq) accept, so tests sharing a
// server do not see each other's tables. [Server.Stop] stops the server
// (pg_ctl stop -m immediate) and removes the temporary directory; if Start
// fails, it cleans up the same way before returning. If the test process dies
// before Stop runs, the server keeps running, holding no TCP port, until
// stopped by hand: pg_ctl stop -D /tmp/pgNNN/data -m immediate.
//
// [Binaries] says where the binaries are: $LIFELINE_PG_BIN if set, else the
// newest /usr/lib/postgresql/*/bin (Debian and Ubuntu), else $PATH. When
// there are none it returns an error wrapping [ErrNoBinaries] that says how
// to install them (.ci/install-postgres in this repository does it on CI).
//
// A test binary normally shares one server through [Shared] and stops it
// from TestMain:
//
//	func TestMain(m *testing.M) {
//		code := m.Run()
//		pgtest.StopShared()
//		os.Exit(code)
//	}
//
//	func TestStore(t *testing.T) {
//		srv, err := pgtest.Shared(t.Context())
//		if errors.Is(err, pgtest.ErrNoBinaries) && !pgtest.Required() {
//			t.Skip(err)
//		}
//		if err != nil {
//			t.Fatal(err)
//		}
//		dsn, err := srv.CreateDatabase(t.Context())
//		...
//	}
//
// [Required] is the policy: under CI (CI=true) a test that cannot start the
// server must fail; elsewhere a machine without PostgreSQL skips those tests
// with the install hint.
package pgtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// ErrNoBinaries reports that the PostgreSQL server binaries (initdb, pg_ctl,
// postgres) are not installed where pgtest looks for them.
var ErrNoBinaries = errors.New("pgtest: PostgreSQL server binaries (initdb, pg_ctl, postgres) not found")

const (
	// superuser is the role initdb creates and every connection string uses.
	superuser = "postgres"
	// port only names the socket file: the server listens on no TCP port.
	port = 5432
	// defaultStartTimeout bounds pg_ctl start when ctx has no deadline.
	defaultStartTimeout = 60 * time.Second
	// stopTimeout bounds pg_ctl stop.
	stopTimeout = 30 * time.Second
	// maxSocketPath is the unix socket path limit (sun_path is 108 bytes
	// with its terminating NUL on Linux, 104 on the BSDs).
	maxSocketPath = 103
)

var binaryNames = []string{"initdb", "pg_ctl", "postgres"}

const installHint = "install them (Debian/Ubuntu: apt-get install postgresql, or run .ci/install-postgres) or set LIFELINE_PG_BIN to the directory holding them"

// Binaries returns the directory holding initdb, pg_ctl and postgres:
// $LIFELINE_PG_BIN if set, else the highest version under
// /usr/lib/postgresql/*/bin, else the directory of initdb on $PATH. If none
// holds all three, the error wraps [ErrNoBinaries] and says how to install
// them.
func Binaries() (dir string, err error) {
	if dir := os.Getenv("LIFELINE_PG_BIN"); dir != "" {
		if missing := missingBinaries(dir); missing != "" {
			return "", fmt.Errorf("%w: LIFELINE_PG_BIN=%s has no %s; %s", ErrNoBinaries, dir, missing, installHint)
		}
		return dir, nil
	}
	if dir := debianBinaries(); dir != "" {
		return dir, nil
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		dir := filepath.Dir(path)
		if missingBinaries(dir) == "" {
			return dir, nil
		}
	}
	return "", fmt.Errorf("%w in /usr/lib/postgresql/*/bin or on PATH; %s", ErrNoBinaries, installHint)
}

// debianBinaries returns the newest /usr/lib/postgresql/<version>/bin that
// holds all the binaries, or "".
func debianBinaries() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		return versionLess(filepath.Base(filepath.Dir(dirs[j])), filepath.Base(filepath.Dir(dirs[i])))
	})
	for _, dir := range dirs {
		if missingBinaries(dir) == "" {
			return dir
		}
	}
	return ""
}

// versionLess compares dotted versions such as "9.6" and "15" numerically.
func versionLess(a, b string) bool {
	as, bs := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(as) && i < len(bs); i++ {
		an, aerr := strconv.Atoi(as[i])
		bn, berr := strconv.Atoi(bs[i])
		if aerr != nil || berr != nil {
			if as[i] != bs[i] {
				return as[i] < bs[i]
			}
			continue
		}
		if an != bn {
			return an < bn
		}
	}
	return len(as) < len(bs)
}

// missingBinaries returns the names of the binaries dir lacks, or "".
func missingBinaries(dir string) string {
	var missing []string
	for _, name := range binaryNames {
		fi, err := os.Stat(filepath.Join(dir, name))
		if err != nil || fi.IsDir() || fi.Mode().Perm()&0o111 == 0 {
			missing = append(missing, name)
		}
	}
	return strings.Join(missing, ", ")
}

// Server is a running throwaway PostgreSQL server. Its methods are safe for
// concurrent use.
type Server struct {
	bin  string // directory of initdb, pg_ctl, postgres
	dir  string // temporary directory: socket, data/
	data string // data directory
	log  string // server log
	cred *syscall.Credential
	dsn  string

	seq atomic.Uint64 // database name counter

	mu      sync.Mutex
	stopped bool
	stopErr error
}

// Start creates a cluster in a new temporary directory, starts a server on a
// unix socket in that directory and waits, within ctx, until it accepts
// connections. The caller must call [Server.Stop]. On failure nothing is left
// behind and the error includes the end of the server log.
func Start(ctx context.Context) (*Server, error) {
	bin, err := Binaries()
	if err != nil {
		return nil, err
	}
	cred, err := serverCredential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(cred != nil), "pg")
	if err != nil {
		return nil, fmt.Errorf("pgtest: %w", err)
	}
	s := &Server{
		bin:  bin,
		dir:  dir,
		data: filepath.Join(dir, "data"),
		log:  filepath.Join(dir, "data", "server.log"),
		cred: cred,
		dsn:  connString(dir, "postgres"),
	}
	if err := s.start(ctx); err != nil {
		_ = s.Stop()
		return nil, err
	}
	return s, nil
}

// serverCredential returns the user to run the server as: nil (the current
// user) unless the process is root.
func serverCredential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	var lastErr error
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			lastErr = err
			continue
		}
		uid, err := strconv.ParseUint(u.Uid, 10, 32)
		if err != nil {
			lastErr = err
			continue
		}
		gid, err := strconv.ParseUint(u.Gid, 10, 32)
		if err != nil {
			lastErr = err
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, fmt.Errorf("pgtest: running as root, and PostgreSQL refuses to; no postgres or nobody user to run it as: %w", lastErr)
}

// tempBase returns the parent for the temporary directory: os.TempDir()
// unless the socket path would be too long there, or, when the server runs
// as another user, that user could not reach it.
func tempBase(otherUser bool) string {
	base := os.TempDir()
	// MkdirTemp adds "/pg" and up to 10 digits; the socket adds "/.s.PGSQL.5432".
	if len(base)+len("/pg0123456789/.s.PGSQL.5432") > maxSocketPath {
		return "/tmp"
	}
	if otherUser && !worldSearchable(base) {
		return "/tmp"
	}
	return base
}

// worldSearchable reports whether every directory from / down to dir lets
// any user through.
func worldSearchable(dir string) bool {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return false
	}
	for {
		fi, err := os.Stat(dir)
		if err != nil || fi.Mode().Perm()&0o001 == 0 {
			return false
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return true
		}
		dir = parent
	}
}

func (s *Server) start(ctx context.Context) error {
	if s.cred != nil {
		if err := os.Chown(s.dir, int(s.cred.Uid), int(s.cred.Gid)); err != nil {
			return fmt.Errorf("pgtest: give %s to the server user: %w", s.dir, err)
		}
	}

	out, err := s.run(ctx, "initdb",
		"--pgdata="+s.data,
		"--username="+superuser,
		"--auth=trust",
		"--encoding=UTF8",
		"--locale=C",
		"--no-sync",
	)
	if err != nil {
		return fmt.Errorf("pgtest: initdb: %w%s", err, tail(out))
	}

	conf := fmt.Sprintf(`
# pgtest: a throwaway server for tests.
listen_addresses = ''
unix_socket_directories = %s
port = %d
max_connections = 200
fsync = off
synchronous_commit = off
full_page_writes = off
`, quoteLiteral(s.dir), port)
	f, err := os.OpenFile(filepath.Join(s.data, "postgresql.conf"), os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}
	_, err = f.WriteString(conf)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("pgtest: %w", err)
	}

	timeout := defaultStartTimeout
	if deadline, ok := ctx.Deadline(); ok {
		timeout = time.Until(deadline)
	}
	secs := max(int((timeout+time.Second-1)/time.Second), 1)
	out, err = s.run(ctx, "pg_ctl", "start",
		"--pgdata="+s.data,
		"--log="+s.log,
		"--wait",
		"--timeout="+strconv.Itoa(secs),
	)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil {
			err = fmt.Errorf("%w (%w)", ctxErr, err)
		}
		return fmt.Errorf("pgtest: pg_ctl start: %w%s\nserver log %s:%s", err, tail(out), s.log, tailFile(s.log))
	}
	return nil
}

// run runs one of the PostgreSQL binaries as the server user and returns its
// combined output.
func (s *Server) run(ctx context.Context, name string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, filepath.Join(s.bin, name), args...)
	cmd.Dir = s.dir // reachable by the server user, unlike perhaps the working directory
	cmd.Env = serverEnv()
	if s.cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: s.cred}
	}
	// pg_ctl starts the postmaster with its output sent to the log; should
	// anything still hold our pipe, stop waiting for it.
	cmd.WaitDelay = 5 * time.Second
	var buf bytes.Buffer
	cmd.Stdout = &buf
	cmd.Stderr = &buf
	err := cmd.Run()
	return buf.Bytes(), err
}

// serverEnv is the environment minus the libpq and PostgreSQL variables that
// could point the binaries at another cluster, plus a C locale for messages.
func serverEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "PG") || strings.HasPrefix(kv, "LC_") || strings.HasPrefix(kv, "LANG=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "LC_ALL=C")
}

// DSN returns the connection string for the server's "postgres" maintenance
// database.
func (s *Server) DSN() string { return s.dsn }

// CreateDatabase creates a new, empty database with a name unique on this
// server and returns a connection string for it (keyword/value form, for
// pgx.Connect, pgxpool.New or libpq).
func (s *Server) CreateDatabase(ctx context.Context) (dsn string, err error) {
	s.mu.Lock()
	stopped := s.stopped
	s.mu.Unlock()
	if stopped {
		return "", errors.New("pgtest: CreateDatabase on a stopped server")
	}
	name := fmt.Sprintf("test_%d", s.seq.Add(1))
	conn, err := pgx.Connect(ctx, s.dsn)
	if err != nil {
		return "", fmt.Errorf("pgtest: connect to %s: %w", s.dir, err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		return "", fmt.Errorf("pgtest: create database %s: %w", name, err)
	}
	return connString(s.dir, name), nil
}

// Stop stops the server at once (pg_ctl stop -m immediate) and removes its
// temporary directory. Calling it again returns the first call's result.
func (s *Server) Stop() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.stopped {
		return s.stopErr
	}
	s.stopped = true

	var errs []error
	pid := s.postmasterPID()
	if pid > 0 {
		ctx, cancel := context.WithTimeout(context.Background(), stopTimeout)
		out, err := s.run(ctx, "pg_ctl", "stop", "--pgdata="+s.data, "--mode=immediate", "--wait")
		cancel()
		if err != nil && syscall.Kill(pid, 0) == nil {
			// pg_ctl failed and the postmaster lives on: kill it.
			errs = append(errs, fmt.Errorf("pgtest: pg_ctl stop: %w%s", err, tail(out)))
			if err := syscall.Kill(pid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) {
				errs = append(errs, fmt.Errorf("pgtest: kill postmaster %d: %w", pid, err))
			}
		}
	}
	if err := os.RemoveAll(s.dir); err != nil {
		errs = append(errs, fmt.Errorf("pgtest: %w", err))
	}
	s.stopErr = errors.Join(errs...)
	return s.stopErr
}

// postmasterPID returns the PID in the postmaster.pid lock file, or 0.
func (s *Server) postmasterPID() int {
	b, err := os.ReadFile(filepath.Join(s.data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	pid, err := strconv.Atoi(strings.TrimSpace(line))
	if err != nil || pid <= 0 {
		return 0
	}
	return pid
}

// connString returns a keyword/value connection string for database db on the
// socket in dir.
func connString(dir, db string) string {
	return fmt.Sprintf("host=%s port=%d user=%s dbname=%s sslmode=disable",
		quoteValue(dir), port, superuser, quoteValue(db))
}

// quoteValue quotes a keyword/value connection string value.
func quoteValue(v string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v) + "'"
}

// quoteLiteral quotes a postgresql.conf string value.
func quoteLiteral(v string) string {
	return "'" + strings.ReplaceAll(v, "'", "''") + "'"
}

// tail returns the last lines of out, on lines of their own after a
// newline, for error messages; "" if out is blank.
func tail(out []byte) string {
	const maxLines, maxBytes = 30, 4000
	s := strings.TrimRight(string(out), "\n")
	if strings.TrimSpace(s) == "" {
		return ""
	}
	if len(s) > maxBytes {
		s = s[len(s)-maxBytes:]
	}
	lines := strings.Split(s, "\n")
	if len(lines) > maxLines {
		lines = lines[len(lines)-maxLines:]
	}
	return "\n" + strings.Join(lines, "\n")
}

// tailFile returns the last lines of the file at path.
func tailFile(path string) string {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return " (no log)"
	}
	if err != nil {
		return " (" + err.Error() + ")"
	}
	if t := tail(b); t != "" {
		return t
	}
	return " (empty)"
}

var shared struct {
	mu      sync.Mutex
	started bool
	srv     *Server
	err     error
}

// Shared starts one server per process, on the first call, and returns it
// (or the first call's error) to every caller. ctx bounds only that first
// start. A test binary that calls Shared must call [StopShared] from TestMain
// after m.Run.
func Shared(ctx context.Context) (*Server, error) {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if !shared.started {
		shared.started = true
		shared.srv, shared.err = Start(ctx)
	}
	return shared.srv, shared.err
}

// StopShared stops the server [Shared] started, if any. Errors are printed
// to stderr, as there is no test left to fail.
func StopShared() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.srv != nil {
		if err := shared.srv.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
}

// Required reports whether tests must fail, rather than skip, when they
// cannot start a server: true when $CI is "true" (or another true value
// strconv.ParseBool accepts, such as "1").
func Required() bool {
	ci, _ := strconv.ParseBool(os.Getenv("CI"))
	return ci
}

// NewDatabase returns the connection string of a fresh, empty database on
// the test binary's shared server ([Shared]). Without PostgreSQL binaries
// it skips the test, or fails it when [Required].
func NewDatabase(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv, err := Shared(ctx)
	if errors.Is(err, ErrNoBinaries) && !Required() {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	dsn, err := srv.CreateDatabase(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}
