// Package demotest hands tests the demo municipality's parts (package
// assets) by name: a service, a form, its example values, a step. A part
// that is not there fails the test. Only tests import it.
package demotest

import (
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/assets"
)

// Service is the demo service with the given id.
func Service(tb testing.TB, id string) api.Service {
	tb.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		tb.Fatal(err)
	}
	for _, s := range cat.Services {
		if s.ID == id {
			return s
		}
	}
	tb.Fatalf("no demo service %q", id)
	return api.Service{}
}

// Form is the newest version of the demo form with the given id.
func Form(tb testing.TB, id string) *formschema.Form {
	tb.Helper()
	forms, err := assets.DemoForms()
	if err != nil {
		tb.Fatal(err)
	}
	var f *formschema.Form
	for _, x := range forms {
		if x.Def.ID == id && (f == nil || x.Def.Version > f.Def.Version) {
			f = x
		}
	}
	if f == nil {
		tb.Fatalf("no demo form %q", id)
	}
	return f
}

// Example is a fresh copy of a demo form's example values.
func Example(tb testing.TB, formID string) map[string]any {
	tb.Helper()
	v, err := assets.DemoExample(formID)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

// Step is the index of a form's step.
func Step(tb testing.TB, f *formschema.Form, id string) int {
	tb.Helper()
	for i, st := range f.Def.Steps {
		if st.ID == id {
			return i
		}
	}
	tb.Fatalf("form %s has no step %s", f.Def.ID, id)
	return -1
}
