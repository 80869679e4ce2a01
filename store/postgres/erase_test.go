package postgres_test

import (
	"bytes"
	"context"
	crand "crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"maps"
	mrand "math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/benbjohnson/clock"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/licensing"
	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/internal/sqlstore"
	"github.com/lifeline-go/lifeline/store/postgres"
)

// The erasure tests plant distinct marker strings in every personal field
// of one user and in the personal text of audit records about that user,
// through the store contract; erase them as the facade's anonymization
// does (UpdateUser with lifecycle.User.Anonymize, then ScrubAudit); and
// then look for the markers' bytes in the server's files.

var (
	eraseAt      = time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	eraseCompany = licensing.Company{ID: "ec", Name: "Erasure Inc", Tier: licensing.Premium}
	eraseOffice  = licensing.Office{ID: "eo", CompanyID: "ec", Name: "Berlin", Country: "DE", PriceLevel: "standard"}
)

// planted is a user whose personal data carries markers, in a database
// where the store wrote it.
type planted struct {
	dsn     string
	st      *postgres.Store
	db      *sql.DB // superuser connections of the test's own
	victim  lifecycle.User
	markers map[string]string // field -> marker
}

func randomHex(t testing.TB, n int) string {
	b := make([]byte, (n+1)/2)
	if _, err := crand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)[:n]
}

