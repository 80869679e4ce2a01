package lifeline_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/lifeline-go/lifeline"
)

// TestNoReadReturnsASecret walks every exported method of Service, and the
// results of Do and Preview, and fails if any result type could carry a
// password or PIN hash: a field whose name mentions a hash, or the stored
// user record itself. Behind an interface (a change set's Results are
// []any) it walks every type the interface can hold there: the result of
// every stageable operation.
func TestNoReadReturnsASecret(t *testing.T) {
	w := walk{behindAny: lifeline.StagedResultTypes(), seen: map[reflect.Type]bool{}}
	if len(w.behindAny) < 10 {
		t.Fatalf("%d stageable result types; the walk behind any found too few to be trusted", len(w.behindAny))
	}
	svc := reflect.TypeOf((*lifeline.Service)(nil))
	if svc.NumMethod() < 40 {
		t.Fatalf("Service has %d exported methods; the walk found too few to be trusted", svc.NumMethod())
	}
	for i := range svc.NumMethod() {
		m := svc.Method(i)
		for j := range m.Type.NumOut() {
			if path := w.secretPath(m.Type.Out(j), m.Name); path != "" {
				t.Errorf("Service.%s returns a secret at %s", m.Name, path)
			}
		}
	}
	if path := w.secretPath(reflect.TypeOf(lifeline.Effects{}), "Effects"); path != "" {
		t.Errorf("Preview returns a secret at %s", path)
	}
	// The walk can fail: the stored record is caught, in a field and
	// behind an any.
	type leaky struct {
		Users []struct{ PasswordHash string }
	}
	if (&walk{seen: map[reflect.Type]bool{}}).secretPath(reflect.TypeOf(leaky{}), "leaky") == "" {
		t.Error("the walk missed a PasswordHash field")
	}
	type opaque struct{ Results []any }
	hidden := walk{behindAny: []reflect.Type{reflect.TypeOf(leaky{})}, seen: map[reflect.Type]bool{}}
	if hidden.secretPath(reflect.TypeOf(opaque{}), "opaque") == "" {
		t.Error("the walk missed a PasswordHash field behind an any")
	}
}

// walk looks for a secret in types, following fields, elements and, at an
// interface, every type in behindAny.
type walk struct {
	behindAny []reflect.Type
	seen      map[reflect.Type]bool
}

func (w *walk) secretPath(t reflect.Type, path string) string {
	if w.seen[t] {
		return ""
	}
	w.seen[t] = true
	switch t.Kind() {
	case reflect.Interface:
		for _, c := range w.behindAny {
			if p := w.secretPath(c, path+".("+c.String()+")"); p != "" {
				return p
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map, reflect.Chan:
		if t.Kind() == reflect.Map {
			if p := w.secretPath(t.Key(), path+"[key]"); p != "" {
				return p
			}
		}
		return w.secretPath(t.Elem(), path+"[]")
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if strings.Contains(strings.ToLower(f.Name), "hash") {
				return path + "." + f.Name
			}
			if p := w.secretPath(f.Type, path+"."+f.Name); p != "" {
				return p
			}
		}
	}
	return ""
}
