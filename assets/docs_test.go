package assets_test

import (
	"encoding/json"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// TestDocsExample holds the complete example of docs/forms.md to the demo
// files it shows, so that the documentation cannot drift from them.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile("../docs/forms.md")
	if err != nil {
		t.Fatalf("reading docs/forms.md: %v", err)
	}
	tests := []struct {
		marker, file string
	}{
		{"<!-- example: bewohnerparkausweis -->", "demo/forms/bewohnerparkausweis.json"},
		{"<!-- example data: bewohnerparkausweis -->", "demo/examples/bewohnerparkausweis.json"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			_, rest, ok := strings.Cut(string(doc), tt.marker+"\n```json\n")
			if !ok {
				t.Fatalf("docs/forms.md has no json block after %q", tt.marker)
			}
			block, _, ok := strings.Cut(rest, "\n```")
			if !ok {
				t.Fatalf("the json block after %q does not end", tt.marker)
			}
			file, err := os.ReadFile(tt.file)
			if err != nil {
				t.Fatal(err)
			}
			var got, want any
			if err := json.Unmarshal([]byte(block), &got); err != nil {
				t.Fatalf("the block after %q is not JSON: %v", tt.marker, err)
			}
			if err := json.Unmarshal(file, &want); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("the block after %q differs from %s", tt.marker, tt.file)
			}
		})
	}
}

// TestArchitectureNamesRealFiles: every file and folder that
// docs/architecture.md names (in backquotes, without a placeholder such as
// <area>) exists, so that its map and recipes cannot drift from the code.
func TestArchitectureNamesRealFiles(t *testing.T) {
	doc, err := os.ReadFile("../docs/architecture.md")
	if err != nil {
		t.Fatalf("reading docs/architecture.md: %v", err)
	}
	named := 0
	for _, m := range regexp.MustCompile("`([a-z][a-z0-9_./-]*/[a-z0-9_./-]*)`").FindAllStringSubmatch(string(doc), -1) {
		path := strings.TrimSuffix(m[1], "/")
		if strings.HasPrefix(path, "../") || strings.Contains(path, "/v1/") {
			continue // outside the checkout, or an endpoint
		}
		named++
		if _, err := os.Stat("../" + path); err != nil {
			t.Errorf("docs/architecture.md names %s: %v", path, err)
		}
	}
	if named < 10 {
		t.Errorf("found only %d paths in docs/architecture.md: the scan is broken", named)
	}
}
