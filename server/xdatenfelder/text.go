package xdatenfelder

import (
	"fmt"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// label normalises a one-line text: every run of white space becomes one
// space.
func label(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// helpText normalises a text that may have paragraphs. Pretty-printed FIM 2
// exports wrap long texts onto indented lines and mark real line breaks
// with a carriage return (&#xD;); FIM 3 exports are not pretty-printed and
// use plain line feeds. So: a line that ends in CR ends a line, a following
// line that starts indented continues the line, anything else breaks it.
func helpText(s string) string {
	if strings.TrimSpace(s) == "" {
		return ""
	}
	lines := strings.Split(s, "\n")
	var b strings.Builder
	for i, ln := range lines {
		text := label(ln)
		if i > 0 {
			prev := lines[i-1]
			switch {
			case strings.HasSuffix(prev, "\r"):
				b.WriteByte('\n')
			case strings.HasPrefix(ln, " ") || strings.HasPrefix(ln, "\t"):
				if text != "" {
					b.WriteByte(' ')
				}
			default:
				b.WriteByte('\n')
			}
		}
		b.WriteString(text)
	}
	out := b.String()
	// Tidy: no spaces around line breaks, at most one empty line.
	parts := strings.Split(out, "\n")
	for i := range parts {
		parts[i] = label(parts[i])
	}
	out = strings.Join(parts, "\n")
	for strings.Contains(out, "\n\n\n") {
		out = strings.ReplaceAll(out, "\n\n\n", "\n\n")
	}
	return strings.TrimSpace(out)
}

// abbreviate shortens a text to one line of at most n runes.
func abbreviate(s string, n int) string {
	s = label(s)
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return strings.TrimSpace(string(r[:n-1])) + "…"
}

var transliterate = strings.NewReplacer(
	"ä", "ae", "ö", "oe", "ü", "ue", "Ä", "ae", "Ö", "oe", "Ü", "ue", "ß", "ss",
)

// slug makes a data key from a German name: lower case, ASCII letters,
// digits and underscores, at most max bytes, cut at a word boundary.
func slug(s string, max int, sep byte) string {
	s = transliterate.Replace(strings.ToLower(s))
	var words []string
	var w strings.Builder
	flush := func() {
		if w.Len() > 0 {
			words = append(words, w.String())
			w.Reset()
		}
	}
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			w.WriteRune(r)
		case r < utf8.RuneSelf:
			flush()
		default:
			// Other letters: drop accents where it is easy, else split.
			if unicode.IsLetter(r) {
				if a := foldAccent(r); a != 0 {
					w.WriteByte(a)
					continue
				}
			}
			flush()
		}
	}
	flush()
	var out strings.Builder
	for _, word := range words {
		add := len(word)
		if out.Len() > 0 {
			add++
		}
		if out.Len()+add > max {
			if out.Len() == 0 {
				out.WriteString(word[:max])
			}
			break
		}
		if out.Len() > 0 {
			out.WriteByte(sep)
		}
		out.WriteString(word)
	}
	return out.String()
}

func foldAccent(r rune) byte {
	const from, to = "àáâãåèéêëìíîïòóôõùúûýÿçñ", "aaaaaeeeeiiiiooooouuuyycn"
	i := 0
	for _, f := range from {
		if f == r {
			return to[i]
		}
		i++
	}
	return 0
}

// formID turns a FIM identifier into a form id: lower case letters, digits
// and dashes, starting with a letter or digit, at most 64 characters.
func formID(id string) string {
	s := strings.ToLower(id)
	var b strings.Builder
	dash := false
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	out := b.String()
	if len(out) > 64 {
		out = strings.TrimRight(out[:64], "-")
	}
	return out
}

// formVersion turns a FIM version ("1.2", "2.1.0") into the integer version
// of a Rathaus form: major*10000 + minor*100 + patch, so that every FIM
// version gets its own, increasing number (1.2.0 -> 10200). Components of
// 100 and more are capped at 99; a missing or unreadable version gives 1.
func formVersion(v string) (n int, note string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 1, "the schema has no version: version 1"
	}
	parts := strings.Split(v, ".")
	if len(parts) > 3 {
		return 1, fmt.Sprintf("version %q not understood: version 1", v)
	}
	weights := []int{10000, 100, 1}
	capped := false
	for i, p := range parts {
		x, err := strconv.Atoi(p)
		if err != nil || x < 0 {
			return 1, fmt.Sprintf("version %q not understood: version 1", v)
		}
		if x > 99 {
			x, capped = 99, true
		}
		n += x * weights[i]
	}
	if n < 1 {
		return 1, fmt.Sprintf("version %q is zero: version 1", v)
	}
	if capped {
		return n, fmt.Sprintf("version %q has a component over 99: capped to %d", v, n)
	}
	return n, ""
}
