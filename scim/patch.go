package scim

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// maxPatchOps bounds the operations of one PATCH request.
const maxPatchOps = 100

// patchOp is one operation of a PatchOp request.
type patchOp struct {
	Op    string // "add", "replace" or "remove"
	Path  string
	Value any
	// HasValue tells a missing value from null.
	HasValue bool
}

// parsePatch reads a PatchOp body. The schemas attribute is not required
// (some providers omit it); Operations must be a non-empty array.
func parsePatch(o object) ([]patchOp, error) {
	raw, ok := o["operations"]
	if !ok {
		return nil, &scimError{status: 400, scimType: "invalidSyntax", detail: "a PATCH body needs Operations"}
	}
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, &scimError{status: 400, scimType: "invalidSyntax", detail: "Operations must be a non-empty array"}
	}
	if len(list) > maxPatchOps {
		return nil, &scimError{status: 400, scimType: "tooMany", detail: fmt.Sprintf("%d operations; at most %d in one PATCH", len(list), maxPatchOps)}
	}
	ops := make([]patchOp, len(list))
	for i, x := range list {
		m, ok := x.(map[string]any)
		if !ok {
			return nil, &scimError{status: 400, scimType: "invalidSyntax", detail: fmt.Sprintf("Operations[%d] is not an object", i)}
		}
		e := fold(m)
		op, _ := e["op"].(string)
		op = strings.ToLower(strings.TrimSpace(op))
		if op != "add" && op != "replace" && op != "remove" {
			return nil, &scimError{status: 400, scimType: "invalidSyntax", detail: fmt.Sprintf("Operations[%d] has op %s; want add, replace or remove", i, clipQuote(fmt.Sprint(e["op"])))}
		}
		path, err := asString("path", e["path"])
		if err != nil {
			return nil, &scimError{status: 400, scimType: "invalidPath", detail: fmt.Sprintf("Operations[%d].path must be a string", i)}
		}
		v, has := e["value"]
		ops[i] = patchOp{Op: op, Path: strings.TrimSpace(path), Value: v, HasValue: has}
	}
	return ops, nil
}

// apply applies one operation to d.
func (d *desired) apply(op patchOp) error {
	if op.Path == "" {
		if op.Op == "remove" {
			return &scimError{status: 400, scimType: "noTarget", detail: "a remove operation needs a path"}
		}
		// A path-less add or replace carries a map of attributes, whose
		// keys may themselves be paths ("name.givenName").
		m, ok := op.Value.(map[string]any)
		if !ok {
			return invalidValue("an %s without a path needs an object value", op.Op)
		}
		// Keys in order, so that "name" and "name.givenName" in one map
		// always apply the same way.
		for _, k := range slices.Sorted(maps.Keys(m)) {
			if err := d.set(op.Op, k, m[k], true); err != nil {
				return err
			}
		}
		return nil
	}
	if op.Op != "remove" && !op.HasValue {
		return invalidValue("an %s of %s needs a value", op.Op, clipQuote(op.Path))
	}
	return d.set(op.Op, op.Path, op.Value, op.HasValue)
}

// path is a parsed attribute path: attr[filter].sub, lower-cased.
type path struct {
	attr string
	// filtered is set when the path has a value filter; it selects the
	// work email (type eq "work" or primary eq true) unless other is set.
	filtered bool
	other    bool
	sub      string
}

// parsePath parses the attribute paths the endpoint acts on. A path into
// another schema (an extension such as the enterprise User) parses with
// attr "" and is ignored by the caller.
func parsePath(s string) (path, error) {
	var p path
	s = strings.TrimSpace(s)
	if len(s) > len(userURN) && strings.EqualFold(s[:len(userURN)], userURN) {
		s = s[len(userURN):]
	} else if strings.HasPrefix(strings.ToLower(s), "urn:") {
		return p, nil
	}
	if i := strings.IndexByte(s, '['); i >= 0 {
		j := strings.LastIndexByte(s, ']')
		if j < i {
			return p, &scimError{status: 400, scimType: "invalidPath", detail: fmt.Sprintf("path %s has an unclosed value filter", clipQuote(s))}
		}
		p.attr, p.filtered = strings.ToLower(strings.TrimSpace(s[:i])), true
		rest := s[j+1:]
		if rest != "" {
			if rest[0] != '.' {
				return p, &scimError{status: 400, scimType: "invalidPath", detail: fmt.Sprintf("path %s has text after its value filter", clipQuote(s))}
			}
			p.sub = strings.ToLower(rest[1:])
		}
		if p.attr != "emails" {
			// A value filter of an attribute lifeline does not keep
			// (phoneNumbers, addresses, ...): ignored with the attribute.
			return p, nil
		}
		work, err := parseValueFilter(s[i+1 : j])
		if err != nil {
			return p, err
		}
		p.other = !work
		return p, nil
	}
	p.attr = strings.ToLower(s)
	if i := strings.IndexByte(p.attr, '.'); i >= 0 {
		p.attr, p.sub = p.attr[:i], p.attr[i+1:]
	}
	return p, nil
}

