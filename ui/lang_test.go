package ui

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"

	"rathaus/assets"
)

// translations reads one language file.
func translations(t *testing.T, code string) map[string]string {
	t.Helper()
	b, err := assets.Translations.ReadFile("translations/" + code + ".json")
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s.json: %v", code, err)
	}
	return m
}

// literals finds the string literals that match re in the Go files of the
// given folders (relative to this package).
func literals(t *testing.T, re *regexp.Regexp, dirs ...string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, dir := range dirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if matched, _ := filepath.Match("*_test.go", filepath.Base(f)); matched {
				continue
			}
			src, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllSubmatch(src, -1) {
				s, err := strconv.Unquote(string(m[1]))
				if err != nil {
					t.Fatalf("%s: %s: %v", f, m[1], err)
				}
				out[s] = f
			}
		}
	}
	return out
}

// uiDirs are this package's folder and every area's below it, so that a
// new area is checked without being named here.
func uiDirs(t *testing.T) []string {
	t.Helper()
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d os.DirEntry, err error) error {
		if err == nil && d.IsDir() && d.Name() != "testdata" {
			dirs = append(dirs, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return dirs
}

// TestEveryStringIsTranslated: every string the UI passes to lang.L, and
// every message for people the domain, the store and the sync engine
// produce, has a German and an English translation.
func TestEveryStringIsTranslated(t *testing.T) {
	de, en := translations(t, "de"), translations(t, "en")
	if de["meta.language"] != "de" || en["meta.language"] != "en" {
		t.Fatalf("meta.language: de %q, en %q", de["meta.language"], en["meta.language"])
	}
	uiStrings := literals(t, regexp.MustCompile(`lang\.L\(("(?:[^"\\]|\\.)*")`), append(uiDirs(t), "..")...)
	domain := literals(t, regexp.MustCompile(`(?:Message: +|Errorf\(citizen\.[A-Z]+, |Transient\(citizen\.[A-Z]+, |msg := |Reject\([^"\n]*, |invalid\(Err[A-Za-z]+, )("(?:[^"\\]|\\.)*")`),
		"../app/citizen", "../app/store", "../app/secrets", "../app/photo", "../sync/portal", "../sync/engine", "../sync/upload")
	if len(uiStrings) < 20 || len(domain) < 10 {
		t.Fatalf("found only %d UI strings and %d domain messages: the scan is broken", len(uiStrings), len(domain))
	}
	for _, set := range []map[string]string{uiStrings, domain} {
		for s, file := range set {
			if de[s] == "" || en[s] == "" {
				t.Errorf("%s: %q lacks a translation (de %q, en %q)", file, s, de[s], en[s])
			}
		}
	}
	for k := range de {
		if _, ok := en[k]; !ok {
			t.Errorf("%q is in de.json but not in en.json", k)
		}
	}
	for k := range en {
		if _, ok := de[k]; !ok {
			t.Errorf("%q is in en.json but not in de.json", k)
		}
	}
}
