package lifeline_test

import (
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
	"github.com/lifeline-go/lifeline/access"
	"github.com/lifeline-go/lifeline/lifecycle"
)

// readmeSection returns the text of README.md between begin and end.
func readmeSection(t *testing.T, begin, end string) string {
	t.Helper()
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the markers %q ... %q", begin, end)
	}
	return readme[i+len(begin) : j]
}

// TestReadmeStateDiagram fails when README.md's state diagram differs from
// the one generated from lifecycle.Table.
func TestReadmeStateDiagram(t *testing.T) {
	const begin, end = "<!-- state-diagram:begin -->\n```mermaid\n", "```\n<!-- state-diagram:end -->"
	if got, want := readmeSection(t, begin, end), lifecycle.Mermaid(); got != want {
		t.Errorf("README.md's state diagram is stale; replace it with:\n%s", want)
	}
}

// TestReadmeAccessMatrix fails when README.md's permission matrix differs
// from the one generated from access.Matrix and lifeline.Operations.
func TestReadmeAccessMatrix(t *testing.T) {
	const begin, end = "<!-- access-matrix:begin -->\n", "<!-- access-matrix:end -->"
	if got, want := readmeSection(t, begin, end), accessMatrixMarkdown(); got != want {
		t.Errorf("README.md's permission matrix is stale; replace it with:\n%s", want)
	}
}

// accessMatrixMarkdown renders the permission matrix as a Markdown table:
// one row per access action with the scope of each role, and the
// operations authorized against it; then the operations only a system
// principal runs.
func accessMatrixMarkdown() string {
	roles := access.Roles()
	scope := map[access.Action]map[access.Role]access.Scope{}
	for _, r := range access.Matrix() {
		if scope[r.Action] == nil {
			scope[r.Action] = map[access.Role]access.Scope{}
		}
		scope[r.Action][r.Role] = r.Scope
	}
	ops := map[access.Action][]string{}
	for _, op := range lifeline.Operations() {
		ops[op.Permission] = append(ops[op.Permission], "`"+op.Name+"`")
	}

	var b strings.Builder
	b.WriteString("| action |")
	for _, r := range roles {
		fmt.Fprintf(&b, " %s |", r)
	}
	b.WriteString(" operations |\n|---|")
	for range roles {
		b.WriteString("---|")
	}
	b.WriteString("---|\n")
	for _, a := range access.Actions() {
		fmt.Fprintf(&b, "| `%s` |", a)
		for _, r := range roles {
			s := scope[a][r].String()
			if scope[a][r] == access.ScopeNone {
				s = "—"
			}
			fmt.Fprintf(&b, " %s |", s)
		}
		o := strings.Join(ops[a], ", ")
		if o == "" {
			o = "(not built yet)"
		}
		fmt.Fprintf(&b, " %s |\n", o)
	}
	fmt.Fprintf(&b, "\nOnly a system principal runs %s.\n", strings.Join(ops[""], ", "))
	return b.String()
}

// TestReadmeCommands keeps the two set-up commands at the top of README.md.
func TestReadmeCommands(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 || lines[3] != "go run ./examples/quickstart" || lines[4] != "go test ./... ./examples/..." {
		t.Errorf("README.md must open with the commands `go run ./examples/quickstart` and `go test ./... ./examples/...`; got %q", lines[:min(5, len(lines))])
	}
}
