package sqlite_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/errs"
	"github.com/lifeline-go/lifeline/store"
	"github.com/lifeline-go/lifeline/store/sqlite"
)

// oldDatabase makes a database file as the release before migration 0006
// left it: migrations 0001-0005 applied, and users written with the email
// normalization of the time (only the domain lower-cased).
func oldDatabase(t *testing.T, users [][4]string) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	db, err := sql.Open("sqlite", sqlite.DSN(path, sqlite.WithSynchronousNormal()))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	exec := func(q string, args ...any) {
		t.Helper()
		if _, err := db.ExecContext(ctx, q, args...); err != nil {
			t.Fatalf("%.60s: %v", q, err)
		}
	}
	exec(`CREATE TABLE schema_migrations (name TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`)
	names, err := filepath.Glob("migrations/*.sql")
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(names)
	for _, name := range names {
		if strings.Compare(filepath.Base(name), "0006") >= 0 {
			break
		}
		body, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		exec(string(body))
		exec(`INSERT INTO schema_migrations (name, applied_at) VALUES (?, 1)`, name)
	}
	exec(`INSERT INTO companies (id, name, tier) VALUES ('c1', 'Old', 'standard')`)
	exec(`INSERT INTO offices (id, company_id, name, country, price_level) VALUES ('o1', 'c1', 'HQ', 'US', 'standard')`)
	for i, u := range users { // id, first name, last name, email
		exec(`INSERT INTO users (id, company_id, office_id, parent_id, kind, extension, first_name, last_name, email, username,
			password_hash, pin_hash, devices, settings, analytics, billing, state, suspended_from, deleted_from,
			created_at, updated_at, deleted_at, restore_until, purge_by, held_at_deletion)
			VALUES (?, 'c1', 'o1', '', 'internal', ?, ?, ?, ?, '', '', '', 'null', 'null', 0, 'paid', 'active', '', '',
			1, 1, 0, 0, 0, 'null')`, u[0], 100+i, u[1], u[2], u[3])
	}
	return path
}

// TestUpgradeBackfillsSearchKeys opens a database written before
// migration 0006: the store computes the search keys of the old rows and
// lower-cases their email addresses when it opens, so search and lookup
// find them at once.
func TestUpgradeBackfillsSearchKeys(t *testing.T) {
	ctx := context.Background()
	users := [][4]string{{"u1", "Zoë", "Ångström", "Zoe.A@example.com"}, {"u2", "Ada", "Lovelace", ""}}
	for i := range 1200 { // more than one backfill batch
		users = append(users, [4]string{"bulk" + string(rune('a'+i%26)) + strings.Repeat("x", i/26), "Bulk", "User", ""})
	}
	path := oldDatabase(t, users)
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var n int
	if err := st.DB().QueryRow(`SELECT COUNT(*) FROM users WHERE name_key IS NULL`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows without search keys after opening (%v)", n, err)
	}
	err = st.View(ctx, func(tx store.Tx) error {
		for text, want := range map[string]string{"zoe": "u1", "angstrom z": "u1", "LOVE": "u2", "zoe.a@": "u1"} {
			list, err := tx.(store.Search).SearchUsers(ctx, store.UserSearch{CompanyID: "c1", Text: text})
			if err != nil {
				return err
			}
			if len(list) != 1 || list[0].ID != want {
				t.Errorf("text %q finds %d users, want %s", text, len(list), want)
			}
		}
		u, err := tx.FindUserByEmail(ctx, "c1", "zoe.a@example.com")
		if err != nil || u.ID != "u1" {
			t.Errorf("FindUserByEmail of the lower-cased address: %v, %v", u.ID, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestUpgradeRefusesEmailsDifferingInCase: two users of one company whose
// addresses differ only in case cannot both keep them; the store does not
// open, and says which users, until one of them changes.
func TestUpgradeRefusesEmailsDifferingInCase(t *testing.T) {
	ctx := context.Background()
	path := oldDatabase(t, [][4]string{{"u1", "Ada", "One", "Ada@x.example"}, {"u2", "Ada", "Two", "ada@x.example"}, {"u3", "Bob", "Three", "Bob@x.example"}})
	_, err := sqlite.Open(ctx, path)
	if !errors.Is(err, errs.ErrConflict) || !strings.Contains(err.Error(), "u1") || !strings.Contains(err.Error(), "u2") {
		t.Fatalf("Open: %v, want a conflict naming u1 and u2", err)
	}
	t.Log(err)
	db, err := sql.Open("sqlite", sqlite.DSN(path))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE users SET email = 'ada.one@x.example' WHERE id = 'u1'`); err != nil {
		t.Fatal(err)
	}
	st, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatalf("Open after the operator's fix: %v", err)
	}
	defer st.Close()
	var email string
	if err := st.DB().QueryRow(`SELECT email FROM users WHERE id = 'u3'`).Scan(&email); err != nil || email != "bob@x.example" {
		t.Errorf("u3's email %q (%v), want it lower-cased", email, err)
	}
}
