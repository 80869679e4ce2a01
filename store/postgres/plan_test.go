package postgres_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/internal/pgtest"
	"github.com/lifeline-go/lifeline/store/internal/sqlstore"
)

// watched are the tables that grow with the provider: a plan that reads
// one of them whole costs O(table) where the operation should cost O(its
// rows).
var watched = []string{"users", "numbers", "user_licenses", "license_pools", "audit"}

// planNode is one node of EXPLAIN (FORMAT JSON).
type planNode struct {
	NodeType  string     `json:"Node Type"`
	Relation  string     `json:"Relation Name"`
	Index     string     `json:"Index Name"`
	IndexCond string     `json:"Index Cond"`
	Plans     []planNode `json:"Plans"`
}

// scans lists, as "Node on relation (index: cond)", every node of the plan
// that reads a watched table, and whether one of them reads it whole.
func (n planNode) scans(out *[]string) (whole bool) {
	if slices.Contains(watched, n.Relation) {
		*out = append(*out, fmt.Sprintf("%s on %s (%s: %s)", n.NodeType, n.Relation, n.Index, n.IndexCond))
		whole = n.NodeType == "Seq Scan" ||
			(n.NodeType == "Index Scan" || n.NodeType == "Index Only Scan") && n.IndexCond == ""
	}
	for _, c := range n.Plans {
		whole = c.scans(out) || whole
	}
	return whole
}

// TestPlansUseIndexes explains, as PostgreSQL plans a prepared statement
// for any parameters (the generic plan), every statement the store
// prepares and the per-call queries of the hot paths, and fails on a plan
// that reads a whole table of users, numbers, licenses or audit.
// Sequential scans are priced out (enable_seqscan=off), so an empty test
// database answers what the indexes allow, not what a few rows make cheap:
// a Seq Scan left in the plan is one no index can replace.
func TestPlansUseIndexes(t *testing.T) {
	dsn := pgtest.NewDatabase(t)
	openStore(t, dsn) // migrates
	db := openDB(t, dsn)
	ctx := t.Context()
	conn, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, set := range []string{"SET enable_seqscan = off", "SET plan_cache_mode = force_generic_plan"} {
		if _, err := conn.ExecContext(ctx, set); err != nil {
			t.Fatal(err)
		}
	}
	probes := sqlstore.New(sqlstore.Dialect{Placeholder: sq.Dollar, SkipLocked: true}).Probes()
	if len(probes) < 40 {
		t.Fatalf("only %d probes: the statement list is not being walked", len(probes))
	}
	for i, p := range probes {
		name := fmt.Sprintf("probe%d", i)
		if _, err := conn.ExecContext(ctx, "PREPARE "+name+" AS "+p.SQL); err != nil {
			t.Errorf("%s: preparing: %v\n%s", p.Name, err, p.SQL)
			continue
		}
		exec := "EXPLAIN (FORMAT JSON) EXECUTE " + name
		if p.Params > 0 {
			exec += "(" + strings.TrimSuffix(strings.Repeat("NULL,", p.Params), ",") + ")"
		}
		var out string
		if err := conn.QueryRowContext(ctx, exec).Scan(&out); err != nil {
			t.Errorf("%s: explaining: %v\n%s", p.Name, err, p.SQL)
			continue
		}
		if _, err := conn.ExecContext(ctx, "DEALLOCATE "+name); err != nil {
			t.Fatal(err)
		}
		var plan []struct{ Plan planNode }
		if err := json.Unmarshal([]byte(out), &plan); err != nil || len(plan) != 1 {
			t.Fatalf("%s: reading the plan: %v\n%s", p.Name, err, out)
		}
		var scans []string
		whole := plan[0].Plan.scans(&scans)
		t.Logf("%s: %s", p.Name, strings.Join(scans, " / "))
		if whole {
			t.Errorf("%s reads a whole table:\n  %s\n%s", p.Name, strings.Join(scans, "\n  "), p.SQL)
		}
	}
}
