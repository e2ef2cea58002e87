package server

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
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

// str reads a string at p.i (on its opening quote). It reports ok=false,
// after refusing the value, when the text breaks the rule; what it returns
// then has U+FFFD where the text was broken.
func (p *jsonParser) str() (string, bool) {
	p.i++ // "
	start := p.i
	// Fast path: printable ASCII without escapes is the string itself.
	for p.i < len(p.b) {
		c := p.b[p.i]
		if c == '"' {
			s := string(p.b[start:p.i])
			p.i++
			return s, true
		}
		if c < 0x20 || c == '\\' || c >= 0x7f {
			break
		}
		p.i++
	}
	buf := append([]byte(nil), p.b[start:p.i]...)
	ok := true
	bad := func() {
		if ok {
			ok = false
			p.refuse(codeInvalidText, "the text has invalid UTF-8, a lone surrogate or a control character other than tab and line breaks")
		}
		buf = utf8.AppendRune(buf, utf8.RuneError)
	}
	for p.i < len(p.b) {
		c := p.b[p.i]
		switch {
		case c == '"':
			p.i++
			return string(buf), ok
		case c < 0x20:
			p.fail("a control character in a string must be escaped")
			return "", false
		case c == '\\':
			r, valid := p.escape()
			if p.err != nil {
				return "", false
			}
			if !valid || isForbiddenRune(r) {
				bad()
			} else {
				buf = utf8.AppendRune(buf, r)
			}
		case c < utf8.RuneSelf:
			p.i++
			if isForbiddenRune(rune(c)) {
				bad()
			} else {
				buf = append(buf, c)
			}
		default:
			r, size := utf8.DecodeRune(p.b[p.i:])
			p.i += size
			if r == utf8.RuneError && size == 1 || isForbiddenRune(r) {
				bad()
			} else {
				buf = utf8.AppendRune(buf, r)
			}
		}
	}
	p.fail("a string is not closed")
	return "", false
}

// escape reads one escape sequence at p.i (on the backslash); valid=false
// for a lone surrogate.
func (p *jsonParser) escape() (rune, bool) {
	if p.i+1 >= len(p.b) {
		p.fail("a string is not closed")
		return 0, false
	}
	c := p.b[p.i+1]
	p.i += 2
	switch c {
	case '"', '\\', '/':
		return rune(c), true
	case 'b':
		return '\b', true
	case 'f':
		return '\f', true
	case 'n':
		return '\n', true
	case 'r':
		return '\r', true
	case 't':
		return '\t', true
	case 'u':
		r := p.hex4()
		if p.err != nil {
			return 0, false
		}
		if !utf16.IsSurrogate(r) {
			return r, true
		}
		if r >= 0xdc00 { // a low surrogate first
			return r, false
		}
		if p.i+1 < len(p.b) && p.b[p.i] == '\\' && p.b[p.i+1] == 'u' {
			save := p.i
			p.i += 2
			lo := p.hex4()
			if p.err != nil {
				return 0, false
			}
			if pair := utf16.DecodeRune(r, lo); pair != utf8.RuneError {
				return pair, true
			}
			p.i = save // not a low surrogate: it is read on its own next
		}
		return r, false
	}
	p.i--
	p.fail("an invalid escape in a string")
	return 0, false
}

func (p *jsonParser) hex4() rune {
	if p.i+4 > len(p.b) {
		p.fail("a \\u escape needs four hex digits")
		return 0
	}
	v, err := strconv.ParseUint(string(p.b[p.i:p.i+4]), 16, 16)
	if err != nil {
		p.fail("a \\u escape needs four hex digits")
		return 0
	}
	p.i += 4
	return rune(v)
}

// isForbiddenRune: control characters other than tab, line feed and
// carriage return (C0 with NUL, DEL, C1).
func isForbiddenRune(r rune) bool {
	return r != '\t' && r != '\n' && r != '\r' && unicode.IsControl(r)
}

// number reads a number literal and returns it in canonical form, or
// refuses it when it is too long either way. The scan is linear in the
// literal's length and nothing else is computed from a long one.
func (p *jsonParser) number() any {
	start := p.i
	neg := p.b[p.i] == '-'
	if neg {
		p.i++
	}
	intStart := p.i
	switch {
	case p.i < len(p.b) && p.b[p.i] == '0':
		p.i++
	case p.i < len(p.b) && p.b[p.i] >= '1' && p.b[p.i] <= '9':
		p.digits()
	default:
		p.fail("a number needs digits")
		return nil
	}
	intPart := p.b[intStart:p.i]
	var frac []byte
	if p.i < len(p.b) && p.b[p.i] == '.' {
		p.i++
		fs := p.i
		if p.digits() == 0 {
			p.fail("a number needs digits after its point")
			return nil
		}
		frac = p.b[fs:p.i]
	}
	var exp []byte
	expNeg := false
	if p.i < len(p.b) && (p.b[p.i] == 'e' || p.b[p.i] == 'E') {
		p.i++
		if p.i < len(p.b) && (p.b[p.i] == '+' || p.b[p.i] == '-') {
			expNeg = p.b[p.i] == '-'
			p.i++
		}
		es := p.i
		if p.digits() == 0 {
			p.fail("a number needs digits in its exponent")
			return nil
		}
		exp = p.b[es:p.i]
	}
	if p.i-start > maxNumberLen {
		p.refuse(codeNumberTooLong, fmt.Sprintf("the number has more than %d characters", maxNumberLen))
		return json.Number("0")
	}
	n, ok := canonicalNumber(neg, intPart, frac, exp, expNeg)
	if !ok {
		p.refuse(codeNumberTooLong, fmt.Sprintf("the number, written out without exponent, has more than %d characters", maxNumberLen))
		return json.Number("0")
	}
	return json.Number(n)
}

func (p *jsonParser) digits() int {
	n := 0
	for p.i < len(p.b) && p.b[p.i] >= '0' && p.b[p.i] <= '9' {
		p.i++
		n++
	}
	return n
}

// canonicalNumber writes a number literal's value as plain decimal:
// digits, at most one point, no exponent, no superfluous zeros. ok=false
// when that takes more than maxNumberLen characters. The parts are short:
// the literal's length was checked.
func canonicalNumber(neg bool, intPart, frac, exp []byte, expNeg bool) (string, bool) {
	digits := strings.TrimLeft(string(intPart)+string(frac), "0")
	// point: how many digits of the digit string stand before the point.
	point := len(intPart) - (len(intPart) + len(frac) - len(digits))
	if len(exp) > 0 {
		e, err := strconv.Atoi(string(exp))
		if err != nil || e > 2*maxNumberLen {
			if expNeg || digits == "" {
				e = 2 * maxNumberLen // tiny or zero: decided below
			} else {
				return "", false
			}
		}
		if expNeg {
			e = -e
		}
		point += e
	}
	digits = strings.TrimRight(digits, "0")
	if digits == "" {
		return "0", true
	}
	var out string
	switch {
	case point >= len(digits):
		if point > maxNumberLen {
			return "", false
		}
		out = digits + strings.Repeat("0", point-len(digits))
	case point <= 0:
		if 2-point+len(digits) > maxNumberLen {
			return "", false
		}
		out = "0." + strings.Repeat("0", -point) + digits
	default:
		out = digits[:point] + "." + digits[point:]
	}
	if neg {
		out = "-" + out
	}
	if len(out) > maxNumberLen {
		return "", false
	}
	return out, true
}

// pointerToken escapes a key for a JSON Pointer (RFC 6901).
func pointerToken(key string) string {
	return strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}
