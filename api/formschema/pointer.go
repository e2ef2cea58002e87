package formschema

import (
	"strconv"
	"strings"
)

// splitPointer splits an RFC 6901 JSON Pointer into its unescaped tokens.
// The root "" has none; a pointer that does not start with "/" is not one
// (ok=false).
func splitPointer(p string) (tokens []string, ok bool) {
	if p == "" {
		return nil, true
	}
	if p[0] != '/' {
		return nil, false
	}
	parts := strings.Split(p[1:], "/")
	for i, t := range parts {
		parts[i] = unescape(t)
	}
	return parts, true
}

func unescape(s string) string {
	if !strings.Contains(s, "~") {
		return s
	}
	return strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
}

// join appends one unescaped token to a pointer.
func join(base, token string) string { return base + "/" + escape(token) }

// arrayIndex parses a pointer token as an array index: digits without
// leading zeros, as RFC 6901 writes them.
func arrayIndex(tok string) (int, bool) {
	if tok == "" || len(tok) > 9 || (len(tok) > 1 && tok[0] == '0') {
		return 0, false
	}
	for i := 0; i < len(tok); i++ {
		if tok[i] < '0' || tok[i] > '9' {
			return 0, false
		}
	}
	n, err := strconv.Atoi(tok)
	return n, err == nil
}

// lookup returns the value at pointer in data.
func lookup(data any, pointer string) (any, bool) {
	tokens, ok := splitPointer(pointer)
	if !ok {
		return nil, false
	}
	v := data
	for _, t := range tokens {
		switch x := v.(type) {
		case map[string]any:
			if v, ok = x[t]; !ok {
				return nil, false
			}
		case []any:
			i, ok := arrayIndex(t)
			if !ok || i >= len(x) {
				return nil, false
			}
			v = x[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// hasPrefix reports whether pointer is prefix itself or lies below it.
func hasPrefix(pointer, prefix string) bool {
	return pointer == prefix || strings.HasPrefix(pointer, prefix+"/")
}
