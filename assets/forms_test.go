package assets_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/assets"
)

// withoutUploads lists the forms whose examples other tests (the sync
// engine's, the backend's for its first service) submit as they are,
// without uploading files: their attachments are optional, and their
// examples carry none.
var withoutUploads = map[string]bool{"anmeldung-wohnung": true, "hundesteuer": true, "sperrmuell": true, "meldebescheinigung": true}

// dogTaxV1SHA256 pins hundesteuer version 1: drafts begun on it must keep
// working, so its file never changes.
const dogTaxV1SHA256 = "2ba7b3216dd3e3367f2bfb3c866168597ba006635eb2bd9b5adf0c753e13033e"

// newest returns the newest version of every demo form, by id.
func newest(forms map[api.FormRef]*formschema.Form) map[string]*formschema.Form {
	out := map[string]*formschema.Form{}
	for ref, f := range forms {
		if cur, ok := out[ref.ID]; !ok || cur.Def.Version < ref.Version {
			out[ref.ID] = f
		}
	}
	return out
}

func example(t *testing.T, id string) map[string]any {
	t.Helper()
	ex, err := assets.DemoExample(id)
	if err != nil {
		t.Fatalf("DemoExample(%q) error = %v, want nil", id, err)
	}
	return ex
}

// placed is a field of a form with its layout pointer.
type placed struct {
	fd      *api.Field
	pointer string
	step    int
	parent  *api.Field // nil at the top level
}

// allFields lists every field of a form, info texts included, depth first.
func allFields(f *formschema.Form) []placed {
	var out []placed
	var walk func(fields []api.Field, base string, step int, parent *api.Field)
	walk = func(fields []api.Field, base string, step int, parent *api.Field) {
		for i := range fields {
			fd := &fields[i]
			p := ""
			if fd.Widget.HasValue() {
				p = base + "/" + fd.Key
			}
			out = append(out, placed{fd: fd, pointer: p, step: step, parent: parent})
			if fd.Widget.HasChildren() {
				walk(f.Children(fd), p, step, fd)
			}
		}
	}
	for si := range f.Def.Steps {
		walk(f.Def.Steps[si].Fields, "", si, nil)
	}
	return out
}

func schemaDoc(t *testing.T, f *formschema.Form) map[string]any {
	t.Helper()
	var s map[string]any
	if err := json.Unmarshal(f.Def.Schema, &s); err != nil {
		t.Fatalf("decoding the schema of %s: error = %v, want nil", f.Def.ID, err)
	}
	return s
}

func TestCatalogUsesNewestVersions(t *testing.T) {
	c := loadCatalog(t)
	forms := loadForms(t)
	latest := newest(forms)
	used := map[string]bool{}
	for _, s := range c.Services {
		t.Run(s.ID, func(t *testing.T) {
			f, ok := forms[s.Form]
			if !ok {
				t.Fatalf("form %s version %d not among DemoForms %v", s.Form.ID, s.Form.Version, sortedRefs(forms))
			}
			if got, want := s.Form.Version, latest[s.Form.ID].Def.Version; got != want {
				t.Errorf("form %s: catalog version = %d, want the newest, %d", s.Form.ID, got, want)
			}
			used[f.Def.ID] = true
		})
	}
	for _, id := range slices.Sorted(maps.Keys(latest)) {
		if !used[id] {
			t.Errorf("form %s is used by no service, want every demo form in the catalog", id)
		}
	}
}

func TestFormFileNames(t *testing.T) {
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
			want := f.Def.ID + ".json"
			if f.Def.Version > 1 {
				want = f.Def.ID + ".v" + strconv.Itoa(f.Def.Version) + ".json"
			}
			if name != want {
				t.Errorf("file name = %q, want %q (id, and .vN from version 2 on)", name, want)
			}
		})
	}
}

// TestDogTaxVersions: version 1 stays byte for byte, version 2 is what the
// catalog offers, and both load.
func TestDogTaxVersions(t *testing.T) {
	files, err := assets.DemoFormFiles()
	if err != nil {
		t.Fatalf("DemoFormFiles() error = %v, want nil", err)
	}
	sum := sha256.Sum256(files["hundesteuer.json"])
	if got := hex.EncodeToString(sum[:]); got != dogTaxV1SHA256 {
		t.Errorf("sha256(hundesteuer.json) = %s, want %s: version 1 must not change", got, dogTaxV1SHA256)
	}
	forms := loadForms(t)
	for _, v := range []int{1, 2} {
		if forms[api.FormRef{ID: "hundesteuer", Version: v}] == nil {
			t.Errorf("hundesteuer version %d is not loaded, want it", v)
		}
	}
}

