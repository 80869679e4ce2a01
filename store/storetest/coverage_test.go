package storetest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline/store"
)

// required lists the interfaces every store implements: Store, Tx and the
// repositories Tx is made of.
var required = []reflect.Type{
	reflect.TypeFor[store.Store](),
	reflect.TypeFor[store.Tx](),
	reflect.TypeFor[store.Companies](),
	reflect.TypeFor[store.Users](),
	reflect.TypeFor[store.Audit](),
	reflect.TypeFor[store.Numbers](),
	reflect.TypeFor[store.Licenses](),
	reflect.TypeFor[store.Recordings](),
	reflect.TypeFor[store.Outbox](),
	reflect.TypeFor[store.Savepoints](),
	reflect.TypeFor[store.ChangeSets](),
}

// upgrades lists the optional upgrades of a Store and of a Tx.
var upgrades = []reflect.Type{
	reflect.TypeFor[store.Checkpointer](),
	reflect.TypeFor[store.SingleReader](),
	reflect.TypeFor[store.Exclusive](),
	reflect.TypeFor[store.UserBatchReader](),
	reflect.TypeFor[store.UserPoolReader](),
	reflect.TypeFor[store.ExtensionReader](),
	reflect.TypeFor[store.NumberPager](),
	reflect.TypeFor[store.Search](),
	reflect.TypeFor[store.SearchExplainer](),
}

// contract is every interface of package store; TestContractListed keeps
// it complete.
var contract = append(slices.Clip(required), upgrades...)

// TestContractListed fails when package store declares an interface that
// contract does not list, so a new repository or upgrade cannot escape
// TestEveryMethodCovered.
func TestContractListed(t *testing.T) {
	listed := map[string]bool{}
	for _, typ := range contract {
		listed[typ.Name()] = true
	}
	for _, f := range parsePackage(t, "..") {
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			if _, isIface := ts.Type.(*ast.InterfaceType); isIface && ts.Name.IsExported() && !listed[ts.Name.Name] {
				t.Errorf("store.%s is not listed in contract: list it so that its methods must be covered", ts.Name.Name)
			}
			return false
		})
	}
}

// TestRequiredMethods reports the size of the required contract: the
// methods of store.Store and store.Tx, counted by reflection.
func TestRequiredMethods(t *testing.T) {
	st, tx := reflect.TypeFor[store.Store]().NumMethod(), reflect.TypeFor[store.Tx]().NumMethod()
	optional := 0
	for _, typ := range upgrades {
		optional += typ.NumMethod()
	}
	t.Logf("required: %d (Store %d + Tx %d); optional upgrades: %d methods", st+tx, st, tx, optional)
}

// TestEveryMethodCovered fails when a method of an interface of package
// store, required or optional, is called by no case that RunConformance
// runs. The cases are found in the suite's source: starting from
// RunConformance it follows every function, method and package-level
// variable the code names (the tables of cases included) and collects the
// methods called on the way, so a case left out of its table no longer
// covers what it calls.
func TestEveryMethodCovered(t *testing.T) {
	called := reachableCalls(t, "RunConformance")
	for _, typ := range contract {
		for m := range typ.Methods() {
			if !called[m.Name] {
				t.Errorf("store.%s.%s is called by no case of RunConformance: add one (behind a capability check if it is an optional upgrade)", typ.Name(), m.Name)
			}
		}
	}
}

// parsePackage parses the Go files of dir, tests aside.
func parsePackage(t *testing.T, dir string) []*ast.File {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	var files []*ast.File
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, p, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	if len(files) == 0 {
		t.Fatalf("no Go files in %s", dir)
	}
	return files
}

// reachableCalls returns the names of the methods called (x.Name(...)) by
// the declarations of this package reachable from root, following every
// name a declaration mentions to the top-level declarations of that name.
func reachableCalls(t *testing.T, root string) map[string]bool {
	t.Helper()
	type decl struct {
		names []string // identifiers and selected names it mentions
		calls []string // names it calls as x.Name(...)
	}
	decls := map[string][]*decl{}
	scan := func(key string, n ast.Node) {
		d := &decl{}
		ast.Inspect(n, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.Ident:
				d.names = append(d.names, n.Name)
			case *ast.SelectorExpr:
				d.names = append(d.names, n.Sel.Name)
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok {
					d.calls = append(d.calls, sel.Sel.Name)
				}
			}
			return true
		})
		decls[key] = append(decls[key], d)
	}
	for _, f := range parsePackage(t, ".") {
		for _, dc := range f.Decls {
			switch dc := dc.(type) {
			case *ast.FuncDecl:
				scan(dc.Name.Name, dc)
			case *ast.GenDecl:
				for _, sp := range dc.Specs {
					if vs, ok := sp.(*ast.ValueSpec); ok {
						for _, name := range vs.Names {
							scan(name.Name, vs)
						}
					}
				}
			}
		}
	}
	if len(decls[root]) == 0 {
		t.Fatalf("no declaration of %s", root)
	}
	called := map[string]bool{}
	seen := map[string]bool{root: true}
	queue := []string{root}
	for len(queue) > 0 {
		name := queue[0]
		queue = queue[1:]
		for _, d := range decls[name] {
			for _, c := range d.calls {
				called[c] = true
			}
			for _, n := range d.names {
				if !seen[n] && len(decls[n]) > 0 {
					seen[n] = true
					queue = append(queue, n)
				}
			}
		}
	}
	return called
}
