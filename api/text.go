package api

import "sort"

// Text is a human-readable string in several languages, keyed by a BCP 47
// language code ("de", "en", ...). German is the municipality's language and
// the first fallback.
type Text map[string]string

// In returns the text in lang, else in German, else in English, else in any
// language that exists (the alphabetically first, so the choice is stable).
func (t Text) In(lang string) string {
	if s, ok := t[lang]; ok && s != "" {
		return s
	}
	for _, l := range []string{"de", "en"} {
		if s, ok := t[l]; ok && s != "" {
			return s
		}
	}
	keys := make([]string, 0, len(t))
	for k := range t {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if t[k] != "" {
			return t[k]
		}
	}
	return ""
}