// TestExamplesValidate: every form's example is valid for its newest
// version, complete (every field shown for it has a value) and holds no
// value of a hidden field, so that what is validated is what is sent.
func TestExamplesValidate(t *testing.T) {
	for id, f := range newest(loadForms(t)) {
		t.Run(id, func(t *testing.T) {
			ex := example(t, id)
			if errs := f.Validate(ex); len(errs) != 0 {
				t.Errorf("Validate(example) = %d errors %+v, want none", len(errs), errs)
			}
			if pruned := f.Prune(ex); !reflect.DeepEqual(pruned, ex) {
				t.Errorf("Prune(example) = %v, want the example itself (no values of hidden fields)", pruned)
			}
			checkComplete(t, f, ex, withoutUploads[id])
		})
	}
}

// checkComplete fails for every field shown for the data that has no
// value in it (attachments excepted if noFiles).
func checkComplete(t *testing.T, f *formschema.Form, data map[string]any, noFiles bool) {
	t.Helper()
	var walk func(fields []api.Field, obj map[string]any, base string, step int)
	walk = func(fields []api.Field, obj map[string]any, base string, step int) {
		for i := range fields {
			fd := &fields[i]
			if !fd.Widget.HasValue() {
				continue
			}
			p := base + "/" + fd.Key
			if !f.StepShown(step, data) || !f.FieldShown(p, data) || (noFiles && fd.Widget.IsAttachment()) {
				continue
			}
			v, ok := obj[fd.Key]
			if !ok {
				t.Errorf("example lacks %s, want a value for every shown field", p)
				continue
			}
			switch fd.Widget {
			case api.WidgetGroup, api.WidgetAddress:
				m, _ := v.(map[string]any)
				walk(f.Children(fd), m, p, step)
			case api.WidgetRepeat:
				l, _ := v.([]any)
				for i, item := range l {
					m, _ := item.(map[string]any)
					walk(f.Children(fd), m, p+"/"+strconv.Itoa(i), step)
				}
			}
		}
	}
	for si := range f.Def.Steps {
		walk(f.Def.Steps[si].Fields, data, "", si)
	}
}

// TestExamplesExerciseConditions: the examples show every conditional step
// and every conditional top-level field of the newest forms, except where
// they take the other branch of a choice (listed here).
func TestExamplesExerciseConditions(t *testing.T) {
	hiddenOnPurpose := map[string]bool{
		"anmeldung-wohnung /previous_address": true, // the example moves from abroad
		"anmeldung-wohnung /keeps_previous":   true,
		"hundesteuer /assistance_dog_proof":   true, // Bello is no assistance dog
	}
	for id, f := range newest(loadForms(t)) {
		ex := example(t, id)
		for si, st := range f.Def.Steps {
			if st.ShowWhen != nil && !f.StepShown(si, ex) {
				t.Errorf("%s: step %s is hidden for the example, want the example to show it", id, st.ID)
			}
		}
		for _, pl := range allFields(f) {
			if pl.fd.ShowWhen == nil || pl.pointer == "" || strings.Count(pl.pointer, "/") > 1 {
				continue
			}
			if !f.FieldShown(pl.pointer, ex) && !hiddenOnPurpose[id+" "+pl.pointer] {
				t.Errorf("%s: field %s is hidden for the example, want it shown (or listed as hidden on purpose)", id, pl.pointer)
			}
		}
	}
}

// TestRequiredFieldsReported deletes each required value of the example,
// at every level (groups, the items of repeats), and expects "required" at
// its pointer.
func TestRequiredFieldsReported(t *testing.T) {
	for id, f := range newest(loadForms(t)) {
		t.Run(id, func(t *testing.T) {
			ex := example(t, id)
			n := 0
			for _, pl := range allFields(f) {
				if !pl.fd.Widget.HasValue() || !f.Required(pl.fd) {
					continue
				}
				for _, p := range instances(ex, pl.pointer) {
					n++
					data := deepCopy(ex)
					deleteAt(data, p)
					errs := f.Validate(data)
					if !slices.ContainsFunc(errs, func(e api.FieldError) bool { return e.Pointer == p && e.Code == "required" }) {
						t.Errorf("without %s: Validate = %+v, want a required error at %s", p, errs, p)
					}
				}
			}
			if n == 0 {
				t.Error("found no required value in the example, want some")
			}
		})
	}
}

