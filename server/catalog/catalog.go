// Package catalog reads a town's own catalog from a folder (catalog.json
// and forms/*.json, the layout of assets/demo), checks it, reporting every
// problem at once by file and JSON Pointer, and keeps the record of the
// form versions published, which may never change.
package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/api/jwe"
)

// Files of a catalog folder.
const (
	CatalogFile = "catalog.json"
	FormsDir    = "forms"
)

// Problem is one thing wrong in a catalog folder.
type Problem struct {
	File    string // relative to the folder: "catalog.json", "forms/x.json"
	Pointer string // RFC 6901 JSON Pointer into the file; "" for the whole file
	Message string
}

func (p Problem) String() string {
	ptr := p.Pointer
	if ptr == "" {
		ptr = "(whole file)"
	}
	return fmt.Sprintf("%s %s: %s", p.File, ptr, p.Message)
}

// Error is a folder that does not pass Check: its problems, in file order.
type Error struct{ Problems []Problem }

func (e *Error) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return fmt.Sprintf("the catalog has %d problem(s):\n  %s", len(e.Problems), strings.Join(lines, "\n  "))
}

// Folder is a catalog as read from a folder.
type Folder struct {
	Catalog api.Catalog
	// Forms are the raw form definitions by file name (as
	// assets.DemoFormFiles), served byte for byte.
	Forms map[string][]byte
}

// Load reads and checks the folder dir against the versions published
// before (nil: none). Any problem makes it an *Error listing them all.
func Load(dir string, published Published) (Folder, error) {
	return LoadFS(os.DirFS(dir), published)
}

// LoadFS is Load on a file system (for the embedded demo, and tests).
func LoadFS(fsys fs.FS, published Published) (Folder, error) {
	f, problems := read(fsys, published)
	if len(problems) > 0 {
		return Folder{}, &Error{Problems: problems}
	}
	return f, nil
}

// Check reports every problem of the folder dir; none means it can be
// served and published.
func Check(dir string, published Published) []Problem {
	_, problems := read(os.DirFS(dir), published)
	return problems
}

func read(fsys fs.FS, published Published) (Folder, []Problem) {
	var c checker
	out := Folder{Forms: map[string][]byte{}}
	// The catalog says which languages every text must have; the forms
	// are checked against them, so read that first.
	rawCatalog, catalogErr := fs.ReadFile(fsys, CatalogFile)
	c.promised(rawCatalog)
	forms := map[string]string{} // "id/version" -> file, for the catalog's references
	entries, err := fs.ReadDir(fsys, FormsDir)
	if err != nil {
		c.add(FormsDir, "", "cannot read the forms folder: %v", unwrap(err))
	}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		file := FormsDir + "/" + e.Name()
		raw, err := fs.ReadFile(fsys, file)
		if err != nil {
			c.add(file, "", "cannot read: %v", unwrap(err))
			continue
		}
		id, version, ok := c.form(file, raw)
		if !ok {
			continue
		}
		k := fmt.Sprintf("%s/%d", id, version)
		if other, dup := forms[k]; dup {
			c.add(file, "/version", "form %s version %d is also defined in %s", id, version, other)
			continue
		}
		forms[k] = file
		if was, ok := published[k]; ok && was != hash(raw) {
			c.add(file, "/version", "form %s version %d is already published with other content; published versions cannot change: give the changed form version %d", id, version, version+1)
			continue
		}
		out.Forms[e.Name()] = raw
	}
	if catalogErr != nil {
		c.add(CatalogFile, "", "cannot read: %v", unwrap(catalogErr))
	} else {
		out.Catalog = c.catalog(rawCatalog, forms)
	}
	sort.SliceStable(c.problems, func(i, j int) bool { return c.problems[i].File < c.problems[j].File })
	return out, c.problems
}

type checker struct {
	problems  []Problem
	languages []string // every text must have these (promised)
	// untranslated are the problems of each form file ("id/version") with
	// a promised language beyond German and English missing: they count
	// for the versions the catalog offers, not for older ones, which were
	// published before the promise and cannot change.
	untranslated map[string][]Problem
	formKey      string // the form being checked
}

func (c *checker) add(file, pointer, format string, args ...any) {
	c.problems = append(c.problems, Problem{File: file, Pointer: pointer, Message: fmt.Sprintf(format, args...)})
}

// decode reads raw strictly into v; a syntax error names its offset.
func (c *checker) decode(file string, raw []byte, v any) bool {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) {
			c.add(file, "", "not valid JSON: the file ends in the middle of a value")
		} else if se, ok := errors.AsType[*json.SyntaxError](err); ok {
			line := 1 + bytes.Count(raw[:min(int(se.Offset), len(raw))], []byte("\n"))
			c.add(file, "", "not valid JSON at line %d: %v", line, err)
		} else {
			c.add(file, "", "%v", err)
		}
		return false
	}
	return true
}

// form checks one form file: its JSON, the translations and widgets of its
// layout, then everything formschema checks.
func (c *checker) form(file string, raw []byte) (string, int, bool) {
	var def api.Form
	if !c.decode(file, raw, &def) {
		return "", 0, false
	}
	before := len(c.problems)
	c.formKey = fmt.Sprintf("%s/%d", def.ID, def.Version)
	defer func() { c.formKey = "" }()
	c.text(file, "/title", def.Title, true)
	c.text(file, "/intro", def.Intro, false)
	for i, st := range def.Steps {
		p := fmt.Sprintf("/steps/%d", i)
		c.text(file, p+"/title", st.Title, true)
		c.fields(file, p+"/fields", st.Fields)
	}
	if _, err := formschema.Parse(raw); err != nil {
		var de *formschema.DefinitionError
		if errors.As(err, &de) {
			for _, msg := range de.Problems {
				ptr := ""
				if strings.HasPrefix(msg, "schema:") {
					ptr = "/schema"
				}
				c.add(file, ptr, "%s", msg)
			}
		} else {
			c.add(file, "", "%v", err)
		}
	}
	return def.ID, def.Version, len(c.problems) == before
}

