package bench

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// largeEnv switches on the table-size benchmarks (BenchmarkLarge*): they
// seed databases of up to a million users (about a minute, once; cached
// between runs) and copy them per benchmark, so they never run in the
// default go test ./... or -bench . of this package.
const largeEnv = "LIFELINE_BENCH_LARGE"

// largeSeedVersion changes whenever seedLarge writes different rows, so
// that a cached database of an older seeding is not reused.
const largeSeedVersion = 1

// largeDue is how many of a large database's users are due for the sweep,
// whatever its size.
const largeDue = 10_000

// largeSizes are the table sizes the benchmarks compare (users in one
// company, due ones included): 100 000 and 1 000 000 for
// LIFELINE_BENCH_LARGE=1, or the comma-separated sizes it lists instead
// (multiples of largeDue, such as 100000,1000000,4000000).
func largeSizes(b *testing.B) []int {
	v := os.Getenv(largeEnv)
	if v == "1" {
		return []int{100_000, 1_000_000}
	}
	var sizes []int
	for _, f := range strings.Split(v, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < largeDue || n%largeDue != 0 {
			b.Fatalf("%s=%q: want 1 or sizes that are multiples of %d, separated by commas", largeEnv, v, largeDue)
		}
		sizes = append(sizes, n)
	}
	return sizes
}

// largeBase is the size the x-100k ratio divides by.
const largeBase = 100_000

// largeBackends are the backends of the table-size sweep: SQLite at both
// synchronous settings (PostgreSQL's size axis is argued from its plans in
// docs/PERFORMANCE.md).
var largeBackends = []Backend{Backends[0], Backends[1]}

func requireLarge(b *testing.B) {
	b.Helper()
	if os.Getenv(largeEnv) == "" {
		b.Skip("set " + largeEnv + "=1 to run the table-size benchmarks")
	}
}

// largeDir is where the seeded databases are cached between runs: the
// user's cache directory (the temp dir where there is none), never the
// repository.
func largeDir() (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = os.TempDir()
	}
	dir := filepath.Join(base, "lifeline-bench")
	return dir, os.MkdirAll(dir, 0o755)
}

// schemaKey is a short hash of the schema the store creates today, so
// that a cached database is rebuilt when a migration changes it.
func schemaKey(ctx context.Context, tmp string) (string, error) {
	side, err := openSQLite(ctx, filepath.Join(tmp, "schema.db"), sqlite.WithSynchronousNormal())
	if err != nil {
		return "", err
	}
	defer side.Close()
	rows, err := side.DB.QueryContext(ctx, `SELECT type, name, ifnull(sql, '') FROM sqlite_master ORDER BY type, name`)
	if err != nil {
		return "", err
	}
	defer rows.Close()
	h := sha256.New()
	for rows.Next() {
		var typ, name, sql string
		if err := rows.Scan(&typ, &name, &sql); err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%s\x00%s\x00", typ, name, sql)
	}
	if err := rows.Err(); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil))[:12], nil
}

var largeCache struct {
	sync.Mutex
	paths map[int]string
}

// largeDB returns the path of a cached database of n users seeded by
// seedLarge, seeding it on the first call for this size and schema.
func largeDB(b *testing.B, n int) string {
	b.Helper()
	largeCache.Lock()
	defer largeCache.Unlock()
	if p, ok := largeCache.paths[n]; ok {
		return p
	}
	ctx := context.Background()
	dir, err := largeDir()
	if err != nil {
		b.Fatal(err)
	}
	key, err := schemaKey(ctx, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(dir, fmt.Sprintf("users-%d-due-%d-seed%d-schema-%s.db", n, largeDue, largeSeedVersion, key))
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		start := time.Now()
		tmp := path + ".seeding"
		for _, s := range []string{"", "-wal", "-shm"} {
			os.Remove(tmp + s)
		}
		if err := seedLarge(ctx, tmp, n); err != nil {
			b.Fatalf("seeding %d users: %v", n, err)
		}
		if err := os.Rename(tmp, path); err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(path)
		b.Logf("seeded %d users in %s (%d MB): %s", n, time.Since(start).Round(time.Second), st.Size()>>20, path)
	} else if err != nil {
		b.Fatal(err)
	}
	if largeCache.paths == nil {
		largeCache.paths = map[int]string{}
	}
	largeCache.paths[n] = path
	return path
}

