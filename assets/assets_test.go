package assets_test

import (
	"encoding/json"
	"io/fs"
	"maps"
	"path"
	"slices"
	"strconv"
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

// schemaInfo is the part of a form's JSON Schema the tests look at.
type schemaInfo struct {
	Type                 string                `json:"type"`
	Properties           map[string]propSchema `json:"properties"`
	Required             []string              `json:"required"`
	AdditionalProperties *bool                 `json:"additionalProperties"`
}

type propSchema struct {
	Type      string `json:"type"`
	Format    string `json:"format"`
	Pattern   string `json:"pattern"`
	MaxLength *int   `json:"maxLength"`
	Enum      []any  `json:"enum"`
	Const     any    `json:"const"`
}

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

func schemaOf(t *testing.T, f *formschema.Form) schemaInfo {
	t.Helper()
	var s schemaInfo
	if err := json.Unmarshal(f.Def.Schema, &s); err != nil {
		t.Fatalf("decoding the schema of %s: error = %v, want nil", f.Def.ID, err)
	}
	return s
}

func example(t *testing.T, id string) map[string]any {
	t.Helper()
	ex, err := assets.DemoExample(id)
	if err != nil {
		t.Fatalf("DemoExample(%q) error = %v, want nil", id, err)
	}
	return ex
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

func TestCatalogFormsExist(t *testing.T) {
	c := loadCatalog(t)
	forms := loadForms(t)

	used := map[api.FormRef]bool{}
	for _, s := range c.Services {
		t.Run(s.ID, func(t *testing.T) {
			if s.Form.Version < 1 {
				t.Errorf("form version = %d, want 1 or more", s.Form.Version)
			}
			if _, ok := forms[s.Form]; !ok {
				t.Errorf("form %s version %d not among DemoForms %v", s.Form.ID, s.Form.Version, sortedRefs(forms))
			}
			used[s.Form] = true
		})
	}
	for _, ref := range sortedRefs(forms) {
		if !used[ref] {
			t.Errorf("form %s version %d is used by no service, want every demo form in the catalog", ref.ID, ref.Version)
		}
	}
}

func TestFormFilesNamedByID(t *testing.T) {
	files, err := assets.DemoFormFiles()
	if err != nil {
		t.Fatalf("DemoFormFiles() error = %v, want nil", err)
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		t.Run(name, func(t *testing.T) {
			f, err := formschema.Parse(files[name])
			if err != nil {
				t.Fatalf("Parse(%s) error = %v, want nil", name, err)
			}
			if want := f.Def.ID + ".json"; name != want {
				t.Errorf("file name = %q, want %q (the form's id)", name, want)
			}
		})
	}
}

func TestExamplesValidate(t *testing.T) {
	forms := loadForms(t)
	for _, ref := range sortedRefs(forms) {
		f := forms[ref]
		t.Run(ref.ID, func(t *testing.T) {
			ex := example(t, ref.ID)
			if errs := f.Validate(ex); len(errs) != 0 {
				t.Errorf("Validate(example) = %d errors %+v, want none", len(errs), errs)
			}
			if pc, ok := ex["postcode"]; ok && pc != "51147" {
				t.Errorf("example postcode = %v, want a Musterstadt postcode 51147", pc)
			}
			s := schemaOf(t, f)
			for key := range s.Properties {
				if _, ok := ex[key]; !ok {
					t.Errorf("example lacks %q, want a complete example with every field", key)
				}
			}
		})
	}
}

// TestRequiredFieldsReported deletes each required field from the example
// and expects the validator to report "required" at that field's pointer.
func TestRequiredFieldsReported(t *testing.T) {
	forms := loadForms(t)
	for _, ref := range sortedRefs(forms) {
		f := forms[ref]
		t.Run(ref.ID, func(t *testing.T) {
			s := schemaOf(t, f)
			if len(s.Required) == 0 {
				t.Fatalf("schema required = %v, want at least one required field", s.Required)
			}
			ex := example(t, ref.ID)
			for _, key := range s.Required {
				data := maps.Clone(ex)
				if _, ok := data[key]; !ok {
					t.Errorf("example lacks required field %q, want it present", key)
					continue
				}
				delete(data, key)
				errs := f.Validate(data)
				want := api.FieldError{Pointer: "/" + key, Code: "required"}
				found := slices.ContainsFunc(errs, func(e api.FieldError) bool {
					return e.Pointer == want.Pointer && e.Code == want.Code
				})
				if !found {
					t.Errorf("without %q: Validate = %+v, want a %q error at %q", key, errs, want.Code, want.Pointer)
				}
			}
		})
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

func TestFormTexts(t *testing.T) {
	forms := loadForms(t)
	for _, ref := range sortedRefs(forms) {
		def := forms[ref].Def
		t.Run(ref.ID, func(t *testing.T) {
			checkText(t, "title", def.Title, false)
			checkText(t, "intro", def.Intro, true)
			for code, msg := range def.Messages {
				checkText(t, "message "+code, msg, false)
			}
			for _, st := range def.Steps {
				checkText(t, "step "+st.ID+" title", st.Title, false)
				for i, fd := range st.Fields {
					where := "step " + st.ID + " field " + fd.Key
					if fd.Key == "" {
						where = "step " + st.ID + " info " + strconv.Itoa(i+1)
					}
					checkText(t, where+" label", fd.Label, false)
					checkText(t, where+" help", fd.Help, true)
					checkText(t, where+" placeholder", fd.Placeholder, true)
					for _, o := range fd.Options {
						checkText(t, where+" option "+o.Value, o.Label, false)
					}
					for code, msg := range fd.Errors {
						checkText(t, where+" error "+code, msg, false)
					}
				}
			}
		})
	}
}

func TestEveryWidgetUsed(t *testing.T) {
	forms := loadForms(t)
	used := map[api.Widget]int{}
	for _, f := range forms {
		for _, st := range f.Def.Steps {
			for _, fd := range st.Fields {
				used[fd.Widget]++
			}
		}
	}
	// The widgets the foundation renders; issue #3 (forms engine) brings
	// the rest of api.Widgets and with them demo forms that use every one.
	foundation := []api.Widget{api.WidgetText, api.WidgetTextarea, api.WidgetInteger, api.WidgetDecimal,
		api.WidgetBoolean, api.WidgetDate, api.WidgetChoice, api.WidgetEmail, api.WidgetPhone,
		api.WidgetPostcode, api.WidgetInfo}
	for _, w := range foundation {
		if used[w] == 0 {
			t.Errorf("widget %q is used by %d demo form fields, want at least 1", w, used[w])
		}
	}
}

// TestFieldsMatchSchema checks what the compiler leaves to the author: that
// each widget sits on a property of the matching JSON type, that choices
// label every value, that strings are bounded and every property is asked.
func TestFieldsMatchSchema(t *testing.T) {
	forms := loadForms(t)
	for _, ref := range sortedRefs(forms) {
		f := forms[ref]
		t.Run(ref.ID, func(t *testing.T) {
			s := schemaOf(t, f)
			if s.Type != "object" {
				t.Errorf("schema type = %q, want %q", s.Type, "object")
			}
			if s.AdditionalProperties == nil || *s.AdditionalProperties {
				t.Errorf("schema additionalProperties = %v, want false", s.AdditionalProperties)
			}
			if n := len(f.Def.Steps); n < 1 || n > 3 {
				t.Errorf("form has %d steps, want 1 to 3", n)
			}
			placed := map[string]bool{}
			for _, st := range f.Def.Steps {
				for _, fd := range st.Fields {
					if fd.Widget.HasValue() {
						placed[fd.Key] = true
						checkWidget(t, fd, s.Properties[fd.Key])
					}
				}
			}
			if n := len(placed); n < 5 || n > 15 {
				t.Errorf("form has %d fields, want 5 to 15", n)
			}
			for _, key := range slices.Sorted(maps.Keys(s.Properties)) {
				if !placed[key] {
					t.Errorf("schema property %q is on no step, want every property asked", key)
				}
			}
			for _, key := range s.Required {
				if _, ok := s.Properties[key]; !ok {
					t.Errorf("required %q is not a schema property", key)
				}
			}
		})
	}
}

func checkWidget(t *testing.T, fd api.Field, p propSchema) {
	t.Helper()
	wantType := map[api.Widget]string{
		api.WidgetText: "string", api.WidgetTextarea: "string", api.WidgetInteger: "integer",
		api.WidgetDecimal: "number", api.WidgetBoolean: "boolean", api.WidgetDate: "string",
		api.WidgetChoice: "string", api.WidgetEmail: "string", api.WidgetPhone: "string",
		api.WidgetPostcode: "string",
	}[fd.Widget]
	if p.Type != wantType {
		t.Errorf("field %q (%s): schema type = %q, want %q", fd.Key, fd.Widget, p.Type, wantType)
	}
	switch fd.Widget {
	case api.WidgetDate:
		if p.Format != "date" {
			t.Errorf("field %q (date): format = %q, want %q", fd.Key, p.Format, "date")
		}
	case api.WidgetEmail:
		if p.Format != "email" {
			t.Errorf("field %q (email): format = %q, want %q", fd.Key, p.Format, "email")
		}
	case api.WidgetPhone:
		if want := `^\+?[0-9 ()/-]{6,30}$`; p.Pattern != want {
			t.Errorf("field %q (phone): pattern = %q, want %q", fd.Key, p.Pattern, want)
		}
	case api.WidgetPostcode:
		if want := `^[0-9]{5}$`; p.Pattern != want {
			t.Errorf("field %q (postcode): pattern = %q, want %q", fd.Key, p.Pattern, want)
		}
	case api.WidgetChoice:
		var values []string
		for _, o := range fd.Options {
			values = append(values, o.Value)
		}
		var enum []string
		for _, v := range p.Enum {
			s, _ := v.(string)
			enum = append(enum, s)
		}
		if !slices.Equal(values, enum) {
			t.Errorf("field %q (choice): option values = %v, want the schema's enum %v in order", fd.Key, values, enum)
		}
	}
	if p.Type == "string" && p.MaxLength == nil && p.Enum == nil && p.Format != "date" && p.Pattern == "" {
		t.Errorf("field %q: string without maxLength, enum, date format or pattern, want a bound on its length", fd.Key)
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
