package assets_test

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestDemoTextsInEveryPromisedLanguage: every text of the demo town (its
// catalog, FAQ, offices, polls, Open311 services and the form versions its
// catalog offers) is in every language its catalog promises. The catalog
// check (server/catalog) says the same of the catalog and the forms; the
// FAQ and the other files are the demo's own. Version 1 of the dog tax
// form was published before the promise and cannot change.
func TestDemoTextsInEveryPromisedLanguage(t *testing.T) {
	var cat struct {
		Languages      []string `json:"languages"`
		MachineDrafted []string `json:"machine_drafted"`
	}
	b, err := os.ReadFile("demo/catalog.json")
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &cat); err != nil {
		t.Fatal(err)
	}
	for _, l := range []string{"de", "en", "tr", "uk"} {
		if !slices.Contains(cat.Languages, l) {
			t.Errorf("the demo catalog does not promise %q: %v", l, cat.Languages)
		}
	}
	if !slices.Equal(cat.MachineDrafted, []string{"tr", "uk"}) {
		t.Errorf("machine_drafted = %v, want [tr uk] until a reviewer has read them", cat.MachineDrafted)
	}
	files := []string{"demo/catalog.json", "demo/faq.json", "demo/offices.json", "demo/polls.json", "demo/open311.json"}
	forms, _ := filepath.Glob("demo/forms/*.json")
	for _, f := range forms {
		if filepath.Base(f) != "hundesteuer.json" {
			files = append(files, f)
		}
	}
	for _, f := range files {
		raw, err := fs.ReadFile(os.DirFS("."), f)
		if err != nil {
			t.Fatal(err)
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		texts := 0
		walkTexts(v, "", func(ptr string, text map[string]any) {
			texts++
			for _, l := range cat.Languages {
				if s, _ := text[l].(string); s == "" {
					t.Errorf("%s %s: no %q", f, ptr, l)
				}
			}
		})
		if texts == 0 {
			t.Errorf("%s: no texts found: the walk is broken", f)
		}
	}
}

// walkTexts calls visit for every object of v with a German and an
// English string (a text), with its JSON Pointer.
func walkTexts(v any, ptr string, visit func(string, map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if _, de := x["de"].(string); de {
			if _, en := x["en"].(string); en {
				visit(ptr, x)
				return
			}
		}
		for k, c := range x {
			walkTexts(c, ptr+"/"+k, visit)
		}
	case []any:
		for i, c := range x {
			walkTexts(c, fmt.Sprintf("%s/%d", ptr, i), visit)
		}
	}
}