// Instants of a large database, against the benchmarks' Start.
var (
	// A due user was deleted 40 days before Start; its window ended a day
	// before Start.
	largeDueDeleted, largeDueUntil, largeDuePurge = Start.Add(-40 * 24 * time.Hour), Start.Add(-24 * time.Hour), Start.Add(20 * 24 * time.Hour)
	// A deleted user that is not due was deleted a day before Start.
	largeDeleted, largeUntil, largePurge = Start.Add(-24 * time.Hour), Start.Add(30 * 24 * time.Hour), Start.Add(60 * 24 * time.Hour)
)

// seedLarge writes a database of n users of one company and office at
// path: the company, office, pool and template user through the facade
// (Seed), then n users as set-based SQL (INSERT … SELECT over a recursive
// counter), each with a seat and its creation's audit record. largeDue of
// them, spread evenly over the ids, are deleted and due for the sweep; of
// the others, by id modulo 20, 14 in 20 are active, 3 password required
// (pending), 2 suspended and 1 deleted within its restore window. Users
// are named "Bench User <i>", have an email, and extension 20000000+i, so
// extension order is id order.
func seedLarge(ctx context.Context, path string, n int) error {
	if n < largeDue || n%largeDue != 0 {
		return fmt.Errorf("bench: %d users is not a multiple of %d", n, largeDue)
	}
	side, err := openSQLite(ctx, path, sqlite.WithSynchronousNormal())
	if err != nil {
		return err
	}
	w, err := Seed(ctx, side.Svc, 0, 1)
	if err != nil {
		side.Close()
		return err
	}
	step := n / largeDue
	users := fmt.Sprintf(`INSERT INTO users (id, company_id, office_id, parent_id, kind, extension, first_name, last_name, email, username,
password_hash, pin_hash, devices, settings, role, role_offices, analytics, proxy, billing, state, suspended_from, deleted_from,
created_at, updated_at, deleted_at, restore_until, purge_by, held_at_deletion, name_key, rname_key, email_key, username_key)
WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < %[1]d - 1),
k(i, c) AS (SELECT i, CASE WHEN i %% %[2]d = %[2]d / 2 THEN 0 WHEN i %% 20 < 14 THEN 1 WHEN i %% 20 < 17 THEN 2 WHEN i %% 20 < 19 THEN 3 ELSE 4 END FROM seq)
SELECT printf('usr_big%%08d', i), t.company_id, t.office_id, t.parent_id, t.kind, CAST(20000000 + i AS TEXT),
'Bench', 'User ' || i, 'user' || i || '@bench.example', '',
t.password_hash, t.pin_hash, t.devices, t.settings, t.role, t.role_offices, t.analytics, t.proxy, t.billing,
CASE c WHEN 1 THEN 'active' WHEN 2 THEN 'password_required' WHEN 3 THEN 'suspended' ELSE 'deleted' END,
CASE c WHEN 3 THEN 'active' ELSE '' END,
CASE WHEN c IN (0, 4) THEN 'active' ELSE '' END,
t.created_at, t.updated_at,
CASE c WHEN 0 THEN %[3]d WHEN 4 THEN %[4]d ELSE 0 END,
CASE c WHEN 0 THEN %[5]d WHEN 4 THEN %[6]d ELSE 0 END,
CASE c WHEN 0 THEN %[7]d WHEN 4 THEN %[8]d ELSE 0 END,
'null', 'bench user ' || i, 'user ' || i || ' bench', 'user' || i || '@bench.example', ''
FROM k CROSS JOIN (SELECT * FROM users WHERE id = ?) AS t`,
		n, step, largeDueDeleted.UnixNano(), largeDeleted.UnixNano(), largeDueUntil.UnixNano(), largeUntil.UnixNano(),
		largeDuePurge.UnixNano(), largePurge.UnixNano())
	big := func(col string) string { return col + ` >= 'usr_big' AND ` + col + ` < 'usr_bih'` }
	stmts := []struct {
		query string
		args  []any
	}{
		{users, []any{w.Template}},
		{`INSERT INTO user_licenses (user_id, type) SELECT id, 'seat' FROM users WHERE ` + big("id"), nil},
		{`INSERT INTO audit (at, company_id, actor_id, actor_role, on_behalf_of, action, target_kind, target_id, user_id, from_state, to_state, detail, personal)
SELECT a.at, a.company_id, a.actor_id, a.actor_role, a.on_behalf_of, a.action, a.target_kind, u.id, u.id, a.from_state, a.to_state,
'extension ' || u.extension, 'name ' || u.first_name || ' ' || u.last_name
FROM users u CROSS JOIN (SELECT * FROM audit WHERE user_id = ? AND action = 'user.create') AS a WHERE ` + big("u.id"), []any{w.Template}},
		{`UPDATE license_pools SET assigned = assigned + (SELECT COUNT(*) FROM users WHERE ` + big("id") + ` AND state <> 'deleted')
WHERE type = 'seat' AND office_id = ?`, []any{w.OfficeID}},
	}
	tx, err := side.DB.BeginTx(ctx, nil)
	if err == nil {
		for _, s := range stmts {
			if _, err = tx.ExecContext(ctx, s.query, s.args...); err != nil {
				break
			}
		}
		if err == nil {
			err = tx.Commit()
		} else {
			tx.Rollback()
		}
	}
	if err == nil {
		err = side.Store.(*sqlite.Store).Checkpoint(ctx)
	}
	return errors.Join(err, side.Close())
}

