package formschema

import (
	"strconv"
	"strings"

	"rathaus/api"
)

// Copy copies the maps and slices of a JSON-like value, so that the copy
// shares nothing that may be changed in place; other values are shared.
func Copy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		if x == nil {
			return x
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = Copy(e)
		}
		return out
	case []any:
		if x == nil {
			return x
		}
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = Copy(e)
		}
		return out
	}
	return v
}

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

// Get returns the value at pointer in data.
func Get(data map[string]any, pointer string) (any, bool) { return lookup(data, pointer) }

// Set stores v at pointer in data, making the objects and arrays on the
// way (an index one past an array's end appends). It reports whether it
// could.
func Set(data map[string]any, pointer string, v any) bool {
	tokens, ok := splitPointer(pointer)
	if !ok || len(tokens) == 0 {
		return false
	}
	_, ok = setIn(data, tokens, v)
	return ok
}

// setIn returns container (made if nil) with v stored at tokens below it.
func setIn(container any, tokens []string, v any) (any, bool) {
	if len(tokens) == 0 {
		return v, true
	}
	t := tokens[0]
	if container == nil {
		if _, isIndex := arrayIndex(t); isIndex {
			container = []any{}
		} else {
			container = map[string]any{}
		}
	}
	switch x := container.(type) {
	case map[string]any:
		child, ok := setIn(x[t], tokens[1:], v)
		if ok {
			x[t] = child
		}
		return x, ok
	case []any:
		n, ok := arrayIndex(t)
		if !ok || n > len(x) {
			return x, false
		}
		if n == len(x) {
			x = append(x, nil)
		}
		child, ok := setIn(x[n], tokens[1:], v)
		if ok {
			x[n] = child
		}
		return x, ok
	}
	return container, false
}

// Delete removes the value at pointer from data: a key from its object, an
// element from its array (later elements move up). It reports whether
// there was one.
func Delete(data map[string]any, pointer string) bool {
	tokens, ok := splitPointer(pointer)
	if !ok || len(tokens) == 0 {
		return false
	}
	parentPtr := pointer[:strings.LastIndexByte(pointer, '/')]
	last := tokens[len(tokens)-1]
	var parent any = data
	if parentPtr != "" {
		if parent, ok = lookup(data, parentPtr); !ok {
			return false
		}
	}
	switch x := parent.(type) {
	case map[string]any:
		if _, had := x[last]; !had {
			return false
		}
		delete(x, last)
		return true
	case []any:
		n, ok := arrayIndex(last)
		if !ok || n >= len(x) {
			return false
		}
		shorter := append(x[:n:n], x[n+1:]...)
		// The array lives in its parent: put the shorter one there.
		return Set(data, parentPtr, shorter)
	}
	return false
}

// Items returns a repeat's bounds from the schema: at least min items, at
// most max (0: no limit).
func (f *Form) Items(fd *api.Field) (min, max int) {
	if n := f.byField[fd]; n != nil {
		return n.minItems, n.maxItems
	}
	return 0, 0
}
