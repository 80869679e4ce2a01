package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// PersonalTables names every table of the schema that holds data about a
// person, or held it before an anonymization overwrote or deleted it: the
// one list the stores' erasure and their tests read. A store that keeps
// the old versions of rows in its files (PostgreSQL) rewrites exactly these
// after an erasure; the tests check that every table of the schema is
// either here or in [ImpersonalTables].
//
//   - users: names, email, username, hashes, devices, settings, search keys.
//   - audit: the personal column, scrubbed on anonymization.
//   - change_sets: a staged operation's fields (a recycle's new name and
//     email), dropped when the set is confirmed or discarded.
//   - recordings: who called, on which number, when and for how long;
//     deleted with the user by an erase.
//   - outbox: a failed delivery's free text (a bounce may name the
//     address), emptied on anonymization.
var PersonalTables = []string{"users", "audit", "change_sets", "recordings", "outbox"}

// ImpersonalTables names every other table of the schema: ids, numbers,
// licenses, settings and company data only. A legal hold's reasons say why
// the hold exists, not who anyone is; they are an admin's record, kept.
var ImpersonalTables = []string{
	"companies", "offices", "numbers", "license_pools", "user_licenses",
	"recording_plans", "recording_retention", "legal_holds", "schema_migrations",
}

// CheckClassified returns an error naming the tables of a schema (tables)
// that neither [PersonalTables] nor [ImpersonalTables] lists, and the
// listed tables the schema lacks; nil when both lists cover it exactly.
func CheckClassified(tables []string) error {
	var problems []string
	for _, t := range tables {
		if !slices.Contains(PersonalTables, t) && !slices.Contains(ImpersonalTables, t) {
			problems = append(problems, fmt.Sprintf("table %s is in neither PersonalTables nor ImpersonalTables", t))
		}
	}
	for _, t := range slices.Concat(PersonalTables, ImpersonalTables) {
		if !slices.Contains(tables, t) {
			problems = append(problems, fmt.Sprintf("listed table %s is not in the schema", t))
		}
	}
	if len(problems) > 0 {
		return errors.New(strings.Join(problems, "; "))
	}
	return nil
}

// CheckSchemaClassified runs listTables, a query that returns the name of
// every table of the store's schema, and checks them with [CheckClassified].
func CheckSchemaClassified(ctx context.Context, db *sql.DB, listTables string) error {
	rows, err := db.QueryContext(ctx, listTables)
	if err != nil {
		return err
	}
	defer rows.Close()
	var tables []string
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			return err
		}
		tables = append(tables, name)
	}
	if err := rows.Err(); err != nil {
		return err
	}
	return CheckClassified(tables)
}