// openLarge copies the cached database of n users into dir (once per
// name) and opens a facade on the copy, with the World it holds.
func openLarge(ctx context.Context, b Backend, cached, dir, name string) (*Side, World, error) {
	var w World
	path := filepath.Join(dir, name)
	for _, s := range []string{"", "-wal"} {
		if err := copyFile(cached+s, path+s); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, w, err
		}
	}
	side, err := openSQLite(ctx, path, b.SQLite...)
	if err != nil {
		return nil, w, err
	}
	err = side.DB.QueryRowContext(ctx, `SELECT company_id, office_id, id FROM users WHERE first_name = 'Template'`).
		Scan(&w.CompanyID, &w.OfficeID, &w.Template)
	if err != nil {
		side.Close()
		return nil, w, err
	}
	return side, w, nil
}

// openLargePair opens a pair on two copies of the cached database.
func openLargePair(ctx context.Context, be Backend, cached, dir string) (*Pair, error) {
	life, w, err := openLarge(ctx, be, cached, dir, "lifeline.db")
	if err != nil {
		return nil, err
	}
	floor, _, err := openLarge(ctx, be, cached, dir, "floor.db")
	if err != nil {
		life.Close()
		return nil, err
	}
	return &Pair{Backend: be, Lifeline: life, Floor: floor, World: w}, nil
}

func readMetric(name string) uint64 {
	s := []metrics.Sample{{Name: name}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// heapMeter is a meter that also sums each side's allocated bytes and
// keeps its peak heap (the bytes of heap objects, live or not yet
// collected, sampled every millisecond while the side runs), and the
// bytes the process read and wrote through system calls meanwhile (the
// database pages SQLite read and wrote: the page cache misses, the WAL
// and the checkpoints), where /proc/self/io tells.
type heapMeter struct {
	meter
	bytes  [2]uint64
	peak   [2]uint64
	rw     [2][2]uint64
	noProc bool
}

// procIO reads the bytes the process has read and written through system
// calls (rchar and wchar of /proc/self/io, Linux only).
func procIO() (rw [2]uint64, ok bool) {
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return rw, false
	}
	found := 0
	for _, line := range strings.Split(string(data), "\n") {
		k, v, _ := strings.Cut(line, ": ")
		var i int
		switch k {
		case "rchar":
			i = 0
		case "wchar":
			i = 1
		default:
			continue
		}
		if rw[i], err = strconv.ParseUint(strings.TrimSpace(v), 10, 64); err != nil {
			return rw, false
		}
		found++
	}
	return rw, found == 2
}

func (h *heapMeter) run(b *testing.B, side int, fn func() error) {
	runtime.GC()
	done := make(chan struct{})
	sampled := make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, readMetric("/memory/classes/heap/objects:bytes"))
			select {
			case <-done:
				sampled <- peak
				return
			case <-t.C:
			}
		}
	}()
	a := readMetric("/gc/heap/allocs:bytes")
	io0, ok0 := procIO()
	h.meter.run(b, side, fn)
	io1, ok1 := procIO()
	h.bytes[side] += readMetric("/gc/heap/allocs:bytes") - a
	if ok0 && ok1 {
		h.rw[side][0] += io1[0] - io0[0]
		h.rw[side][1] += io1[1] - io0[1]
	} else {
		h.noProc = true
	}
	close(done)
	h.peak[side] = max(h.peak[side], <-sampled)
}

func (h *heapMeter) interleave(b *testing.B, life, floor func() error) {
	if h.n%2 == 0 {
		h.run(b, 0, life)
		h.run(b, 1, floor)
	} else {
		h.run(b, 1, floor)
		h.run(b, 0, life)
	}
	h.n++
}