// instances expands a layout pointer to the instance pointers present in
// data ("/members/name" -> "/members/0/name", "/members/1/name").
func instances(data map[string]any, layout string) []string {
	tokens := strings.Split(layout[1:], "/")
	var out []string
	var walk func(v any, i int, at string)
	walk = func(v any, i int, at string) {
		if i == len(tokens) {
			out = append(out, at)
			return
		}
		switch x := v.(type) {
		case map[string]any:
			if c, ok := x[tokens[i]]; ok {
				walk(c, i+1, at+"/"+tokens[i])
			}
		case []any:
			for j, item := range x {
				walk(item, i, at+"/"+strconv.Itoa(j))
			}
		}
	}
	walk(data, 0, "")
	return out
}

func deleteAt(data map[string]any, p string) {
	tokens := strings.Split(p[1:], "/")
	var v any = data
	for _, tok := range tokens[:len(tokens)-1] {
		switch x := v.(type) {
		case map[string]any:
			v = x[tok]
		case []any:
			i, _ := strconv.Atoi(tok)
			v = x[i]
		}
	}
	delete(v.(map[string]any), tokens[len(tokens)-1])
}

func deepCopy(m map[string]any) map[string]any {
	b, err := json.Marshal(m)
	if err != nil {
		panic(err)
	}
	var out map[string]any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// TestFormTexts: every text of every form, at every depth, is in German
// and English.
func TestFormTexts(t *testing.T) {
	forms := loadForms(t)
	for _, ref := range sortedRefs(forms) {
		f := forms[ref]
		t.Run(fmt.Sprintf("%s v%d", ref.ID, ref.Version), func(t *testing.T) {
			def := f.Def
			checkText(t, "title", def.Title, false)
			checkText(t, "intro", def.Intro, true)
			for code, msg := range def.Messages {
				checkText(t, "message "+code, msg, false)
			}
			for _, st := range def.Steps {
				checkText(t, "step "+st.ID+" title", st.Title, false)
			}
			for i, pl := range allFields(f) {
				where := "field " + pl.pointer
				if pl.pointer == "" {
					where = "info " + strconv.Itoa(i+1)
				}
				checkText(t, where+" label", pl.fd.Label, false)
				checkText(t, where+" help", pl.fd.Help, true)
				checkText(t, where+" placeholder", pl.fd.Placeholder, true)
				checkText(t, where+" addLabel", pl.fd.AddLabel, pl.fd.Widget != api.WidgetRepeat)
				for _, o := range pl.fd.Options {
					checkText(t, where+" option "+o.Value, o.Label, false)
				}
				for code, msg := range pl.fd.Errors {
					checkText(t, where+" error "+code, msg, false)
				}
			}
		})
	}
}

// TestEveryWidgetUsed: the newest demo forms together use every widget.
func TestEveryWidgetUsed(t *testing.T) {
	used := map[api.Widget]int{}
	for _, f := range newest(loadForms(t)) {
		for _, pl := range allFields(f) {
			used[pl.fd.Widget]++
		}
	}
	for _, w := range api.Widgets {
		if used[w] == 0 {
			t.Errorf("widget %q is used by %d fields of the newest demo forms, want at least 1", w, used[w])
		}
	}
}

// TestEveryStructureUsed: the newest demo forms together use every
// structure the format has.
func TestEveryStructureUsed(t *testing.T) {
	found := map[string]bool{}
	for _, f := range newest(loadForms(t)) {
		s := schemaDoc(t, f)
		if len(f.Def.Steps) > 1 {
			found["multi-step form"] = true
		}
		for _, st := range f.Def.Steps {
			if st.ShowWhen != nil {
				found["conditional step"] = true
			}
		}
		var schemaWalk func(v any)
		schemaWalk = func(v any) {
			switch x := v.(type) {
			case map[string]any:
				for k, c := range x {
					switch k {
					case "if":
						if _, ok := x["then"]; ok {
							found["schema if/then"] = true
						}
					case "dependentRequired":
						found["schema dependentRequired"] = true
					}
					schemaWalk(c)
				}
			case []any:
				for _, c := range x {
					schemaWalk(c)
				}
			}
		}
		schemaWalk(s)
		for _, pl := range allFields(f) {
			fd := pl.fd
			if fd.ShowWhen != nil {
				found["conditional field"] = true
				if !strings.HasPrefix(fd.ShowWhen.Field, "/") && pl.parent != nil && pl.parent.Widget == api.WidgetRepeat {
					found["condition relative to a repeat's item"] = true
				}
				if strings.Count(fd.ShowWhen.Field, "/") > 1 {
					found["condition on a field inside a group"] = true
				}
				if fd.ShowWhen.In != nil {
					found["condition with in"] = true
				}
				if fd.ShowWhen.NotEmpty {
					found["condition with notEmpty"] = true
				}
			}
			if fd.Widget == api.WidgetGroup && pl.parent != nil && pl.parent.Widget == api.WidgetGroup {
				found["nested group"] = true
			}
			if fd.Widget == api.WidgetAddress {
				if len(fd.Fields) == 0 {
					found["address with default fields"] = true
				} else {
					found["address with its own fields"] = true
				}
			}
			if fd.Widget == api.WidgetRepeat {
				prop := propertyAt(s, pl.pointer)
				if prop["minItems"] != nil && prop["maxItems"] != nil {
					found["repeat with minItems and maxItems"] = true
				}
			}
			if fd.Widget.IsAttachment() && !f.Required(fd) {
				found["optional attachment"] = true
			}
		}
	}
	for _, want := range []string{
		"multi-step form", "conditional step", "conditional field", "schema if/then",
		"schema dependentRequired", "condition relative to a repeat's item",
		"condition on a field inside a group", "condition with in", "condition with notEmpty",
		"nested group", "address with default fields", "address with its own fields",
		"repeat with minItems and maxItems", "optional attachment",
	} {
		if !found[want] {
			t.Errorf("no newest demo form has a %s, want at least one", want)
		}
	}
}

// propertyAt returns the schema property at a layout pointer, through
// properties and items.
func propertyAt(schema map[string]any, layout string) map[string]any {
	cur := schema
	for _, tok := range strings.Split(layout[1:], "/") {
		if items, ok := cur["items"].(map[string]any); ok && cur["type"] == "array" {
			cur = items
		}
		props, _ := cur["properties"].(map[string]any)
		cur, _ = props[tok].(map[string]any)
		if cur == nil {
			return nil
		}
	}
	return cur
}

// TestOptionalAttachments: other tests submit the examples of some forms
// without uploading files, so their attachments are optional, not even
// required under a condition, and their examples name no file. The other
// examples name files and photos, for the tests that upload them.
func TestOptionalAttachments(t *testing.T) {
	forms := newest(loadForms(t))
	named := map[api.Widget]int{}
	for _, id := range slices.Sorted(maps.Keys(forms)) {
		f := forms[id]
		ex := example(t, id)
		for _, pl := range allFields(f) {
			if !pl.fd.Widget.IsAttachment() {
				continue
			}
			present := instances(ex, pl.pointer)
			named[pl.fd.Widget] += len(present)
			if !withoutUploads[id] {
				continue
			}
			if len(present) > 0 {
				t.Errorf("%s: the example names a file at %v, want none (it is submitted without uploads)", id, present)
			}
			// Not required, not even under a condition: no "required"
			// list of the schema (if/then, dependentRequired included)
			// names it.
			if lists := requiredLists(schemaDoc(t, f)); slices.ContainsFunc(lists, func(l []any) bool { return slices.Contains(l, any(pl.fd.Key)) }) {
				t.Errorf("%s: %s is required by the schema, want it optional", id, pl.pointer)
			}
		}
	}
	for _, w := range []api.Widget{api.WidgetFile, api.WidgetPhoto} {
		if named[w] == 0 {
			t.Errorf("the examples name no %s value, want some for the tests that upload them", w)
		}
	}
}

// requiredLists returns every "required" list of a schema, and the lists
// of "dependentRequired", at any depth.
func requiredLists(v any) [][]any {
	var out [][]any
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			switch l := c.(type) {
			case []any:
				if k == "required" {
					out = append(out, l)
				}
			case map[string]any:
				if k == "dependentRequired" {
					for _, d := range l {
						if dl, ok := d.([]any); ok {
							out = append(out, dl)
						}
					}
				}
			}
			out = append(out, requiredLists(c)...)
		}
	case []any:
		for _, c := range x {
			out = append(out, requiredLists(c)...)
		}
	}
	return out
}

