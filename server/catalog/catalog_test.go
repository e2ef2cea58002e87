package catalog_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"rathaus/server/catalog"
)

const demo = "../../assets/demo"

// copyDemo copies the demo town's folder into a temporary one.
func copyDemo(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if err := os.CopyFS(dir, os.DirFS(demo)); err != nil {
		t.Fatal(err)
	}
	return dir
}

// edit changes a JSON file of the folder.
func edit(t *testing.T, dir, file string, change func(v map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, file)
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	change(v)
	if b, err = json.MarshalIndent(v, "", "  "); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDemoPasses(t *testing.T) {
	if got := catalog.Check(demo, nil); len(got) > 0 {
		t.Fatalf("the demo town has problems: %v", got)
	}
	f, err := catalog.Load(demo, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(f.Catalog.Services), 16; got != want {
		t.Errorf("got %d services, want %d", got, want)
	}
}

// TestBrokenFolder breaks a copy of the demo in every way check knows and
// wants each problem reported, at once, by file and JSON Pointer.
func TestBrokenFolder(t *testing.T) {
	dir := copyDemo(t)
	published := catalog.Published{}
	demoForms, err := catalog.Load(demo, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := published.Record(t.TempDir(), demoForms.Forms); err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "forms/hundesteuer.json", func(v map[string]any) {
		step := v["steps"].([]any)[0].(map[string]any)
		field := step["fields"].([]any)[0].(map[string]any)
		field["widget"] = "slider"                    // unknown widget
		delete(field["label"].(map[string]any), "en") // missing translation
	})
	edit(t, dir, "forms/fuehrungszeugnis.json", func(v map[string]any) {
		v["schema"].(map[string]any)["type"] = "thing" // broken schema
	})
	// A published version changed in place (its label only).
	edit(t, dir, "forms/baumfaellung.json", func(v map[string]any) {
		v["title"].(map[string]any)["de"] = "Baumfällung (neu)"
	})
	if err := os.WriteFile(filepath.Join(dir, "forms", "kaputt.json"), []byte(`{"id": "kaputt",`), 0o600); err != nil {
		t.Fatal(err)
	}
	edit(t, dir, "catalog.json", func(v map[string]any) {
		svc := v["services"].([]any)[0].(map[string]any)
		delete(svc["summary"].(map[string]any), "en")
		svc["category"] = "nirgends"
		// An encryption key that is no RSA key.
		v["services"].([]any)[1].(map[string]any)["encryption_key"] = map[string]any{"kty": "oct", "k": "c2VjcmV0", "kid": "x"}
	})

	got := catalog.Check(dir, published)
	want := []struct{ file, pointer, says string }{
		{"catalog.json", "/services/0/summary/en", "missing translation"},
		{"catalog.json", "/services/0/category", "unknown category"},
		{"catalog.json", "/services/1/encryption_key", "want an RSA public key"},
		{"catalog.json", "/services/", "fuehrungszeugnis version 1 is not in forms/"},
		{"forms/baumfaellung.json", "/version", "already published with other content"},
		{"forms/fuehrungszeugnis.json", "/schema", "schema"},
		{"forms/hundesteuer.json", "/steps/0/fields/0/widget", `unknown widget "slider"`},
		{"forms/hundesteuer.json", "/steps/0/fields/0/label/en", "missing translation"},
		{"forms/kaputt.json", "", "not valid JSON"},
	}
	for _, w := range want {
		t.Run(w.file+w.pointer, func(t *testing.T) {
			if !slices.ContainsFunc(got, func(p catalog.Problem) bool {
				return p.File == w.file && strings.HasPrefix(p.Pointer, w.pointer) && strings.Contains(p.Message, w.says)
			}) {
				t.Errorf("no problem %s %s %q among:\n%v", w.file, w.pointer, w.says, got)
			}
		})
	}
	if _, err := catalog.Load(dir, published); err == nil {
		t.Error("Load took the broken folder")
	}
}

// TestPromisedLanguages: a catalog that promises a language makes each of
// its texts and each form's a problem where that language is missing,
// named by file and JSON Pointer; a promise that is no language code is a
// problem of its own.
func TestPromisedLanguages(t *testing.T) {
	tests := []struct {
		name    string
		promise []any
		change  func(form map[string]any)
		want    []struct{ file, pointer, says string }
	}{
		{"a form lacks a promised language", []any{"tr", "uk"}, func(form map[string]any) {
			delete(form["title"].(map[string]any), "uk")
		}, []struct{ file, pointer, says string }{
			{"forms/hundesteuer.v2.json", "/title/uk", `missing translation "uk", which the catalog promises`},
		}},
		{"a promised language that is no code", []any{"tr", "Türkisch"}, nil, []struct{ file, pointer, says string }{
			{"catalog.json", "/languages/1", "no language code"},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := copyDemo(t)
			edit(t, dir, "catalog.json", func(v map[string]any) { v["languages"] = tt.promise })
			if tt.change != nil {
				edit(t, dir, "forms/hundesteuer.v2.json", tt.change) // the version the catalog offers
			}
			got := catalog.Check(dir, nil)
			for _, w := range tt.want {
				if !slices.ContainsFunc(got, func(p catalog.Problem) bool {
					return p.File == w.file && p.Pointer == w.pointer && strings.Contains(p.Message, w.says)
				}) {
					t.Errorf("no problem %s %s %q among:\n%v", w.file, w.pointer, w.says, got)
				}
			}
		})
	}
	// Promising nothing more than German and English asks for nothing more.
	dir := copyDemo(t)
	edit(t, dir, "catalog.json", func(v map[string]any) { v["languages"] = []any{"de", "en"} })
	edit(t, dir, "forms/hundesteuer.v2.json", func(form map[string]any) {
		for _, l := range []string{"tr", "uk"} {
			delete(form["title"].(map[string]any), l)
		}
	})
	if got := catalog.Check(dir, nil); len(got) > 0 {
		t.Errorf("German and English promised, a form without Turkish: %v", got)
	}
	// The demo promises Turkish and Ukrainian, and its dog tax form's
	// version 1, published before and no longer offered, has neither: an
	// old version cannot change, so it is no problem.
	if got := catalog.Check(demo, nil); len(got) > 0 {
		t.Errorf("the demo's old version without the promised languages: %v", got)
	}
}