func (h *heapMeter) report(b *testing.B, units int) {
	if h.n == 0 {
		return
	}
	h.meter.report(b, units)
	per := float64(h.n * units)
	b.ReportMetric(float64(h.bytes[0])/per, "lifeline-B/op")
	b.ReportMetric(float64(h.bytes[1])/per, "floor-B/op")
	b.ReportMetric(float64(h.peak[0])/(1<<20), "lifeline-peak-heap-MB")
	b.ReportMetric(float64(h.peak[1])/(1<<20), "floor-peak-heap-MB")
	if !h.noProc {
		b.ReportMetric(float64(h.rw[0][0])/per, "lifeline-read-B/op")
		b.ReportMetric(float64(h.rw[1][0])/per, "floor-read-B/op")
		b.ReportMetric(float64(h.rw[0][1])/per, "lifeline-written-B/op")
		b.ReportMetric(float64(h.rw[1][1])/per, "floor-written-B/op")
	}
}

// largeSweepAt keeps, per backend, the nanoseconds per user of each side
// at largeBase users, for the x-100k ratio of the larger sizes (run in the
// same process after it).
var largeSweepAt = map[string][2]float64{}

// BenchmarkLargeSweep sweeps the same largeDue due users out of 100 000
// and 1 000 000 (LIFELINE_BENCH_LARGE=1), each round on fresh copies of
// the cached database, against the floor's batched sweep. Reported per
// user, with each side's bytes allocated per user and peak heap; at
// 1 000 000 users also x-100k, lifeline's time per user over its time at
// 100 000 (and floor-x-100k, the floor's), which is the table-size cost.
func BenchmarkLargeSweep(b *testing.B) {
	requireLarge(b)
	for _, be := range largeBackends {
		b.Run(be.Name, func(b *testing.B) {
			for _, n := range largeSizes(b) {
				b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
					ctx := context.Background()
					cached := largeDB(b, n)
					var m heapMeter
					for b.Loop() {
						b.StopTimer()
						dir := b.TempDir()
						p, err := openLargePair(ctx, be, cached, dir)
						if err != nil {
							b.Fatal(err)
						}
						f, err := NewFloor(ctx, p)
						if err != nil {
							b.Fatal(err)
						}
						svc := p.Lifeline.Svc
						b.StartTimer()
						m.interleave(b, func() error {
							rep, err := svc.Sweep(ctx)
							if err == nil && rep.Anonymized != largeDue {
								err = fmt.Errorf("swept %d users, want %d", rep.Anonymized, largeDue)
							}
							return err
						}, func() error {
							n, err := f.Sweep(ctx)
							if err == nil && n != largeDue {
								err = fmt.Errorf("swept %d users, want %d", n, largeDue)
							}
							return err
						})
						b.StopTimer()
						if err := errors.Join(f.Close(), p.Close(), os.RemoveAll(dir)); err != nil {
							b.Fatal(err)
						}
						b.StartTimer()
					}
					m.report(b, largeDue)
					per := [2]float64{float64(m.dur[0].Nanoseconds()) / float64(m.n*largeDue), float64(m.dur[1].Nanoseconds()) / float64(m.n*largeDue)}
					if n == largeBase {
						largeSweepAt[be.Name] = per
					} else if base, ok := largeSweepAt[be.Name]; ok {
						b.ReportMetric(per[0]/base[0], "x-100k")
						b.ReportMetric(per[1]/base[1], "floor-x-100k")
					}
				})
			}
		})
	}
}

// SearchPage is the floor of SearchUsers's page without text: a keyset
// SELECT of a company's users that are not anonymized, of one tab ("" for
// all), after an extension, in extension order.
func (f *Floor) SearchPage(ctx context.Context, companyID string, tab lifeline.Tab, afterExt string, limit int) ([]lifecycle.User, error) {
	q, args := `SELECT `+userCols+` FROM users WHERE company_id = ? AND state <> 'anonymized' AND ext_order > ? ORDER BY ext_order LIMIT ?`,
		[]any{companyID, extOrder8(afterExt), limit}
	if tab != "" {
		q, args = `SELECT `+userCols+` FROM users WHERE company_id = ? AND state <> 'anonymized' AND tab = ? AND ext_order > ? ORDER BY ext_order LIMIT ?`,
			[]any{companyID, string(tab), extOrder8(afterExt), limit}
	}
	return f.users(ctx, q, args...)
}

// ListAll is the floor of ListUsers's page of a company without a state:
// a keyset SELECT in id order.
func (f *Floor) ListAll(ctx context.Context, companyID, afterID string, limit int) ([]lifecycle.User, error) {
	return f.users(ctx, `SELECT `+userCols+` FROM users WHERE company_id = ? AND id > ? ORDER BY id LIMIT ?`, companyID, afterID, limit)
}

