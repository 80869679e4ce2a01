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
// user record itself.
func TestNoReadReturnsASecret(t *testing.T) {
	svc := reflect.TypeOf((*lifeline.Service)(nil))
	if svc.NumMethod() < 40 {
		t.Fatalf("Service has %d exported methods; the walk found too few to be trusted", svc.NumMethod())
	}
	for i := range svc.NumMethod() {
		m := svc.Method(i)
		for j := range m.Type.NumOut() {
			if path := secretPath(m.Type.Out(j), m.Name, map[reflect.Type]bool{}); path != "" {
				t.Errorf("Service.%s returns a secret at %s", m.Name, path)
			}
		}
	}
	if path := secretPath(reflect.TypeOf(lifeline.Effects{}), "Effects", map[reflect.Type]bool{}); path != "" {
		t.Errorf("Preview returns a secret at %s", path)
	}
	// The walk can fail: the stored record is caught.
	type leaky struct {
		Users []struct{ PasswordHash string }
	}
	if secretPath(reflect.TypeOf(leaky{}), "leaky", map[reflect.Type]bool{}) == "" {
		t.Error("the walk missed a PasswordHash field")
	}
}

func secretPath(t reflect.Type, path string, seen map[reflect.Type]bool) string {
	if seen[t] {
		return ""
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map, reflect.Chan:
		if t.Kind() == reflect.Map {
			if p := secretPath(t.Key(), path+"[key]", seen); p != "" {
				return p
			}
		}
		return secretPath(t.Elem(), path+"[]", seen)
	case reflect.Struct:
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			if strings.Contains(strings.ToLower(f.Name), "hash") {
				return path + "." + f.Name
			}
			if p := secretPath(f.Type, path+"."+f.Name, seen); p != "" {
				return p
			}
		}
	}
	return ""
}
