package server

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// The number part of parseJSON's rule: numbers are kept exactly, in
// canonical form, within maxNumberLen characters.

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