var widgets = func() map[api.Widget]bool {
	m := map[api.Widget]bool{}
	for _, w := range api.Widgets {
		m[w] = true
	}
	return m
}()

func (c *checker) fields(file, at string, fields []api.Field) {
	for i, f := range fields {
		p := fmt.Sprintf("%s/%d", at, i)
		if !widgets[f.Widget] {
			c.add(file, p+"/widget", "unknown widget %q (known: %v)", f.Widget, api.Widgets)
		}
		c.text(file, p+"/label", f.Label, f.Widget != api.WidgetInfo || len(f.Label) > 0)
		c.text(file, p+"/help", f.Help, false)
		c.text(file, p+"/placeholder", f.Placeholder, false)
		c.text(file, p+"/addLabel", f.AddLabel, false)
		for j, o := range f.Options {
			c.text(file, fmt.Sprintf("%s/options/%d/label", p, j), o.Label, true)
		}
		c.fields(file, p+"/fields", f.Fields)
	}
}

// languages every text of a catalog must have, whatever it promises.
var languages = []string{"de", "en"}

// languageCode is what a promised language must look like: ISO 639-1 ("tr"),
// as the app's translation files are named.
var languageCode = regexp.MustCompile(`^[a-z]{2}$`)

// promised sets the languages every text must have: German, English and
// those the catalog promises (its "languages"). A catalog that cannot be
// read promises nothing more; its own check says why.
func (c *checker) promised(raw []byte) {
	c.languages = slices.Clone(languages)
	var cat struct {
		Languages []string `json:"languages"`
	}
	if json.Unmarshal(raw, &cat) != nil {
		return
	}
	for i, l := range cat.Languages {
		switch {
		case !languageCode.MatchString(l):
			c.add(CatalogFile, fmt.Sprintf("/languages/%d", i), "%q is no language code (two small letters, e.g. \"tr\")", l)
		case !slices.Contains(c.languages, l):
			c.languages = append(c.languages, l)
		}
	}
}

// text checks that t has every language (when required, or when present
// at all).
func (c *checker) text(file, pointer string, t api.Text, required bool) {
	if len(t) == 0 && !required {
		return
	}
	for _, l := range c.languages {
		switch {
		case strings.TrimSpace(t[l]) != "":
		case slices.Contains(languages, l):
			c.add(file, pointer+"/"+l, "missing translation %q", l)
		case c.formKey != "":
			if c.untranslated == nil {
				c.untranslated = map[string][]Problem{}
			}
			c.untranslated[c.formKey] = append(c.untranslated[c.formKey], Problem{File: file, Pointer: pointer + "/" + l,
				Message: fmt.Sprintf("missing translation %q, which the catalog promises (/languages)", l)})
		default:
			c.add(file, pointer+"/"+l, "missing translation %q, which the catalog promises (/languages)", l)
		}
	}
}

func (c *checker) catalog(raw []byte, forms map[string]string) api.Catalog {
	var cat api.Catalog
	if !c.decode(CatalogFile, raw, &cat) {
		return cat
	}
	if strings.TrimSpace(cat.Municipality.Name) == "" {
		c.add(CatalogFile, "/municipality/name", "the town's name is missing")
	}
	categories := map[string]bool{}
	for i, cg := range cat.Categories {
		p := fmt.Sprintf("/categories/%d", i)
		if cg.ID == "" || categories[cg.ID] {
			c.add(CatalogFile, p+"/id", "category id %q is empty or used twice", cg.ID)
		}
		categories[cg.ID] = true
		c.text(CatalogFile, p+"/title", cg.Title, true)
	}
	services := map[string]bool{}
	for i, svc := range cat.Services {
		p := fmt.Sprintf("/services/%d", i)
		if svc.ID == "" || services[svc.ID] {
			c.add(CatalogFile, p+"/id", "service id %q is empty or used twice", svc.ID)
		}
		services[svc.ID] = true
		if !categories[svc.Category] {
			c.add(CatalogFile, p+"/category", "unknown category %q", svc.Category)
		}
		c.text(CatalogFile, p+"/title", svc.Title, true)
		c.text(CatalogFile, p+"/summary", svc.Summary, true)
		c.text(CatalogFile, p+"/keywords", svc.Keywords, false)
		c.text(CatalogFile, p+"/fee", svc.Fee, false)
		c.text(CatalogFile, p+"/duration", svc.Duration, false)
		c.text(CatalogFile, p+"/office_name", svc.OfficeName, false)
		if len(svc.EncryptionKey) > 0 {
			// The same rule the backend and the app apply (api/jwe).
			if _, err := jwe.ParsePublicKey(svc.EncryptionKey); err != nil {
				c.add(CatalogFile, p+"/encryption_key", "%v", err)
			}
		}
		k := fmt.Sprintf("%s/%d", svc.Form.ID, svc.Form.Version)
		if _, ok := forms[k]; !ok {
			c.add(CatalogFile, p+"/form", "form %s version %d is not in %s/ (or has problems of its own)", svc.Form.ID, svc.Form.Version, FormsDir)
		}
		c.problems = append(c.problems, c.untranslated[k]...)
		delete(c.untranslated, k) // two services may offer one form
	}
	return cat
}

// unwrap drops the operation and path of an *fs.PathError.
func unwrap(err error) error {
	if pe, ok := errors.AsType[*fs.PathError](err); ok {
		return pe.Err
	}
	return err
}
