package relay_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/lifeline-go/lifeline/relay"
)

// facadeEvents reads the facade's source: every constant named Event...
// with its value, and for each emit call the payload keys it writes, by
// the constant it names.
func facadeEvents(t *testing.T) (kinds map[string]string, fields map[string][]string) {
	t.Helper()
	fset := token.NewFileSet()
	files, err := filepath.Glob(filepath.Join("..", "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	kinds, fields = map[string]string{}, map[string][]string{}
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if !strings.HasPrefix(id.Name, "Event") || i >= len(n.Values) {
						continue
					}
					if lit, ok := n.Values[i].(*ast.BasicLit); ok && lit.Kind == token.STRING {
						kinds[id.Name], _ = strconv.Unquote(lit.Value)
					}
				}
			case *ast.CallExpr:
				sel, ok := n.Fun.(*ast.SelectorExpr)
				if !ok || sel.Sel.Name != "emit" || len(n.Args) != 4 {
					return true
				}
				kind, ok := n.Args[1].(*ast.Ident)
				if !ok {
					t.Errorf("%s: emit names its kind with %T, not a constant", fset.Position(n.Pos()), n.Args[1])
					return true
				}
				keys := []string{}
				if m, ok := n.Args[3].(*ast.CompositeLit); ok {
					for _, el := range m.Elts {
						k := el.(*ast.KeyValueExpr).Key.(*ast.BasicLit)
						s, _ := strconv.Unquote(k.Value)
						keys = append(keys, s)
					}
				}
				fields[kind.Name] = keys
			}
			return true
		})
	}
	return kinds, fields
}

// TestCatalogMatchesFacade fails when the facade declares or emits an event
// type the catalog does not describe as it is written.
func TestCatalogMatchesFacade(t *testing.T) {
	kinds, fields := facadeEvents(t)
	want := map[string][]string{}
	for name, kind := range kinds {
		f, emitted := fields[name]
		if !emitted {
			t.Errorf("the facade declares %s but never emits it", name)
		}
		want[kind] = f
	}
	got := map[string][]string{}
	for _, e := range relay.Catalog() {
		got[e.Type] = slices.Clone(e.Data)
		if got[e.Type] == nil {
			got[e.Type] = []string{}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("relay's catalog differs from the facade's events and payload fields (-facade +catalog):\n%s", diff)
	}
}

// TestReadmeCatalog fails when README.md's table of event types differs
// from the catalog.
func TestReadmeCatalog(t *testing.T) {
	const begin, end = "<!-- event-types:begin -->\n", "<!-- event-types:end -->"
	b, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, ok := strings.Cut(string(b), begin)
	section, _, ok2 := strings.Cut(rest, end)
	if !ok || !ok2 {
		t.Fatalf("README.md has no section between %q and %q", begin, end)
	}
	if want := relay.CatalogMarkdown(); section != want {
		t.Errorf("README.md's table of event types is stale; replace it with:\n%s", want)
	}
}
