package bench

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strings"
)

// Tables are the tables the operations write, in dump order.
var Tables = []string{"users", "numbers", "license_pools", "user_licenses", "recording_plans", "audit", "outbox"}

// Dump returns every row of Tables on db as "table: col=value|..." lines,
// in key order, with the floor's random ids replaced by the facade's
// through ids (floor id → facade id). Outbox event ids, random on both
// sides, are paired by append order (seq) and replaced the same way.
func Dump(ctx context.Context, db *sql.DB, ids map[string]string) ([]string, error) {
	var out []string
	for _, t := range Tables {
		order := "1"
		switch t {
		case "user_licenses":
			order = "1, 2"
		case "outbox":
			order = "seq"
		}
		rows, err := db.QueryContext(ctx, "SELECT * FROM "+t+" ORDER BY "+order)
		if err != nil {
			return nil, err
		}
		cols, err := rows.Columns()
		if err != nil {
			rows.Close()
			return nil, err
		}
		var lines []string
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				rows.Close()
				return nil, err
			}
			parts := make([]string, len(cols))
			for i, v := range vals {
				if b, ok := v.([]byte); ok {
					v = string(b)
				}
				parts[i] = fmt.Sprintf("%s=%v", cols[i], v)
			}
			lines = append(lines, t+": "+strings.Join(parts, "|"))
		}
		if err := rows.Close(); err != nil {
			return nil, err
		}
		if t != "outbox" {
			// Rows keyed by a random id sort by it: map first, then sort.
			for i := range lines {
				lines[i] = replaceIDs(lines[i], ids)
			}
			sort.Strings(lines)
		} else {
			for i := range lines {
				lines[i] = replaceIDs(lines[i], ids)
			}
		}
		out = append(out, lines...)
	}
	return out, nil
}

func replaceIDs(s string, ids map[string]string) string {
	for from, to := range ids {
		s = strings.ReplaceAll(s, from, to)
	}
	return s
}

// EventIDs pairs the outbox event ids of the floor's database with the
// facade's, by append order, adding them to ids.
func EventIDs(ctx context.Context, floor, lifeline *sql.DB, ids map[string]string) error {
	list := func(db *sql.DB) ([]string, error) {
		rows, err := db.QueryContext(ctx, "SELECT id FROM outbox ORDER BY seq")
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var out []string
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return nil, err
			}
			out = append(out, id)
		}
		return out, rows.Err()
	}
	a, err := list(floor)
	if err != nil {
		return err
	}
	b, err := list(lifeline)
	if err != nil {
		return err
	}
	if len(a) != len(b) {
		return fmt.Errorf("bench: the floor appended %d events, the facade %d", len(a), len(b))
	}
	for i := range a {
		ids[a[i]] = b[i]
	}
	return nil
}