// TestSchemaShape checks what the compiler leaves to the author: every
// object is closed (additionalProperties false), every property is asked,
// strings are bounded, forms have 1 to 6 steps.
func TestSchemaShape(t *testing.T) {
	forms := loadForms(t)
	for _, ref := range sortedRefs(forms) {
		f := forms[ref]
		t.Run(fmt.Sprintf("%s v%d", ref.ID, ref.Version), func(t *testing.T) {
			s := schemaDoc(t, f)
			if n := len(f.Def.Steps); n < 1 || n > 6 {
				t.Errorf("form has %d steps, want 1 to 6", n)
			}
			placedAt := map[string]*api.Field{}
			for _, pl := range allFields(f) {
				if pl.pointer != "" {
					placedAt[pl.pointer] = pl.fd
				}
			}
			var check func(obj map[string]any, base string)
			check = func(obj map[string]any, base string) {
				if obj["additionalProperties"] != false {
					t.Errorf("schema of %q: additionalProperties = %v, want false", base, obj["additionalProperties"])
				}
				props, _ := obj["properties"].(map[string]any)
				for _, key := range slices.Sorted(maps.Keys(props)) {
					p := base + "/" + key
					fd := placedAt[p]
					if fd == nil {
						t.Errorf("schema property %s is on no step, want every property asked", p)
						continue
					}
					prop, _ := props[key].(map[string]any)
					switch fd.Widget {
					case api.WidgetGroup, api.WidgetAddress:
						check(prop, p)
					case api.WidgetRepeat:
						items, _ := prop["items"].(map[string]any)
						check(items, p)
					}
					if prop["type"] == "string" && prop["maxLength"] == nil && prop["enum"] == nil && prop["pattern"] == nil &&
						prop["format"] != "date" && prop["format"] != "iban" {
						t.Errorf("field %s: string without maxLength, enum, pattern or a date or IBAN format, want a bound on its length", p)
					}
				}
				for _, key := range obj["required"].([]any) {
					if _, ok := props[key.(string)]; !ok {
						t.Errorf("required %s/%s is not a schema property", base, key)
					}
				}
			}
			check(s, "")
		})
	}
}

