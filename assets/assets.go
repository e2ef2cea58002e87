// Package assets embeds what the app and the reference backend ship with:
// the demo municipality (catalog, forms, example data), the app's
// translations and its icon.
//
// The demo municipality is the fictional "Musterstadt"; the app uses it when
// no backend was ever reached, and the reference backend serves it.
package assets

import (
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"rathaus/api"
	"rathaus/api/formschema"
)

//go:embed demo
var demo embed.FS

// Translations holds the app's UI strings, one file per language
// (translations/de.json, translations/en.json), in go-i18n's JSON format as
// fyne's lang package reads them.
//
//go:embed translations
var Translations embed.FS

// Icon is the app's icon for its window and notifications, 128 px: the
// window decodes it at every start (the 512 px icon.png, which the
// packages take from FyneApp.toml, took milliseconds of it).
//
//go:embed icon-128.png
var Icon []byte

// DemoEncryptedService is the demo town's service whose data travels
// encrypted end to end: rathaus-server publishes the authority's key on it
// (made at its first start), so its data must go as a JWE to that key.
const DemoEncryptedService = "fuehrungszeugnis"

// DemoCatalog returns the demo municipality's catalog with its FAQ.
func DemoCatalog() (api.Catalog, error) {
	var c api.Catalog
	b, err := demo.ReadFile("demo/catalog.json")
	if err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, fmt.Errorf("demo catalog: %w", err)
	}
	// The FAQ is kept in a file of its own, for the people who write it.
	var faq struct {
		FAQ []api.FAQEntry `json:"faq"`
	}
	if b, err = demo.ReadFile("demo/faq.json"); err != nil {
		return c, err
	}
	if err := json.Unmarshal(b, &faq); err != nil {
		return c, fmt.Errorf("demo FAQ: %w", err)
	}
	c.FAQ = faq.FAQ
	return c, nil
}

// DemoFormFiles returns the raw JSON of every demo form definition, by file
// name. Raw bytes, so that callers can hand them on unchanged and compile
// them with formschema.Parse.
func DemoFormFiles() (map[string][]byte, error) {
	return readDir("demo/forms")
}

// DemoForms parses and compiles every demo form. A malformed definition is
// reported in the error while the rest still load.
func DemoForms() ([]*formschema.Form, error) {
	files, err := DemoFormFiles()
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var forms []*formschema.Form
	var bad []string
	for _, n := range names {
		f, err := formschema.Parse(files[n])
		if err != nil {
			bad = append(bad, n+": "+err.Error())
			continue
		}
		forms = append(forms, f)
	}
	if len(bad) > 0 {
		return forms, fmt.Errorf("demo forms: %s", strings.Join(bad, "; "))
	}
	return forms, nil
}

// DemoExample returns example data for a form id, valid against the form's
// newest demo version; tests use it to fill forms.
func DemoExample(formID string) (map[string]any, error) {
	b, err := demo.ReadFile("demo/examples/" + formID + ".json")
	if err != nil {
		return nil, err
	}
	var v map[string]any
	if err := json.Unmarshal(b, &v); err != nil {
		return nil, fmt.Errorf("example %s: %w", formID, err)
	}
	return v, nil
}

// Seeder is a store that takes a catalog and its form definitions when it
// holds none yet (app/store's Store).
type Seeder interface {
	HasCatalog(ctx context.Context) (bool, error)
	Seed(ctx context.Context, c api.Catalog, forms [][]byte) (bool, error)
}

// SeedDemo hands the demo municipality to a store, so that the app works
// before any backend was reached.
func SeedDemo(ctx context.Context, s Seeder) error {
	// Asked first: at every start but the first there is one, and the
	// demo's files need not be read.
	if has, err := s.HasCatalog(ctx); err != nil || has {
		return err
	}
	cat, err := DemoCatalog()
	if err != nil {
		return err
	}
	files, err := DemoFormFiles()
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	forms := make([][]byte, len(names))
	for i, n := range names {
		forms[i] = files[n]
	}
	_, err = s.Seed(ctx, cat, forms)
	return err
}

func readDir(dir string) (map[string][]byte, error) {
	entries, err := fs.ReadDir(demo, dir)
	if err != nil {
		return nil, err
	}
	out := map[string][]byte{}
	for _, e := range entries {
		if e.IsDir() || path.Ext(e.Name()) != ".json" {
			continue
		}
		b, err := demo.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		out[e.Name()] = b
	}
	return out, nil
}

// DemoReportServices returns the demo municipality's report categories
// (its Open311 service list) and the area its reports may lie in.
func DemoReportServices() (api.ReportServices, error) {
	var rs api.ReportServices
	b, err := demo.ReadFile("demo/open311.json")
	if err != nil {
		return rs, err
	}
	if err := json.Unmarshal(b, &rs); err != nil {
		return rs, fmt.Errorf("demo report services: %w", err)
	}
	return rs, nil
}

// DemoStreets returns the demo municipality's street directory.
func DemoStreets() (api.StreetDirectory, error) {
	var sd api.StreetDirectory
	b, err := demo.ReadFile("demo/streets.json")
	if err != nil {
		return sd, err
	}
	if err := json.Unmarshal(b, &sd); err != nil {
		return sd, fmt.Errorf("demo streets: %w", err)
	}
	return sd, nil
}

// DemoOffices returns the demo municipality's offices and opening hours,
// from which the backend makes appointment slots.
func DemoOffices() (api.Offices, error) {
	var o api.Offices
	b, err := demo.ReadFile("demo/offices.json")
	if err != nil {
		return o, err
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return o, fmt.Errorf("demo offices: %w", err)
	}
	return o, nil
}

// DemoPolls returns the demo municipality's polls (Bürgerbeteiligung),
// each with its form inline.
func DemoPolls() ([]api.Poll, error) {
	var p []api.Poll
	b, err := demo.ReadFile("demo/polls.json")
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("demo polls: %w", err)
	}
	return p, nil
}