// extOrder8 is the users.ext_order of an extension (zero-padded to 8).
func extOrder8(ext string) string {
	for len(ext) < 8 {
		ext = "0" + ext
	}
	return ext
}

// largePage is the page size of BenchmarkLargePage, the portal's.
const largePage = 50

// pageCase is one page shape of BenchmarkLargePage: each side reads the
// page and says how many users it holds.
type pageCase struct {
	name        string
	life, floor func() (int, error)
}

// largePageReads is how many pages each side reads per iteration of
// BenchmarkLargePage, so that the -benchtime=2x of the sweeps gives the
// pages enough reads too. The metrics are per page.
const largePageReads = 100

// BenchmarkLargePage reads one 50-user page of a company of 100 000 and
// 1 000 000 users (LIFELINE_BENCH_LARGE=1), as the admin portal asks
// (SearchUsers: one tab or all, in extension order) and as ListUsers does
// (one state or all, in id order), the first page and a deep one (by
// cursor, 90 % of the way through), against a hand-written keyset SELECT
// on its own connection to the same database. SearchUsers asks the store
// for 51 users to know whether there is a next page; so does its floor.
// Reports lifeline-ms/op (per page) beside the usual metrics (target:
// < 5 ms).
func BenchmarkLargePage(b *testing.B) {
	requireLarge(b)
	for _, n := range largeSizes(b) {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			ctx := context.Background()
			side, w, err := openLarge(ctx, Backends[0], largeDB(b, n), b.TempDir(), "pages.db")
			if err != nil {
				b.Fatal(err)
			}
			defer side.Close()
			f, err := NewFloor(ctx, &Pair{Backend: Backends[0], Lifeline: side, Floor: side, World: w})
			if err != nil {
				b.Fatal(err)
			}
			defer f.Close()
			svc := side.Svc
			// deep is the 90th-percentile id of the seeded users, and the
			// extension it holds: a cursor a client paging through would
			// send.
			deep := int(float64(n) * 0.9)
			deepID, deepExt := fmt.Sprintf("usr_big%08d", deep), strconv.Itoa(20_000_000+deep)
			var cases []pageCase
			for _, tab := range []lifeline.Tab{lifeline.TabPending, ""} {
				for _, after := range []string{"", deepExt} {
					name := "search/tab=" + string(tab)
					if tab == "" {
						name = "search/tab=all"
					}
					name += map[bool]string{true: "/first", false: "/deep"}[after == ""]
					cursor := ""
					if after != "" {
						cursor = "x" + after
					}
					cases = append(cases, pageCase{name, func() (int, error) {
						page, err := svc.SearchUsers(ctx, Admin, lifeline.UserSearch{CompanyID: w.CompanyID, Tab: tab, Cursor: cursor, Limit: largePage})
						return len(page.Users), err
					}, func() (int, error) {
						page, err := f.SearchPage(ctx, w.CompanyID, tab, after, largePage+1)
						return min(len(page), largePage), err
					}})
				}
			}
			for _, state := range []lifecycle.State{lifecycle.Suspended, ""} {
				for _, after := range []string{"", deepID} {
					name := "list/state=" + string(state)
					var states []lifecycle.State
					if state == "" {
						name = "list/state=all"
					} else {
						states = []lifecycle.State{state}
					}
					name += map[bool]string{true: "/first", false: "/deep"}[after == ""]
					cases = append(cases, pageCase{name, func() (int, error) {
						page, err := svc.ListUsers(ctx, Admin, lifeline.UserQuery{CompanyID: w.CompanyID, States: states, AfterID: after, Limit: largePage})
						return len(page), err
					}, func() (int, error) {
						var page []lifecycle.User
						var err error
						if state == "" {
							page, err = f.ListAll(ctx, w.CompanyID, after, largePage)
						} else {
							page, err = f.ListPage(ctx, w.CompanyID, state, after, largePage)
						}
						return len(page), err
					}})
				}
			}
			for _, c := range cases {
				b.Run(c.name, func(b *testing.B) {
					check := func(fn func() (int, error)) func() error {
						return func() error {
							got, err := fn()
							if err == nil && got != largePage {
								err = fmt.Errorf("%d users on the page, want %d", got, largePage)
							}
							return err
						}
					}
					var m meter
					for b.Loop() {
						for range largePageReads {
							m.interleave(b, check(c.life), check(c.floor))
						}
					}
					m.report(b, 1)
					if m.n > 0 {
						b.ReportMetric(float64(m.dur[0].Nanoseconds())/float64(m.n)/1e6, "lifeline-ms/op")
					}
				})
			}
		})
	}
}
