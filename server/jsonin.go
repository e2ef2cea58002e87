package server

import (
	"fmt"
	"strconv"
	"strings"
)

// Every JSON body the backend reads goes through parseJSON before anything
// else looks at it. It is a strict RFC 8259 parser that also applies the
// backend's one rule for stored data (docs/forms.md, "What the backend
// stores"):
//
//   - Text is valid Unicode: no invalid UTF-8, no lone surrogate escape
//     (\ud800), no control character other than tab, line feed and carriage
//     return (so no NUL). Such a value is refused, never repaired: a
//     silently stored U+FFFD would be a change the citizen never made.
//   - An object has each key once (parsers disagree on which of two wins).
//   - A number is kept exactly, in its canonical form: plain decimal
//     digits, no exponent, no leading zeros, no trailing zeros after the
//     point, no "-0"; "2e1" and "20.0" become 20, "3.50" and "35e-1" 3.5.
//     It may have at most maxNumberLen characters as written and when
//     written out so. The cap is checked while scanning, before any
//     validator turns the literal into a big number: one 1,000,000-digit
//     integer, or 1e1000001, costs a linear scan, not seconds of CPU.
//   - Nesting is at most maxJSONDepth levels deep.
const (
	maxNumberLen = 64
	maxJSONDepth = 64
	// maxValueErrors bounds the value errors reported for one body.
	maxValueErrors = 20
)

// Codes of the field errors the input rule gives.
const (
	codeNumberTooLong = "numberTooLong"
	codeInvalidText   = "invalidText"
	codeDuplicateKey  = "duplicateKey"
)

// inputError is a value parseJSON refuses, by the RFC 6901 pointer of the
// value in the body.
type inputError struct {
	pointer string
	code    string
	detail  string // English, for the problem's detail
}

// syntaxError says why a body is not JSON as the backend reads it.
type syntaxError struct {
	offset int
	msg    string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("%s (at byte %d)", e.msg, e.offset) }

// parseJSON parses exactly one JSON value (objects as map[string]any,
// arrays as []any, numbers as canonical json.Number). A syntax error
// outranks value errors: a body that is not JSON is refused as such.
func parseJSON(b []byte) (any, []inputError, error) {
	p := &jsonParser{b: b}
	p.space()
	if p.i == len(p.b) {
		return nil, nil, &syntaxError{0, "the body is empty"}
	}
	v := p.value(0)
	if p.err == nil {
		p.space()
		if p.i < len(p.b) {
			p.fail("data after the JSON value")
		}
	}
	if p.err != nil {
		return nil, nil, p.err
	}
	return v, p.errs, nil
}

type jsonParser struct {
	b    []byte
	i    int
	path []string // pointer tokens of the value being parsed, escaped
	err  *syntaxError
	errs []inputError
}

func (p *jsonParser) fail(msg string) {
	if p.err == nil {
		p.err = &syntaxError{p.i, msg}
	}
}

func (p *jsonParser) refuse(code, detail string) {
	if len(p.errs) >= maxValueErrors {
		return
	}
	ptr := ""
	if len(p.path) > 0 {
		ptr = "/" + strings.Join(p.path, "/")
	}
	p.errs = append(p.errs, inputError{pointer: ptr, code: code, detail: detail})
}

func (p *jsonParser) space() {
	for p.i < len(p.b) {
		switch p.b[p.i] {
		case ' ', '\t', '\n', '\r':
			p.i++
		default:
			return
		}
	}
}

func (p *jsonParser) value(depth int) any {
	if depth >= maxJSONDepth {
		p.fail(fmt.Sprintf("nested deeper than %d levels", maxJSONDepth))
		return nil
	}
	if p.i >= len(p.b) {
		p.fail("unexpected end of the body")
		return nil
	}
	switch c := p.b[p.i]; {
	case c == '{':
		return p.object(depth)
	case c == '[':
		return p.array(depth)
	case c == '"':
		s, _ := p.str()
		return s
	case c == '-' || c >= '0' && c <= '9':
		return p.number()
	case p.literal("true"):
		return true
	case p.literal("false"):
		return false
	case p.literal("null"):
		return nil
	}
	p.fail("not a JSON value")
	return nil
}

func (p *jsonParser) literal(word string) bool {
	if strings.HasPrefix(string(p.b[p.i:min(len(p.b), p.i+len(word))]), word) {
		p.i += len(word)
		return true
	}
	return false
}

func (p *jsonParser) object(depth int) any {
	p.i++ // {
	obj := map[string]any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == '}' {
		p.i++
		return obj
	}
	for p.err == nil {
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != '"' {
			p.fail("expected a key in quotes")
			return nil
		}
		key, ok := p.str()
		if p.err != nil {
			return nil
		}
		p.path = append(p.path, pointerToken(key))
		if _, dup := obj[key]; dup && ok {
			p.refuse(codeDuplicateKey, "the key appears more than once in its object")
		}
		p.space()
		if p.i >= len(p.b) || p.b[p.i] != ':' {
			p.fail("expected ':' after a key")
			return nil
		}
		p.i++
		p.space()
		obj[key] = p.value(depth + 1)
		p.path = p.path[:len(p.path)-1]
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == '}' {
			p.i++
			return obj
		}
		p.fail("expected ',' or '}' in an object")
	}
	return nil
}

func (p *jsonParser) array(depth int) any {
	p.i++ // [
	arr := []any{}
	p.space()
	if p.i < len(p.b) && p.b[p.i] == ']' {
		p.i++
		return arr
	}
	for p.err == nil {
		p.path = append(p.path, strconv.Itoa(len(arr)))
		p.space()
		arr = append(arr, p.value(depth+1))
		p.path = p.path[:len(p.path)-1]
		p.space()
		if p.i < len(p.b) && p.b[p.i] == ',' {
			p.i++
			continue
		}
		if p.i < len(p.b) && p.b[p.i] == ']' {
			p.i++
			return arr
		}
		p.fail("expected ',' or ']' in an array")
	}
	return nil
}

// pointerToken escapes a key for a JSON Pointer (RFC 6901).
func pointerToken(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}
