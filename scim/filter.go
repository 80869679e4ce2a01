package scim

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"
)

// maxFilterLen bounds a filter: the three forms identity providers send,
// joined with "and", fit in a few hundred bytes.
const maxFilterLen = 2048

// maxFilterTerms bounds how many comparisons one filter may join.
const maxFilterTerms = 8

// attr is an attribute a filter may compare.
type attr uint8

const (
	attrUserName attr = iota + 1
	attrExternalID
	attrWorkEmail
)

func (a attr) String() string {
	switch a {
	case attrUserName:
		return "userName"
	case attrExternalID:
		return "externalId"
	case attrWorkEmail:
		return `emails[type eq "work"].value`
	}
	return fmt.Sprintf("attr(%d)", a)
}

// term is one comparison of a filter: attribute eq value.
type term struct {
	Attr  attr
	Value string
}

// filterError is a filter the endpoint does not accept; it answers 400
// invalidFilter.
type filterError struct{ msg string }

func (e *filterError) Error() string { return e.msg }

func badFilter(format string, args ...any) error {
	return &filterError{msg: fmt.Sprintf(format, args...)}
}

// parseFilter parses the filters identity providers send to look a user
// up, and nothing else:
//
//	userName eq "value"
//	externalId eq "value"
//	emails[type eq "work"].value eq "value"
//
// joined with "and". Attribute names, operators and "and" match in any
// case, and attribute names may carry the core User schema's URN as a
// prefix. Values are JSON strings. Everything else — another attribute or
// operator, "or", "not", parentheses, a value that is not a string — is a
// *filterError, so a filter the endpoint cannot honour is refused instead
// of answered with a wider list.
func parseFilter(s string) ([]term, error) {
	if len(s) > maxFilterLen {
		return nil, badFilter("the filter is %d bytes long; at most %d are accepted", len(s), maxFilterLen)
	}
	if !utf8.ValidString(s) {
		return nil, badFilter("the filter is not valid UTF-8")
	}
	p := &filterParser{s: s}
	var terms []term
	for {
		t, err := p.term()
		if err != nil {
			return nil, err
		}
		terms = append(terms, t)
		if len(terms) > maxFilterTerms {
			return nil, badFilter("the filter joins more than %d comparisons", maxFilterTerms)
		}
		p.space()
		if p.done() {
			return terms, nil
		}
		w := p.word()
		if !strings.EqualFold(w, "and") {
			return nil, p.unexpected(w, `"and" or the end of the filter`)
		}
	}
}

type filterParser struct {
	s   string
	pos int
}

func (p *filterParser) done() bool { return p.pos >= len(p.s) }

func (p *filterParser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t') {
		p.pos++
	}
}

// word reads a run of attribute-name characters (letters, digits, '.',
// ':', '_', '-', '$').
func (p *filterParser) word() string {
	p.space()
	start := p.pos
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == ':' || c == '_' || c == '-' || c == '$' {
			p.pos++
			continue
		}
		break
	}
	return p.s[start:p.pos]
}

func (p *filterParser) unexpected(got, want string) error {
	if got == "" {
		if p.done() {
			return badFilter("the filter ends where %s should be", want)
		}
		r, _ := utf8.DecodeRuneInString(p.s[p.pos:])
		return badFilter("the filter has %q at byte %d where %s should be", r, p.pos, want)
	}
	return badFilter("the filter has %s at byte %d where %s should be", clipQuote(got), p.pos-len(got), want)
}

// expect consumes c after optional spaces.
func (p *filterParser) expect(c byte, what string) error {
	p.space()
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return nil
	}
	return p.unexpected("", what)
}

// eq reads the operator, which must be "eq".
func (p *filterParser) eq() error {
	op := p.word()
	if !strings.EqualFold(op, "eq") {
		if op == "" {
			return p.unexpected(op, `the operator "eq"`)
		}
		return badFilter("the filter uses the operator %s; only \"eq\" is supported", clipQuote(op))
	}
	return nil
}

// str reads a JSON string.
func (p *filterParser) str() (string, error) {
	p.space()
	if p.pos >= len(p.s) || p.s[p.pos] != '"' {
		if p.done() {
			return "", p.unexpected("", "a quoted string")
		}
		return "", badFilter("the filter compares with something that is not a quoted string at byte %d; only string values are supported", p.pos)
	}
	start := p.pos
	p.pos++
	for p.pos < len(p.s) {
		switch p.s[p.pos] {
		case '\\':
			p.pos += 2
			continue
		case '"':
			p.pos++
			var v string
			lit := []byte(p.s[start:p.pos])
			if err := json.Unmarshal(lit, &v); err != nil || loneSurrogate(lit) >= 0 {
				return "", badFilter("the string at byte %d is not a valid JSON string", start)
			}
			return v, nil
		}
		p.pos++
	}
	return "", badFilter("the string at byte %d is not closed", start)
}

// userURN is the core User schema, which may prefix an attribute name.
const userURN = "urn:ietf:params:scim:schemas:core:2.0:user:"

func (p *filterParser) term() (term, error) {
	name := p.word()
	if name == "" {
		return term{}, p.unexpected("", "an attribute name")
	}
	bare := name
	if len(bare) > len(userURN) && strings.EqualFold(bare[:len(userURN)], userURN) {
		bare = bare[len(userURN):]
	}
	var a attr
	switch strings.ToLower(bare) {
	case "username":
		a = attrUserName
	case "externalid":
		a = attrExternalID
	case "emails":
		// emails[type eq "work"].value
		if err := p.expect('[', `"[" after emails`); err != nil {
			return term{}, err
		}
		if w := p.word(); !strings.EqualFold(w, "type") {
			return term{}, badFilter(`only emails[type eq "work"].value is supported`)
		}
		if err := p.eq(); err != nil {
			return term{}, err
		}
		typ, err := p.str()
		if err != nil {
			return term{}, err
		}
		if !strings.EqualFold(typ, "work") {
			return term{}, badFilter("only the work email can be filtered, not type %s", clipQuote(typ))
		}
		if err := p.expect(']', `"]"`); err != nil {
			return term{}, err
		}
		if w := p.word(); !strings.EqualFold(w, ".value") {
			return term{}, badFilter(`only emails[type eq "work"].value is supported`)
		}
		a = attrWorkEmail
	default:
		return term{}, badFilter("the filter names the attribute %s; only userName, externalId and emails[type eq \"work\"].value can be filtered", clipQuote(name))
	}
	if err := p.eq(); err != nil {
		return term{}, err
	}
	v, err := p.str()
	if err != nil {
		return term{}, err
	}
	return term{Attr: a, Value: v}, nil
}

// clipQuote quotes at most 40 bytes of s for a message.
func clipQuote(s string) string {
	const n = 40
	if len(s) <= n {
		return strconv.Quote(s)
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + "…"
}
