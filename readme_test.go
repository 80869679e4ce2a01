package lifeline_test

import (
	"os"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/lifecycle"
)

// TestReadmeStateDiagram fails when README.md's state diagram differs from
// the one generated from lifecycle.Table.
func TestReadmeStateDiagram(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	const begin, end = "<!-- state-diagram:begin -->\n```mermaid\n", "```\n<!-- state-diagram:end -->"
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the markers %q ... %q", begin, end)
	}
	got, want := readme[i+len(begin):j], lifecycle.Mermaid()
	if got != want {
		t.Errorf("README.md's state diagram is stale; replace it with:\n%s", want)
	}
}

// TestReadmeCommands keeps the two set-up commands at the top of README.md.
func TestReadmeCommands(t *testing.T) {
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(string(b), "\n")
	if len(lines) < 5 || lines[3] != "go run ./examples/quickstart" || lines[4] != "go test ./..." {
		t.Errorf("README.md must open with the commands `go run ./examples/quickstart` and `go test ./...`; got %q", lines[:min(5, len(lines))])
	}
}