// parseValueFilter parses the filter inside emails[...]: type eq "x" or
// primary eq true. It reports whether the filter selects the work email.
func parseValueFilter(s string) (work bool, err error) {
	fp := &filterParser{s: s}
	a := strings.ToLower(fp.word())
	if e := fp.eq(); e != nil {
		return false, &scimError{status: 400, scimType: "invalidPath", detail: e.Error()}
	}
	fp.space()
	switch a {
	case "type":
		v, e := fp.str()
		if e != nil {
			return false, &scimError{status: 400, scimType: "invalidPath", detail: e.Error()}
		}
		work = strings.EqualFold(v, "work")
	case "primary":
		work = strings.EqualFold(fp.word(), "true")
	default:
		return false, &scimError{status: 400, scimType: "invalidPath", detail: fmt.Sprintf("value filter %s is not supported; use type eq \"work\"", clipQuote(s))}
	}
	fp.space()
	if !fp.done() {
		return false, &scimError{status: 400, scimType: "invalidPath", detail: fmt.Sprintf("value filter %s is not supported; use type eq \"work\"", clipQuote(s))}
	}
	return work, nil
}

// set applies op to the attribute at rawPath. Attributes lifeline does
// not keep are accepted and ignored, as identity providers send every
// attribute they map (displayName, title, phoneNumbers, the enterprise
// extension, ...).
func (d *desired) set(op, rawPath string, v any, has bool) error {
	p, err := parsePath(rawPath)
	if err != nil {
		return err
	}
	remove := op == "remove"
	switch p.attr {
	case "username":
		if remove || v == nil {
			return invalidValue("userName cannot be removed")
		}
		s, err := asString("userName", v)
		if err != nil {
			return err
		}
		d.UserName = s
	case "externalid":
		if remove {
			d.ExternalID = ""
			return nil
		}
		s, err := asString("externalId", v)
		if err != nil {
			return err
		}
		d.ExternalID = s
	case "active":
		if remove {
			return invalidValue("active cannot be removed")
		}
		b, err := asBool("active", v)
		if err != nil {
			return err
		}
		d.Active = b
	case "name":
		if remove {
			return invalidValue("name cannot be removed: lifeline keeps a first and last name for every person")
		}
		switch p.sub {
		case "":
			return d.setName(v)
		case "givenname":
			s, err := asString("name.givenName", v)
			if err != nil {
				return err
			}
			d.GivenName = s
		case "familyname":
			s, err := asString("name.familyName", v)
			if err != nil {
				return err
			}
			d.FamilyName = s
		}
	case "emails":
		return d.setEmails(op, p, v, has)
	}
	return nil
}

func (d *desired) setEmails(op string, p path, v any, has bool) error {
	if p.other {
		// Only the work email is kept: another type's email is ignored.
		return nil
	}
	if op == "remove" {
		if has && v != nil && !p.filtered && p.sub == "" {
			// Remove named values: clear the email only if it is one.
			e, err := pickEmail(v)
			if err != nil {
				return err
			}
			if !strings.EqualFold(e, d.Email) {
				return nil
			}
		}
		if p.sub == "" || p.sub == "value" {
			d.Email = ""
		}
		return nil
	}
	switch {
	case p.sub == "value":
		s, err := asString("emails.value", v)
		if err != nil {
			return err
		}
		// A filtered replace that matches nothing adds (the work email
		// always exists as a slot), as providers expect.
		d.Email = s
	case p.sub != "":
		// emails[...].type, .primary, .display: not kept.
	case p.filtered:
		m, ok := v.(map[string]any)
		if !ok {
			return invalidValue("%s needs an email object", "emails[...]")
		}
		s, err := asString("emails.value", fold(m)["value"])
		if err != nil {
			return err
		}
		d.Email = s
	default:
		e, err := pickEmail(v)
		if err != nil {
			return err
		}
		if op == "add" && e == "" {
			return nil
		}
		d.Email = e
	}
	return nil
}
