package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rathaus/api"
)

// townFolder copies the demo town into a folder of the test's own.
func townFolder(t *testing.T) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "town")
	if err := os.CopyFS(dir, os.DirFS("../../assets/demo")); err != nil {
		t.Fatal(err)
	}
	return dir
}

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errs bytes.Buffer
	code = run(t.Context(), args, func(string) string { return "" }, &out, &errs)
	return code, out.String(), errs.String()
}

func TestCatalogCheck(t *testing.T) {
	dir := townFolder(t)
	data := t.TempDir()
	if code, out, errs := runCLI(t, "catalog", "check", dir, "--data", data); code != 0 || !strings.Contains(out, "no problems") {
		t.Fatalf("check of the demo: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	form := filepath.Join(dir, "forms", "hundesteuer.v2.json")
	b, err := os.ReadFile(form)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte(`"widget": "text"`), []byte(`"widget": "slider"`), 1)
	if err := os.WriteFile(form, b, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "catalog", "check", dir, "--data", data)
	if code != 1 {
		t.Errorf("check of a broken folder: exit %d, want 1", code)
	}
	if !strings.Contains(out, `forms/hundesteuer.v2.json /steps/0/fields/0/widget: unknown widget "slider"`) {
		t.Errorf("stdout does not name the file and pointer:\n%s", out)
	}
	if !strings.Contains(errs, "nothing was published") {
		t.Errorf("stderr = %q", errs)
	}
}

// TestCatalogPublish runs the server on a town's folder as a process, adds
// a form version to the folder and publishes it with "catalog publish"
// (SIGHUP); then changes a published version in place and sees the
// publication refused with the reason.
func TestCatalogPublish(t *testing.T) {
	dir := townFolder(t)
	data := t.TempDir()
	p := startServer(t, data, nil, "--catalog", dir)

	v2 := filepath.Join(dir, "forms", "hundesteuer.v2.json")
	b, err := os.ReadFile(v2)
	if err != nil {
		t.Fatal(err)
	}
	v3 := bytes.Replace(b, []byte(`"version": 2`), []byte(`"version": 3`), 1)
	if err := os.WriteFile(filepath.Join(dir, "forms", "hundesteuer.v3.json"), v3, 0o600); err != nil {
		t.Fatal(err)
	}
	catFile := filepath.Join(dir, "catalog.json")
	cat, err := os.ReadFile(catFile)
	if err != nil {
		t.Fatal(err)
	}
	cat = bytes.Replace(cat, []byte(`"form": {"id": "hundesteuer", "version": 2}`), []byte(`"form": {"id": "hundesteuer", "version": 3}`), 1)
	if err := os.WriteFile(catFile, cat, 0o600); err != nil {
		t.Fatal(err)
	}
	if code, out, errs := runCLI(t, "catalog", "publish", dir, "--data", data); code != 0 || !strings.Contains(out, "published") {
		t.Fatalf("publish: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	res, err := http.Get(p.URL() + api.PathForms + "hundesteuer/3")
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, res.Body)
	_ = res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("GET the new form version = %d, want 200", res.StatusCode)
	}

	changed := bytes.Replace(v3, []byte(`"Anmeldung eines Hundes`), []byte(`"Die Anmeldung eines Hundes`), 1)
	if err := os.WriteFile(filepath.Join(dir, "forms", "hundesteuer.v3.json"), changed, 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCLI(t, "catalog", "publish", dir, "--data", data)
	if code != 1 || !strings.Contains(out, "forms/hundesteuer.v3.json /version: form hundesteuer version 3 is already published") {
		t.Errorf("publish of a changed version: exit %d, stdout %q, stderr %q", code, out, errs)
	}
	// A server started on it refuses it too: the record of what was
	// published outlives the process.
	m := NewMain(io.Discard)
	m.Addr, m.DataDir, m.CatalogDir = "127.0.0.1:0", data, dir
	if err := m.Open(); err == nil {
		_ = m.Close(t.Context())
		t.Error("a server started on a folder with a published version changed in place")
	} else if !strings.Contains(err.Error(), "already published") {
		t.Errorf("Open: %v, want it to say the version is already published", err)
	}
}

func TestReadOfficeTokens(t *testing.T) {
	dir := t.TempDir()
	write := func(s string) string {
		p := filepath.Join(dir, "offices.json")
		if err := os.WriteFile(p, []byte(s), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	staff := "the-staff-token-0123"
	tests := []struct {
		name, file, err string
	}{
		{"good", `{"Steueramt": "steueramt-0123456789", "Bürgerbüro": "buergerbuero-0123456789"}`, ""},
		{"short", `{"Steueramt": "short"}`, "at least 16"},
		{"the staff token", `{"Steueramt": "the-staff-token-0123"}`, "also the staff token"},
		{"twice", `{"A": "same-token-0123456789", "B": "same-token-0123456789"}`, "also the token of"},
		{"not JSON", `Steueramt=x`, "not a JSON object"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := readOfficeTokens(write(tt.file), staff)
			if tt.err == "" {
				if err != nil || len(m) != 2 {
					t.Fatalf("readOfficeTokens = %v, %v", m, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("err = %v, want it to say %q", err, tt.err)
			}
		})
	}
}
