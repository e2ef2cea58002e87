package handoff_test

import (
	"bytes"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/handoff"
)

func TestSealOpen(t *testing.T) {
	d := handoff.Draft{Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1},
		Values: map[string]any{"dog_name": "CANARY-Bello"}, Step: 2}
	ct, key, err := handoff.Seal(d)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("CANARY")) || bytes.Contains(ct, []byte("hundesteuer")) {
		t.Error("the ciphertext shows the draft")
	}
	got, err := handoff.Open(ct, key)
	if err != nil || got.Service != d.Service || got.Values["dog_name"] != "CANARY-Bello" || got.Step != 2 {
		t.Fatalf("Open = %+v, %v", got, err)
	}
	other := bytes.Clone(key)
	other[0] ^= 1
	changed := bytes.Clone(ct)
	changed[len(changed)-1] ^= 1
	for name, tc := range map[string]struct{ ct, key []byte }{
		"another key":    {ct, other},
		"a changed byte": {changed, key},
		"a short key":    {ct, key[:16]},
		"cut ciphertext": {ct[:20], key},
		"empty":          {nil, key},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := handoff.Open(tc.ct, tc.key); citizen.ErrorCode(err) != citizen.EINVALID {
				t.Errorf("Open: %v, want %s", err, citizen.EINVALID)
			}
		})
	}
}

func TestLinkAndCode(t *testing.T) {
	key := bytes.Repeat([]byte{0xfe}, 32)
	id := "abcdefghij234567abcdefghij"
	for name, in := range map[string]string{
		"link":                handoff.Link(id, key),
		"link with spaces":    "  " + handoff.Link(id, key) + "\n",
		"code":                handoff.Code(id, key),
		"code, upper-case id": "ABCDEFGHIJ234567ABCDEFGHIJ  " + handoff.Code(id, key)[len(id)+1:],
	} {
		t.Run(name, func(t *testing.T) {
			gotID, gotKey, err := handoff.Parse(in)
			if err != nil || gotID != id || !bytes.Equal(gotKey, key) {
				t.Errorf("Parse(%q) = %q, %x, %v", in, gotID, gotKey, err)
			}
		})
	}
	for _, bad := range []string{"", "hello", "rathaus://handoff/#", "rathaus://handoff/abc", "abc def", handoff.Link(id, key[:31]), "a/b " + handoff.Code(id, key)[len(id)+1:]} {
		t.Run("bad "+bad, func(t *testing.T) {
			if _, _, err := handoff.Parse(bad); citizen.ErrorCode(err) != citizen.EINVALID {
				t.Errorf("Parse(%q): %v, want %s", bad, err, citizen.EINVALID)
			}
		})
	}
}
