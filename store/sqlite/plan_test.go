package sqlite_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/store/internal/sqlstore"
)

// fullScan matches a plan line that reads a whole large table: SQLite
// says "SCAN t" (also "SCAN t USING INDEX i" for a walk of a whole index)
// where it cannot SEARCH an index for a range.
var fullScan = regexp.MustCompile(`^SCAN (users|numbers|user_licenses|license_pools|audit)\b`)

// planKeys are the index keys some probes must search: a SEARCH on a
// shorter key still reads every user of a company (or every number of an
// office), which is no full scan but grows with the company all the same.
var planKeys = map[string]string{
	"extensionTaken":                       "(company_id=? AND extension=?)",
	"userByEmail":                          "(company_id=? AND email=?)",
	"ListNumbers{Holder}":                  "(holder_id=?)",
	"ListNumbers{LastHolder}":              "(last_holder_id=?)",
	"ListUsers{Company,State,After,Limit}": "(company_id=? AND state=? AND id>?)",
	"ListUsers{Office,State,After,Limit}":  "(office_id=? AND state=? AND id>?)",
	"ListUsers{Company,After,Limit}":       "(company_id=? AND id>?)",
	"ListAudit{User,Limit}":                "(user_id=?)",
	"scrubAudit":                           "(user_id=?)",
	"deletedDue":                           "users_deleted_due",
}

// TestPlansUseIndexes explains every statement the store prepares and the
// per-call queries of the hot paths, and fails on a full scan of users,
// numbers, licenses or audit: such a statement costs O(table) where the
// operation should cost O(its rows), which no functional test notices.
func TestPlansUseIndexes(t *testing.T) {
	st, _ := openStore(t)
	probes := sqlstore.New(sqlstore.Dialect{Placeholder: sq.Question, LastInsertID: true}).Probes()
	for name := range planKeys {
		if !slices.ContainsFunc(probes, func(p sqlstore.Probe) bool { return p.Name == name }) {
			t.Errorf("planKeys names %s, which is no probe", name)
		}
	}
	if len(probes) < 40 {
		t.Fatalf("only %d probes: the statement list is not being walked", len(probes))
	}
	for _, p := range probes {
		rows, err := st.DB().QueryContext(t.Context(), "EXPLAIN QUERY PLAN "+p.SQL, make([]any, p.Params)...)
		if err != nil {
			t.Errorf("%s: explaining: %v\n%s", p.Name, err, p.SQL)
			continue
		}
		var plan []string
		bad := false
		for rows.Next() {
			var id, parent, notused int
			var detail string
			if err := rows.Scan(&id, &parent, &notused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
			bad = bad || fullScan.MatchString(detail)
		}
		if err := rows.Close(); err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %s", p.Name, strings.Join(plan, " / "))
		if key, ok := planKeys[p.Name]; ok && !strings.Contains(strings.Join(plan, "\n"), key) {
			t.Errorf("%s does not search %s:\n  %s\n%s", p.Name, key, strings.Join(plan, "\n  "), p.SQL)
		}
		if bad {
			t.Errorf("%s scans a whole table:\n  %s\n%s", p.Name, strings.Join(plan, "\n  "), p.SQL)
		}
	}
}
