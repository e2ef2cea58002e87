package handoff_test

import (
	"bytes"
	"testing"

	"rathaus/app/handoff"
)

// FuzzParse: whatever is pasted, Parse returns an id without path
// characters and a 32-byte key, or an error; never a panic.
func FuzzParse(f *testing.F) {
	key := bytes.Repeat([]byte{1}, 32)
	for _, s := range []string{handoff.Link("abc", key), handoff.Code("abc", key), "", "rathaus://handoff/", "a b", "rathaus://handoff/x/../y#k"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, k, err := handoff.Parse(s)
		if err != nil {
			return
		}
		if len(k) != 32 || id == "" || bytes.ContainsAny([]byte(id), "/?# ") {
			t.Errorf("Parse(%q) = %q, %d-byte key", s, id, len(k))
		}
	})
}
