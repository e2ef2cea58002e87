package server

import (
	"strconv"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// The text part of parseJSON's rule: strings are valid Unicode without
// control characters other than tab, line feed and carriage return.

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
