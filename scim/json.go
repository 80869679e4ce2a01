package scim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// malformed returns the 400 invalidSyntax refusal of a body that is not
// well-formed JSON.
func malformed(format string, args ...any) error {
	return &scimError{status: 400, scimType: "invalidSyntax", detail: fmt.Sprintf(format, args...)}
}

// checkJSON refuses what encoding/json lets through in a syntactically
// valid body (RFC 7644 section 3.12, invalidSyntax): bytes that are not
// UTF-8 (RFC 8259 section 8.1), which json.Unmarshal would turn into
// U+FFFD; a \u escape of half a surrogate pair, likewise; and an object
// that names a member twice, of which json.Unmarshal would keep the last.
// SCIM attribute names are case-insensitive (RFC 7643 section 2.1), so
// "userName" and "username" in one object are the same attribute twice.
func checkJSON(body []byte) error {
	if !utf8.Valid(body) {
		i := invalidUTF8(body)
		return malformed("the body is not valid UTF-8 (byte %#02x at offset %d)", body[i], i)
	}
	if i := loneSurrogate(body); i >= 0 {
		return malformed("the body has an escape at offset %d (%s) that is half of a UTF-16 surrogate pair, not a character", i, body[i:i+6])
	}
	return uniqueNames(body)
}

// invalidUTF8 returns the offset of the first byte of b that is not part of
// valid UTF-8, or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return -1
}

// loneSurrogate returns the offset of the first \u escape in a string of
// the syntactically valid JSON text b that is a high surrogate not followed
// by a low one, or a low surrogate not preceded by a high one; -1 if none.
func loneSurrogate(b []byte) int {
	hex := func(i int) rune {
		if i+6 > len(b) || b[i] != '\\' || b[i+1] != 'u' {
			return -1
		}
		v, err := strconv.ParseUint(string(b[i+2:i+6]), 16, 16)
		if err != nil {
			return -1
		}
		return rune(v)
	}
	inString := false
	for i := 0; i < len(b); i++ {
		switch {
		case !inString:
			inString = b[i] == '"'
		case b[i] == '"':
			inString = false
		case b[i] == '\\':
			r := hex(i)
			switch {
			case r < 0:
				i++ // a two-byte escape such as \" or \\
			case utf16.IsSurrogate(r):
				if r >= 0xDC00 {
					return i // a low surrogate first
				}
				if low := hex(i + 6); low < 0xDC00 || low > 0xDFFF {
					return i
				}
				i += 11
			default:
				i += 5
			}
		}
	}
	return -1
}

// uniqueNames refuses an object of the syntactically valid JSON text body
// that names a member twice, regardless of case.
func uniqueNames(body []byte) error {
	type frame struct {
		names   map[string]bool // nil in an array
		wantKey bool
	}
	var stack []frame
	d := json.NewDecoder(bytes.NewReader(body))
	for {
		tok, err := d.Token()
		if err != nil {
			return nil // the end, or a syntax error json.Unmarshal reports
		}
		top := len(stack) - 1
		switch tok {
		case json.Delim('{'):
			stack = append(stack, frame{names: map[string]bool{}, wantKey: true})
			continue
		case json.Delim('['):
			stack = append(stack, frame{})
			continue
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:top]
			top--
		default:
			if k, ok := tok.(string); ok && top >= 0 && stack[top].wantKey {
				folded := strings.ToLower(k)
				if stack[top].names[folded] {
					return malformed("the body names the attribute %s twice in one object", clipQuote(k))
				}
				stack[top].names[folded] = true
				stack[top].wantKey = false
				continue
			}
		}
		// A value ended: an object expects its next member's name.
		if top >= 0 && stack[top].names != nil {
			stack[top].wantKey = true
		}
	}
}