// plant makes a fresh database, opens a store on it with opts, and writes
// a company, an office, 40 ordinary users with audit records, and the
// victim with markers, then runs ANALYZE (as autovacuum would) and
// CHECKPOINT, so the markers are in the table, index, TOAST and statistics
// files. It fails the test unless every marker is found there.
func plant(t *testing.T, opts ...postgres.Option) *planted {
	t.Helper()
	dsn := pgtest.NewDatabase(t)
	p := &planted{dsn: dsn, st: openStore(t, dsn, opts...), db: openDB(t, dsn)}
	p.db.SetMaxIdleConns(4)
	ctx := context.Background()
	tag := randomHex(t, 16)
	p.markers = map[string]string{
		"first name":    "Mkfirst" + tag,
		"last name":     "Mklast" + tag,
		"email":         "mk.email." + tag + "@example.com",
		"username":      "mkuser" + tag,
		"password hash": "$argon2id$v=19$mkpass" + tag,
		"pin hash":      "$argon2id$v=19$mkpin" + tag,
		"device":        "mkdevice" + tag,
		"setting":       "mksetting" + tag,
		// Big and incompressible: the settings column goes to TOAST.
		"toasted setting": "mkblob" + tag,
		"audit personal":  "Mkaudit " + tag + " <mk.audit." + tag + "@example.com>",
	}
	m := p.markers
	p.victim = lifecycle.User{
		ID: "u-victim", CompanyID: eraseCompany.ID, OfficeID: eraseOffice.ID, Kind: lifecycle.Internal,
		Extension: "150", Person: lifecycle.Person{FirstName: m["first name"], LastName: m["last name"]},
		Email: m["email"], Username: m["username"], PasswordHash: m["password hash"], VoicemailPINHash: m["pin hash"],
		Devices: []string{m["device"]},
		Settings: map[string]string{
			"a-blob": m["toasted setting"] + randomHex(t, 1000), "b-blob": randomHex(t, 1000),
			"c-blob": randomHex(t, 1000), "lang": m["setting"],
		},
		Billing: lifecycle.Paid, Status: lifecycle.Status{State: lifecycle.Deleted, DeletedFrom: lifecycle.Active},
		CreatedAt: eraseAt, UpdatedAt: eraseAt, DeletedAt: eraseAt, RestoreUntil: eraseAt, PurgeBy: eraseAt,
		HeldAtDeletion: []string{},
	}
	err := p.st.Update(ctx, func(tx store.Tx) error {
		if err := tx.InsertCompany(ctx, eraseCompany); err != nil {
			return err
		}
		if err := tx.InsertOffice(ctx, eraseOffice); err != nil {
			return err
		}
		for i := range 40 {
			if i == 20 { // the victim's rows sit between others'
				if err := insertWithAudit(ctx, tx, p.victim, m["audit personal"]); err != nil {
					return err
				}
			}
			u := lifecycle.User{
				ID: fmt.Sprintf("u-%03d", i), CompanyID: eraseCompany.ID, OfficeID: eraseOffice.ID, Kind: lifecycle.Internal,
				Extension: fmt.Sprint(200 + i), Person: lifecycle.Person{FirstName: fmt.Sprintf("First%d", i), LastName: "Other"},
				Email: fmt.Sprintf("user%03d@example.com", i), Username: fmt.Sprintf("user%03d", i),
				Devices: []string{"desk"}, Settings: map[string]string{"lang": "de"},
				Billing: lifecycle.Paid, Status: lifecycle.Status{State: lifecycle.Active},
				CreatedAt: eraseAt, UpdatedAt: eraseAt, HeldAtDeletion: []string{},
			}
			if err := insertWithAudit(ctx, tx, u, u.Person.FirstName+" Other"); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	p.exec(t, "ANALYZE users, audit")
	p.exec(t, "CHECKPOINT")

	hits := p.find(t)
	for field, marker := range m {
		if len(hits[marker]) == 0 {
			t.Fatalf("the %s marker is in no file of the database before the erasure: the test would prove nothing", field)
		}
	}
	if !slices.Contains(hits[m["email"]], "users_email") {
		t.Fatalf("the email marker is not in the users_email index before the erasure (found in %v)", hits[m["email"]])
	}
	if !slices.Contains(hits[m["email"]], "pg_statistic") {
		t.Fatalf("the email marker is not in pg_statistic before the erasure (found in %v)", hits[m["email"]])
	}
	if !slices.ContainsFunc(hits[m["toasted setting"]], func(r string) bool { return strings.HasPrefix(r, "pg_toast_") }) {
		t.Fatalf("the toasted setting is in no TOAST table before the erasure (found in %v)", hits[m["toasted setting"]])
	}
	t.Logf("before the erasure: %s", p.describe(hits))
	return p
}

func insertWithAudit(ctx context.Context, tx store.Tx, u lifecycle.User, personal string) error {
	if err := tx.InsertUser(ctx, u); err != nil {
		return err
	}
	for _, action := range []string{"create", "update", "delete"} {
		_, err := tx.AppendAudit(ctx, store.AuditRecord{
			At: eraseAt, CompanyID: u.CompanyID, ActorID: "admin", ActorRole: "company_admin", Action: action,
			TargetKind: "user", TargetID: u.ID, UserID: u.ID, Detail: "fields changed", Personal: personal,
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (p *planted) exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := p.db.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// erase anonymizes the victim through the store contract, as the facade
// does, and checks the rows are clean.
func (p *planted) erase(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	err := p.st.Update(ctx, func(tx store.Tx) error {
		cur, err := tx.GetUser(ctx, p.victim.ID)
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, cur.Anonymize(eraseAt.Add(time.Hour))); err != nil {
			return err
		}
		return tx.ScrubAudit(ctx, p.victim.ID)
	})
	if err != nil {
		t.Fatal(err)
	}
	err = p.st.View(ctx, func(tx store.Tx) error {
		u, err := tx.GetUser(ctx, p.victim.ID)
		if err != nil {
			return err
		}
		if u.Person.FirstName != "" || u.Email != "" || u.Username != "" || len(u.Settings) != 0 || u.State() != lifecycle.Anonymized {
			t.Errorf("user after the erasure: %+v", u)
		}
		recs, err := tx.ListAudit(ctx, store.AuditFilter{UserID: p.victim.ID})
		if err != nil {
			return err
		}
		for _, r := range recs {
			if r.Personal != "" {
				t.Errorf("audit record %d keeps personal text %q", r.ID, r.Personal)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// relation is one relation's files on disk.
type relation struct {
	name  string
	files []string // the main fork's segments: 16384, 16384.1, ...
}

// relations returns every relation of the database that has files of its
// own (tables, indexes, TOAST tables and their indexes, the catalogs of
// the database, pg_statistic among them), with the files of their main
// forks, read from pg_relation_filepath joined to the server's data
// directory. Shared catalogs (global/) are not the database's.
func (p *planted) relations(t testing.TB) []relation {
	t.Helper()
	ctx := context.Background()
	var dataDir string
	if err := p.db.QueryRowContext(ctx, `SELECT current_setting('data_directory')`).Scan(&dataDir); err != nil {
		t.Fatal(err)
	}
	rows, err := p.db.QueryContext(ctx, `
		SELECT c.relname, pg_relation_filepath(c.oid) FROM pg_class c
		 WHERE pg_relation_filepath(c.oid) IS NOT NULL AND NOT c.relisshared
		 ORDER BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []relation
	for rows.Next() {
		var name, path string
		if err := rows.Scan(&name, &path); err != nil {
			t.Fatal(err)
		}
		main := filepath.Join(dataDir, path)
		segs, _ := filepath.Glob(main + ".[0-9]*")
		out = append(out, relation{name: name, files: append([]string{main}, segs...)})
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// find returns, for each marker, the relations of the database (tables,
// indexes, TOAST, catalogs) whose files hold its bytes.
func (p *planted) find(t testing.TB) map[string][]string {
	t.Helper()
	hits := map[string][]string{}
	for _, rel := range p.relations(t) {
		for _, f := range rel.files {
			b, err := os.ReadFile(f)
			if errors.Is(err, os.ErrNotExist) { // an empty relation has no file yet
				continue
			}
			if err != nil {
				t.Fatal(err)
			}
			for _, marker := range p.markers {
				if bytes.Contains(b, []byte(marker)) && !slices.Contains(hits[marker], rel.name) {
					hits[marker] = append(hits[marker], rel.name)
				}
			}
		}
	}
	return hits
}

// findInDir returns the files under dir (relative names) holding any
// marker.
func (p *planted) findInDir(t testing.TB, dir string) []string {
	t.Helper()
	var out []string
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, marker := range p.markers {
			if bytes.Contains(b, []byte(marker)) {
				rel, _ := filepath.Rel(dir, path)
				out = append(out, rel)
				break
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// databaseDir returns the directory of the database's files
// (base/<database oid>) and the server's WAL directory.
func (p *planted) databaseDir(t testing.TB) (base, wal string) {
	t.Helper()
	var dataDir, oid string
	err := p.db.QueryRowContext(context.Background(), `SELECT current_setting('data_directory'), oid::text
		FROM pg_database WHERE datname = current_database()`).Scan(&dataDir, &oid)
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dataDir, "base", oid), filepath.Join(dataDir, "pg_wal")
}

// describe says where each field's marker is, for the log.
func (p *planted) describe(hits map[string][]string) string {
	var parts []string
	for field, marker := range p.markers {
		parts = append(parts, fmt.Sprintf("%s in %v", field, hits[marker]))
	}
	sort.Strings(parts)
	return strings.Join(parts, "; ")
}

func (p *planted) filenode(t testing.TB, rel string) string {
	t.Helper()
	var n string
	if err := p.db.QueryRowContext(context.Background(), `SELECT pg_relation_filenode($1::regclass)::text`, rel).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

// plantThroughFacade adds a second victim, driven through the facade over
// the same store, whose values reach the other tables that can hold
// personal data: a recycle staged in a change set and confirmed (the set's
// items held the new person's name and email until the confirmation
// dropped them), a recorded call and a hold placed and released, and a
// welcome email whose delivery failed with a reason naming the address.
// It returns the service and the victim's id; its markers join p.markers.
func (p *planted) plantThroughFacade(t *testing.T, opts ...lifeline.Option) (*lifeline.Service, string) {
	t.Helper()
	ctx := context.Background()
	clk := clock.NewMock()
	clk.Set(eraseAt)
	svc, err := lifeline.New(p.st, append([]lifeline.Option{lifeline.WithClock(clk),
		lifeline.WithHashParams(lifeline.HashParams{Time: 1, MemoryKiB: 64, Threads: 1})}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	admin := lifeline.System("test")
	co, err := svc.CreateCompany(ctx, admin, "Facade Erasure", licensing.Premium)
	if err != nil {
		t.Fatal(err)
	}
	off, err := svc.CreateOffice(ctx, admin, lifeline.NewOffice{CompanyID: co.ID, Name: "HQ", Country: "US"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.SetPoolTotal(ctx, admin, off.ID, licensing.Seat, 2); err != nil {
		t.Fatal(err)
	}
	tag := randomHex(t, 16)
	m := map[string]string{
		"facade first name":   "Mkffirst" + tag,
		"facade email":        "mk.femail." + tag + "@example.com",
		"recycled first name": "Mkrfirst" + tag,
		"recycled last name":  "Mkrlast" + tag,
		"recycled email":      "mk.remail." + tag + "@example.com",
	}
	// The recorded line is one of the company's numbers (a recording is
	// registered only on those), so it is in the numbers inventory too and
	// is not the person's: it is no marker. The recordings table's rewrite
	// is proved by its new file node instead (TestCheckpointVacuumOnErase).
	line := fmt.Sprintf("+1650253%04d", mrand.IntN(1e4))
	if _, err := svc.AddNumbers(ctx, admin, off.ID, "", line); err != nil {
		t.Fatal(err)
	}
	u, err := svc.CreateUser(ctx, admin, lifeline.NewUser{OfficeID: off.ID,
		Person: lifeline.Person{FirstName: m["facade first name"], LastName: "Facade"}, Email: m["facade email"]})
	if err != nil {
		t.Fatal(err)
	}
	set, err := svc.StageChanges(ctx, admin, lifeline.StageChanges{CompanyID: co.ID, Name: "recycle", Items: []lifeline.AnyOperation{
		lifeline.Any(lifeline.ResetAndRecycle{UserID: u.ID,
			Person: lifeline.Person{FirstName: m["recycled first name"], LastName: m["recycled last name"]}, Email: m["recycled email"]}),
	}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.ConfirmChangeSet(ctx, admin, set.Set.ID); err != nil {
		t.Fatal(err)
	}
	for _, step := range []func() error{
		func() error {
			_, err := svc.SetRecordingPlan(ctx, admin, lifeline.SetRecordingPlan{UserID: u.ID, Recording: true, Billed: true})
			return err
		},
		func() error {
			_, err := svc.RegisterRecording(ctx, admin, lifeline.RegisterRecording{UserID: u.ID, Number: line,
				StartedAt: clk.Now().Add(-time.Minute), Duration: time.Minute})
			return err
		},
		func() error {
			h, err := svc.PlaceHold(ctx, admin, lifeline.PlaceHold{UserID: u.ID, Reason: "review"})
			if err != nil {
				return err
			}
			_, err = svc.ReleaseHold(ctx, admin, h.ID, "done")
			return err
		},
		func() error { _, err := svc.SendWelcomeEmail(ctx, admin, u.ID); return err },
		func() error {
			claimed, err := svc.ClaimEvents(ctx, admin, time.Minute, 1000)
			if err != nil {
				return err
			}
			for _, e := range claimed {
				if e.SubjectID == u.ID {
					m["bounce"] = "550 <" + m["recycled email"] + ">" // under errs.MaxArgLen
					if err := svc.FailEvent(ctx, admin, e.ID, e.LeaseToken, m["bounce"]); err != nil {
						return err
					}
				}
			}
			if m["bounce"] == "" {
				return fmt.Errorf("no outbox event about %s to fail", u.ID)
			}
			return nil
		},
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
	maps.Copy(p.markers, m)
	return svc, u.ID
}

// TestCheckpointVacuumOnErase proves the option: after Checkpoint no byte
// of any file of the database (tables, indexes, TOAST, statistics, every
// relation of the database, whether sqlstore.PersonalTables lists it or
// not) holds a value an erasure overwrote or deleted: the users and audit
// rows of a victim written through the store, and the change set,
// recording, hold and failed outbox event of one driven through the
// facade. The WAL still does, until recycled.
func TestCheckpointVacuumOnErase(t *testing.T) {
	ctx := context.Background()
	p := plant(t, postgres.WithVacuumOnErase())
	svc, facadeVictim := p.plantThroughFacade(t)
	p.exec(t, "ANALYZE") // as autovacuum would, on every table
	p.exec(t, "CHECKPOINT")
	hits := p.find(t)
	for table, field := range map[string]string{"change_sets": "recycled email", "outbox": "bounce"} {
		if !slices.Contains(hits[p.markers[field]], table) {
			t.Fatalf("the %s marker is not in %s before the erasure (found in %v): the test would prove nothing", field, table, hits[p.markers[field]])
		}
	}
	t.Logf("before the erasure: %s", p.describe(hits))

	if _, err := svc.Erase(ctx, lifeline.System("test"), facadeVictim, facadeVictim); err != nil {
		t.Fatal(err)
	}
	p.erase(t)
	p.exec(t, "CHECKPOINT")
	t.Logf("after the erasures' commits, before Checkpoint: %s", p.describe(p.find(t)))

	nodes := p.fileNodes(t, sqlstore.PersonalTables)
	begin := time.Now()
	if err := p.st.Checkpoint(ctx); err != nil {
		t.Fatal(err)
	}
	t.Logf("Checkpoint took %v", time.Since(begin).Round(time.Millisecond))
	// Every table that can hold personal data was rewritten into new
	// files, the recordings (whose rows the erasure deleted) included.
	for table, node := range p.fileNodes(t, sqlstore.PersonalTables) {
		if node == nodes[table] {
			t.Errorf("Checkpoint left the %s table in its old file (node %d): its dead rows were not rewritten", table, node)
		}
	}

	for marker, rels := range p.find(t) {
		t.Errorf("after Checkpoint the marker %q is still in %v", marker, rels)
	}
	base, wal := p.databaseDir(t)
	if files := p.findInDir(t, base); len(files) > 0 {
		t.Errorf("after Checkpoint markers are still in files of the database directory: %v", files)
	}
	// Not asserted: the WAL keeps the old values until its segments are
	// recycled, as the package documentation says.
	t.Logf("WAL segments holding markers after Checkpoint (expected, not asserted): %v", p.findInDir(t, wal))
}

// fileNodes returns the file node of each table, which VACUUM FULL
// changes when it rewrites the table into new files.
func (p *planted) fileNodes(t testing.TB, tables []string) map[string]int64 {
	t.Helper()
	nodes := map[string]int64{}
	for _, table := range tables {
		var node int64
		if err := p.db.QueryRowContext(context.Background(), "SELECT pg_relation_filenode($1::regclass)", table).Scan(&node); err != nil {
			t.Fatalf("file node of %s: %v", table, err)
		}
		nodes[table] = node
	}
	return nodes
}

// TestSchemaClassified: every table of the schema is listed once, either
// as one that can hold personal data (which Checkpoint rewrites) or as one
// that cannot, so that a table a migration adds must be classified.
func TestSchemaClassified(t *testing.T) {
	st := openStore(t, pgtest.NewDatabase(t))
	if err := sqlstore.CheckSchemaClassified(context.Background(), st.DB(), `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1`); err != nil {
		t.Error(err)
	}
}

// TestCheckpointWithoutOption documents what happens without the option:
// Checkpoint does nothing, and what plain VACUUM (autovacuum's kind) then
// leaves in the files is the engine's business. It is logged, not
// asserted.
func TestCheckpointWithoutOption(t *testing.T) {
	p := plant(t)
	p.erase(t)
	before := p.filenode(t, "users")
	if err := p.st.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if after := p.filenode(t, "users"); after != before {
		t.Errorf("Checkpoint without WithVacuumOnErase rewrote users (filenode %s -> %s)", before, after)
	}
	p.exec(t, "CHECKPOINT")
	hits := p.find(t)
	if len(hits) == 0 {
		t.Errorf("no marker left in any file right after the erasure: the old row versions should still be there")
	}
	t.Logf("after the erasure and Checkpoint without the option: %s", p.describe(hits))

	p.exec(t, "VACUUM users, audit")
	p.exec(t, "CHECKPOINT")
	t.Logf("after plain VACUUM (what autovacuum runs) and CHECKPOINT: %s", p.describe(p.find(t)))
	p.exec(t, "VACUUM (ANALYZE) users, audit")
	p.exec(t, "CHECKPOINT")
	t.Logf("after plain VACUUM (ANALYZE) and CHECKPOINT: %s", p.describe(p.find(t)))
}

// TestCheckpointWaitsForOlderSnapshots: a transaction whose snapshot began
// before the erasure may still read the erased row versions, so VACUUM
// FULL must keep them. Checkpoint waits for such a transaction, then
// refuses with errs.Unavailable; once it ends, Checkpoint erases.
func TestCheckpointWaitsForOlderSnapshots(t *testing.T) {
	ctx := context.Background()
	p := plant(t, postgres.WithVacuumOnErase())
	old, err := p.db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer old.Rollback()
	var n int
	if err := old.QueryRowContext(ctx, `SELECT count(*) FROM companies`).Scan(&n); err != nil { // takes the snapshot
		t.Fatal(err)
	}
	p.erase(t)
	begin := time.Now()
	err = p.st.Checkpoint(ctx)
	waited := time.Since(begin)
	if !errs.Is(err, errs.Unavailable) {
		t.Fatalf("Checkpoint with an older snapshot open: %v, want errs.Unavailable", err)
	}
	t.Logf("Checkpoint refused after %v: %v", waited.Round(time.Millisecond), err)

	// This is why: VACUUM FULL run anyway keeps the row versions the
	// older snapshot can see, and that snapshot still reads the name.
	p.exec(t, "VACUUM (FULL) users, audit")
	p.exec(t, "CHECKPOINT")
	t.Logf("VACUUM FULL run by hand with that snapshot open (engine behaviour, not asserted): %s", p.describe(p.find(t)))
	var first string
	if err := old.QueryRowContext(ctx, `SELECT first_name FROM users WHERE id = $1`, p.victim.ID).Scan(&first); err != nil {
		t.Fatal(err)
	}
	if first != p.victim.Person.FirstName {
		t.Errorf("the older snapshot reads first name %q, want the erased %q", first, p.victim.Person.FirstName)
	}

	if err := old.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := p.st.Checkpoint(ctx); err != nil {
		t.Fatalf("Checkpoint once the older snapshot ended: %v", err)
	}
	for marker, rels := range p.find(t) {
		t.Errorf("after Checkpoint the marker %q is still in %v", marker, rels)
	}
}

// TestCheckpointLockTimeout: a transaction that holds a lock on users,
// though no snapshot, keeps VACUUM FULL waiting; Checkpoint gives up after
// its lock timeout with errs.Unavailable and leaves the connection's
// lock_timeout as it found it.
func TestCheckpointLockTimeout(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.NewDatabase(t)
	st := openStore(t, dsn, postgres.WithVacuumOnErase(), postgres.WithMaxConns(1))
	db := openDB(t, dsn)
	holder, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelReadCommitted})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Rollback()
	// At READ COMMITTED the statement's snapshot ends with it: the
	// transaction keeps the lock, not a snapshot.
	if _, err := holder.ExecContext(ctx, `LOCK TABLE users IN ACCESS SHARE MODE`); err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	err = st.Checkpoint(ctx)
	if !errs.Is(err, errs.Unavailable) || !strings.Contains(err.Error(), "lock") {
		t.Fatalf("Checkpoint while users is locked: %v, want an errs.Unavailable error about the lock", err)
	}
	t.Logf("Checkpoint gave up after %v: %v", time.Since(begin).Round(time.Millisecond), err)
	var timeout string
	if err := st.DB().QueryRowContext(ctx, `SHOW lock_timeout`).Scan(&timeout); err != nil {
		t.Fatal(err)
	}
	if timeout != "0" {
		t.Errorf("the store's connection kept lock_timeout = %s after Checkpoint", timeout)
	}
	if err := holder.Rollback(); err != nil {
		t.Fatal(err)
	}
	if err := st.Checkpoint(ctx); err != nil {
		t.Fatalf("Checkpoint once the lock is released: %v", err)
	}
}

// withUser returns dsn with user=role instead of the superuser.
func withUser(t testing.TB, dsn, role string) string {
	t.Helper()
	out := strings.Replace(dsn, "user=postgres ", "user="+role+" ", 1)
	if out == dsn {
		t.Fatalf("no user=postgres in %q", dsn)
	}
	return out
}

// TestCheckpointRoles runs Checkpoint as roles that are not superusers.
func TestCheckpointRoles(t *testing.T) {
	ctx := context.Background()

	t.Run("table owner", func(t *testing.T) {
		// The role owns the tables (its store created them) but not the
		// database: the personal tables are rewritten, while pg_statistic
		// and CHECKPOINT are skipped without error.
		dsn := pgtest.NewDatabase(t)
		admin := openDB(t, dsn)
		var db string
		if err := admin.QueryRowContext(ctx, `SELECT current_database()`).Scan(&db); err != nil {
			t.Fatal(err)
		}
		role := "owner_" + db
		for _, q := range []string{`CREATE ROLE "` + role + `" LOGIN`, `GRANT CREATE ON SCHEMA public TO "` + role + `"`} {
			if _, err := admin.ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		st := openStore(t, withUser(t, dsn, role), postgres.WithVacuumOnErase())
		p := &planted{dsn: dsn, st: st, db: admin, markers: map[string]string{}}
		tag := randomHex(t, 16)
		p.victim = lifecycle.User{
			ID: "u-owned", CompanyID: eraseCompany.ID, OfficeID: eraseOffice.ID, Kind: lifecycle.Internal,
			Extension: "100", Person: lifecycle.Person{FirstName: "Mkowned" + tag, LastName: "Owner"},
			Email: "mk.owned." + tag + "@example.com", Billing: lifecycle.Paid,
			Status: lifecycle.Status{State: lifecycle.Active}, CreatedAt: eraseAt, UpdatedAt: eraseAt, HeldAtDeletion: []string{},
		}
		p.markers["first name"], p.markers["email"] = p.victim.Person.FirstName, p.victim.Email
		err := st.Update(ctx, func(tx store.Tx) error {
			if err := tx.InsertCompany(ctx, eraseCompany); err != nil {
				return err
			}
			if err := tx.InsertOffice(ctx, eraseOffice); err != nil {
				return err
			}
			return insertWithAudit(ctx, tx, p.victim, "Mkowned"+tag)
		})
		if err != nil {
			t.Fatal(err)
		}
		p.exec(t, "CHECKPOINT")
		if hits := p.find(t); len(hits) != len(p.markers) {
			t.Fatalf("markers before the erasure: %v", hits)
		}
		p.erase(t)
		users, stats := p.filenode(t, "users"), p.filenode(t, "pg_statistic")
		if err := st.Checkpoint(ctx); err != nil {
			t.Fatalf("Checkpoint as the tables' owner: %v", err)
		}
		if p.filenode(t, "users") == users {
			t.Error("Checkpoint did not rewrite users")
		}
		if p.filenode(t, "pg_statistic") != stats {
			t.Error("Checkpoint rewrote pg_statistic as a role that does not own the database")
		}
		p.exec(t, "CHECKPOINT")
		for marker, rels := range p.find(t) {
			t.Errorf("after Checkpoint the marker %q is still in %v", marker, rels)
		}
	})

	t.Run("not the owner", func(t *testing.T) {
		// VACUUM skips a table the role may not vacuum with only a
		// warning; Checkpoint must notice and say so.
		p := plant(t)
		var db string
		if err := p.db.QueryRowContext(ctx, `SELECT current_database()`).Scan(&db); err != nil {
			t.Fatal(err)
		}
		role := "user_" + db
		for _, q := range []string{
			`CREATE ROLE "` + role + `" LOGIN`,
			`GRANT CREATE, USAGE ON SCHEMA public TO "` + role + `"`,
			`GRANT ALL ON ALL TABLES IN SCHEMA public TO "` + role + `"`,
		} {
			p.exec(t, q)
		}
		st := openStore(t, withUser(t, p.dsn, role), postgres.WithVacuumOnErase())
		p.erase(t)
		err := st.Checkpoint(ctx)
		if !errs.Is(err, errs.Other) || !strings.Contains(err.Error(), "may not vacuum") {
			t.Fatalf("Checkpoint as a role that does not own the tables: %v, want an errs.Other error saying it may not vacuum", err)
		}
		t.Log(err)
	})
}

// TestCheckpointConcurrent: concurrent calls run one at a time, and the
// callers that waited together share one run.
func TestCheckpointConcurrent(t *testing.T) {
	ctx := context.Background()
	p := plant(t, postgres.WithVacuumOnErase())
	p.erase(t)
	analyzed := func() int64 {
		var n int64
		if err := p.db.QueryRowContext(ctx, `SELECT analyze_count FROM pg_stat_user_tables WHERE relname = 'users'`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := analyzed()
	const callers = 8
	var wg sync.WaitGroup
	errc := make(chan error, callers)
	for range callers {
		wg.Go(func() { errc <- p.st.Checkpoint(ctx) })
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Error(err)
		}
	}
	runs := analyzed() - before
	t.Logf("%d concurrent Checkpoint calls made %d runs", callers, runs)
	if runs < 1 || runs >= callers {
		t.Errorf("%d concurrent calls made %d runs, want at least 1 and fewer than %d", callers, runs, callers)
	}
	for marker, rels := range p.find(t) {
		t.Errorf("after Checkpoint the marker %q is still in %v", marker, rels)
	}

	// A cancelled context ends a call waiting its turn.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := p.st.Checkpoint(cctx); err == nil {
		t.Error("Checkpoint with a cancelled context succeeded")
	}
}

// BenchmarkCheckpoint measures Checkpoint with WithVacuumOnErase on a
// company of n users with 10 audit records each, and logs how long each
// table's VACUUM (FULL, ANALYZE) — the time its ACCESS EXCLUSIVE lock is
// held — takes on its own. Run it with
//
//	go test ./store/postgres -run '^$' -bench Checkpoint -benchtime 5x
func BenchmarkCheckpoint(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		b.Run(fmt.Sprintf("users=%d", n), func(b *testing.B) {
			ctx := context.Background()
			dsn := pgtest.NewDatabase(b)
			st := openStore(b, dsn, postgres.WithVacuumOnErase())
			db := openDB(b, dsn)
			err := st.Update(ctx, func(tx store.Tx) error {
				if err := tx.InsertCompany(ctx, eraseCompany); err != nil {
					return err
				}
				return tx.InsertOffice(ctx, eraseOffice)
			})
			if err != nil {
				b.Fatal(err)
			}
			const batch = 500
			for from := 0; from < n; from += batch {
				err := st.Update(ctx, func(tx store.Tx) error {
					for i := from; i < min(from+batch, n); i++ {
						u := lifecycle.User{
							ID: fmt.Sprintf("u-%06d", i), CompanyID: eraseCompany.ID, OfficeID: eraseOffice.ID,
							Kind: lifecycle.Internal, Extension: fmt.Sprint(100 + i),
							Person: lifecycle.Person{FirstName: fmt.Sprintf("First%d", i), LastName: fmt.Sprintf("Last%d", i)},
							Email:  fmt.Sprintf("user%06d@example.com", i), Username: fmt.Sprintf("user%06d", i),
							PasswordHash:     "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$" + fmt.Sprintf("%043d", i),
							VoicemailPINHash: "$argon2id$v=19$m=65536,t=3,p=4$c2FsdHNhbHRzYWx0c2FsdA$" + fmt.Sprintf("%043d", i+1),
							Devices:          []string{"desk-" + fmt.Sprint(i), "mobile"},
							Settings:         map[string]string{"lang": "de", "tz": "Europe/Berlin", "voicemail": "on"},
							Billing:          lifecycle.Paid, Status: lifecycle.Status{State: lifecycle.Active},
							CreatedAt: eraseAt, UpdatedAt: eraseAt, HeldAtDeletion: []string{},
						}
						if err := tx.InsertUser(ctx, u); err != nil {
							return err
						}
						for k := range 10 {
							_, err := tx.AppendAudit(ctx, store.AuditRecord{
								At: eraseAt, CompanyID: u.CompanyID, ActorID: "admin", ActorRole: "company_admin",
								Action: fmt.Sprintf("action%d", k), TargetKind: "user", TargetID: u.ID, UserID: u.ID,
								FromState: "active", ToState: "active", Detail: "fields: settings",
								Personal: u.Person.FirstName + " " + u.Person.LastName + " <" + u.Email + ">",
							})
							if err != nil {
								return err
							}
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			var users, audit, stats string
			if err := db.QueryRowContext(ctx, `SELECT pg_size_pretty(pg_total_relation_size('users')),
				pg_size_pretty(pg_total_relation_size('audit')), pg_size_pretty(pg_total_relation_size('pg_statistic'))`).Scan(&users, &audit, &stats); err != nil {
				b.Fatal(err)
			}
			for _, table := range []string{"users", "audit", "pg_statistic"} {
				q := "VACUUM (FULL, ANALYZE) " + table
				if table == "pg_statistic" {
					q = "VACUUM (FULL) pg_statistic"
				}
				begin := time.Now()
				if _, err := db.ExecContext(ctx, q); err != nil {
					b.Fatal(err)
				}
				b.Logf("%d users (users %s, audit %s, pg_statistic %s with indexes and TOAST): %s took %v",
					n, users, audit, stats, q, time.Since(begin).Round(100*time.Microsecond))
			}
			b.ResetTimer()
			for b.Loop() {
				if err := st.Checkpoint(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
