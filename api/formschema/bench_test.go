package formschema_test

import (
	"sort"
	"testing"

	"rathaus/api/formschema"
	"rathaus/assets"
)

// largestDemoForm returns the demo form with the most fields (ties broken by
// id, so that the benchmark always measures the same form).
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
		count := 0
		for _, st := range f.Def.Steps {
			count += len(st.Fields)
		}
		if count > bestCount {
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
