package sqlstore

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	sq "github.com/Masterminds/squirrel"

	"github.com/lifeline-go/lifeline/lifecycle"
	"github.com/lifeline-go/lifeline/numbers"
	"github.com/lifeline-go/lifeline/store"
)

// Probe is one statement the store issues, for a plan test to explain: its
// text in the dialect's placeholders and how many parameters it takes.
type Probe struct {
	// Name is the prepared statement's name, or "ListUsers{...}" for a query
	// built per call from a filter.
	Name string
	SQL  string
	// Params counts the statement's parameters.
	Params int
}

// Probes returns every prepared statement of q, and the per-call queries
// of the filters the facade's hot paths use (deleting, restoring, listing a
// page, sweeping), sorted by name. A plan test explains each and refuses a
// full scan of a large table, so a new statement is covered the day it is
// added.
func (q *Queries) Probes() []Probe {
	var out []Probe
	for name, s := range q.sql {
		out = append(out, Probe{Name: name, SQL: s, Params: q.params(s)})
	}
	active := []lifecycle.State{lifecycle.Active}
	built := []struct {
		name string
		b    sq.SelectBuilder
	}{
		{"ListUsers{Company,Limit}", q.listUsersQuery(store.UserFilter{CompanyID: "c", Limit: 50})},
		{"ListUsers{Company,After,Limit}", q.listUsersQuery(store.UserFilter{CompanyID: "c", AfterID: "u", Limit: 50})},
		{"ListUsers{Company,State,After,Limit}", q.listUsersQuery(store.UserFilter{CompanyID: "c", States: active, AfterID: "u", Limit: 50})},
		{"ListUsers{Company,States,Limit}", q.listUsersQuery(store.UserFilter{CompanyID: "c", States: []lifecycle.State{lifecycle.Active, lifecycle.Suspended}, Limit: 50})},
		{"ListUsers{Office,State,After,Limit}", q.listUsersQuery(store.UserFilter{OfficeID: "o", States: active, AfterID: "u", Limit: 50})},
		{"ListUsers{Company,Offices,State,Limit}", q.listUsersQuery(store.UserFilter{CompanyID: "c", OfficeIDs: []string{"o1", "o2"}, States: active, Limit: 50})},
		{"GetUsers{2}", q.getUsersQuery(2)},
		{"ListUsers{User}", q.listUsersQuery(store.UserFilter{UserID: "u"})},
		{"ListNumbers{Holder}", q.listNumbersQuery(store.NumberFilter{HolderID: "u"})},
		{"ListNumbers{LastHolder}", q.listNumbersQuery(store.NumberFilter{LastHolderID: "u"})},
		{"ListNumbers{Office}", q.listNumbersQuery(store.NumberFilter{OfficeID: "o"})},
		{"ListNumbers{Office,Status}", q.listNumbersQuery(store.NumberFilter{OfficeID: "o", Status: numbers.Reserved})},
		{"ListAudit{User,Limit}", q.listAuditQuery(store.AuditFilter{UserID: "u", Limit: 50})},
		{"ListAudit{Company,After,Limit}", q.listAuditQuery(store.AuditFilter{CompanyID: "c", AfterID: 1, Limit: 50})},
		{"ListAudit{Target}", q.listAuditQuery(store.AuditFilter{TargetID: "t"})},
	}
	for _, b := range built {
		s, args, err := b.b.ToSql()
		if err != nil {
			panic("sqlstore: building " + b.name + ": " + err.Error())
		}
		out = append(out, Probe{Name: b.name, SQL: s, Params: len(args)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

var dollarParam = regexp.MustCompile(`\$([0-9]+)`)

// params counts the parameters of a statement in q's dialect.
func (q *Queries) params(s string) int {
	if q.d.Placeholder != sq.Dollar {
		return strings.Count(s, "?")
	}
	n := 0
	for _, m := range dollarParam.FindAllStringSubmatch(s, -1) {
		i, _ := strconv.Atoi(m[1])
		n = max(n, i)
	}
	return n
}
