package assets_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/assets"
)

// languages every text of the demo municipality must have.
var languages = []string{"de", "en"}

// minServices is the least number of services the demo catalog offers.
const minServices = 14

func loadCatalog(t *testing.T) api.Catalog {
	t.Helper()
	c, err := assets.DemoCatalog()
	if err != nil {
		t.Fatalf("DemoCatalog() error = %v, want nil", err)
	}
	return c
}

func loadForms(t *testing.T) map[api.FormRef]*formschema.Form {
	t.Helper()
	forms, err := assets.DemoForms()
	if err != nil {
		t.Fatalf("DemoForms() error = %v, want nil", err)
	}
	if len(forms) == 0 {
		t.Fatal("DemoForms() returned no forms, want at least one")
	}
	out := map[api.FormRef]*formschema.Form{}
	for _, f := range forms {
		ref := f.Def.Ref()
		if _, dup := out[ref]; dup {
			t.Errorf("form %s version %d is defined twice, want once", ref.ID, ref.Version)
		}
		out[ref] = f
	}
	return out
}

func sortedRefs(forms map[api.FormRef]*formschema.Form) []api.FormRef {
	refs := slices.Collect(maps.Keys(forms))
	slices.SortFunc(refs, func(a, b api.FormRef) int {
		if c := strings.Compare(a.ID, b.ID); c != 0 {
			return c
		}
		return a.Version - b.Version
	})
	return refs
}

// checkText fails when a text lacks one of the languages. An optional text
// may be absent altogether, but once present it needs every language.
func checkText(t *testing.T, where string, txt api.Text, optional bool) {
	t.Helper()
	if optional && len(txt) == 0 {
		return
	}
	for _, lang := range languages {
		if strings.TrimSpace(txt[lang]) == "" {
			t.Errorf("%s: %q text = %q, want non-empty", where, lang, txt[lang])
		}
	}
}

func TestCatalog(t *testing.T) {
	c := loadCatalog(t)

	if c.Municipality.AGS != "05999001" {
		t.Errorf("municipality AGS = %q, want %q", c.Municipality.AGS, "05999001")
	}
	if c.Municipality.Name != "Musterstadt" {
		t.Errorf("municipality name = %q, want %q", c.Municipality.Name, "Musterstadt")
	}
	if got := len(c.Services); got < minServices {
		t.Errorf("catalog has %d services, want at least %d", got, minServices)
	}
	if got := len(c.Categories); got < 5 || got > 7 {
		t.Errorf("catalog has %d categories, want 5 to 7", got)
	}

	categories := map[string]int{}
	for _, cat := range c.Categories {
		if cat.ID == "" {
			t.Errorf("category with title %q has an empty id, want an id", cat.Title.In("de"))
		}
		if _, dup := categories[cat.ID]; dup {
			t.Errorf("category id %q appears twice, want unique ids", cat.ID)
		}
		categories[cat.ID] = 0
	}

	ids := map[string]bool{}
	for _, s := range c.Services {
		if s.ID == "" {
			t.Errorf("service with title %q has an empty id, want an id", s.Title.In("de"))
		}
		if ids[s.ID] {
			t.Errorf("service id %q appears twice, want unique ids", s.ID)
		}
		ids[s.ID] = true
		if _, ok := categories[s.Category]; !ok {
			t.Errorf("service %q: category %q is not among the catalog's categories %v", s.ID, s.Category, slices.Sorted(maps.Keys(categories)))
			continue
		}
		categories[s.Category]++
	}
	for _, cat := range c.Categories {
		if categories[cat.ID] == 0 {
			t.Errorf("category %q has 0 services, want at least 1", cat.ID)
		}
	}
}

func TestCatalogTexts(t *testing.T) {
	c := loadCatalog(t)
	for _, cat := range c.Categories {
		checkText(t, "category "+cat.ID+" title", cat.Title, false)
	}
	for _, s := range c.Services {
		t.Run(s.ID, func(t *testing.T) {
			checkText(t, "title", s.Title, false)
			checkText(t, "summary", s.Summary, false)
			checkText(t, "keywords", s.Keywords, false)
			checkText(t, "fee", s.Fee, false)
			checkText(t, "duration", s.Duration, false)
			if s.Office == "" {
				t.Errorf("office = %q, want the responsible office", s.Office)
			}
		})
	}
}

func TestTranslationsParse(t *testing.T) {
	n := 0
	err := fs.WalkDir(assets.Translations, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) != ".json" {
			return err
		}
		n++
		t.Run(p, func(t *testing.T) {
			b, err := fs.ReadFile(assets.Translations, p)
			if err != nil {
				t.Fatalf("ReadFile(%s) error = %v, want nil", p, err)
			}
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				t.Errorf("%s: json.Unmarshal error = %v, want a JSON object", p, err)
			}
		})
		return nil
	})
	if err != nil {
		t.Fatalf("walking translations: error = %v, want nil", err)
	}
	for _, lang := range languages {
		if _, err := fs.Stat(assets.Translations, "translations/"+lang+".json"); err != nil {
			t.Errorf("translations/%s.json: %v, want the file", lang, err)
		}
	}
	if n == 0 {
		t.Error("found 0 translation files, want at least one")
	}
}
