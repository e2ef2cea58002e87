package formschema_test

import (
	"encoding/json"
	"sort"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/assets"
)

// largestDemoForm returns the demo form with the most fields, counted at
// every depth (ties broken by id and version, so that the benchmark always
// measures the same form), with its example data.
func largestDemoForm(b *testing.B) *formschema.Form {
	b.Helper()
	files, err := assets.DemoFormFiles()
	if err != nil {
		b.Fatalf("DemoFormFiles() error = %v, want nil", err)
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names)
	var best *formschema.Form
	bestCount := -1
	for _, n := range names {
		f, err := formschema.Parse(files[n])
		if err != nil {
			b.Fatalf("Parse(%s) error = %v, want nil", n, err)
		}
		if _, err := assets.DemoExample(f.Def.ID); err != nil {
			continue
		}
		count := 0
		var countFields func(fs []api.Field)
		countFields = func(fs []api.Field) {
			for i := range fs {
				count++
				countFields(f.Children(&fs[i]))
			}
		}
		for _, st := range f.Def.Steps {
			countFields(st.Fields)
		}
		if count > bestCount || (count == bestCount && f.Def.Version > best.Def.Version && f.Def.ID == best.Def.ID) {
			best, bestCount = f, count
		}
	}
	if best == nil {
		b.Fatal("no demo forms")
	}
	return best
}

func BenchmarkValidate(b *testing.B) {
	f := largestDemoForm(b)
	data, err := assets.DemoExample(f.Def.ID)
	if err != nil {
		b.Fatalf("DemoExample(%s) error = %v, want nil", f.Def.ID, err)
	}
	if errs := f.Validate(data); len(errs) != 0 {
		b.Fatalf("Validate(example of %s) = %v, want no errors", f.Def.ID, errs)
	}
	b.Logf("form %s v%d", f.Def.ID, f.Def.Version)
	b.ReportAllocs()
	for b.Loop() {
		if errs := f.Validate(data); len(errs) != 0 {
			b.Fatalf("Validate() = %v, want no errors", errs)
		}
	}
}

// BenchmarkPruneSummary measures what the app does before the summary
// page: prune the draft to what is sent and list it for people.
func BenchmarkPruneSummary(b *testing.B) {
	f := largestDemoForm(b)
	data, err := assets.DemoExample(f.Def.ID)
	if err != nil {
		b.Fatalf("DemoExample(%s) error = %v, want nil", f.Def.ID, err)
	}
	if n := len(f.Summary(data, "de")); n == 0 {
		b.Fatalf("Summary(example of %s) is empty", f.Def.ID)
	}
	b.Logf("form %s v%d", f.Def.ID, f.Def.Version)
	b.ReportAllocs()
	for b.Loop() {
		pruned := f.Prune(data)
		if len(f.Summary(pruned, "de")) == 0 {
			b.Fatal("empty summary")
		}
	}
}

// BenchmarkValidateJSON measures the backend's way: validating the
// submitted bytes of the same example.
func BenchmarkValidateJSON(b *testing.B) {
	f := largestDemoForm(b)
	data, err := assets.DemoExample(f.Def.ID)
	if err != nil {
		b.Fatalf("DemoExample(%s) error = %v, want nil", f.Def.ID, err)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if errs, err := f.ValidateJSON(raw); err != nil || len(errs) != 0 {
			b.Fatalf("ValidateJSON() = %v, %v, want no errors", errs, err)
		}
	}
}