// TestDogTaxMigration: a draft begun on hundesteuer version 1 moves to
// version 2 with every value either carried or listed.
func TestDogTaxMigration(t *testing.T) {
	forms := loadForms(t)
	v1 := forms[api.FormRef{ID: "hundesteuer", Version: 1}]
	v2 := forms[api.FormRef{ID: "hundesteuer", Version: 2}]
	if v1 == nil || v2 == nil {
		t.Fatal("hundesteuer version 1 or 2 is missing")
	}
	draft := map[string]any{
		"given_name": "Erika", "family_name": "Mustermann", "street": "Heidestraße 17", "postcode": "51147",
		"city": "Musterstadt", "dog_name": "Bello", "breed": "Labrador Retriever", "born": "2024-03-12",
		"kept_since": "2026-10-01", "dog_count": 1.0, "listed_breed": "unsure", "assistance_dog": false,
	}
	if errs := v1.Validate(draft); len(errs) != 0 {
		t.Fatalf("the version 1 draft is invalid: %+v", errs)
	}
	carried, left := formschema.Migrate(v1, v2, draft)
	var got []string
	for _, l := range left {
		got = append(got, l.Pointer+" "+l.Reason)
	}
	if want := []string{"/born removed", "/listed_breed invalid"}; !slices.Equal(got, want) {
		t.Errorf("leftovers = %q, want %q", got, want)
	}
	for k, v := range draft {
		if k == "born" || k == "listed_breed" {
			continue
		}
		if !reflect.DeepEqual(carried[k], v) {
			t.Errorf("carried[%q] = %v, want %v", k, carried[k], v)
		}
	}
	if len(left) == 2 && left[0].Label.In("de") != "Geburtsdatum des Hundes (freiwillig)" {
		t.Errorf("label of /born = %v, want the old form's label", left[0].Label)
	}
}
