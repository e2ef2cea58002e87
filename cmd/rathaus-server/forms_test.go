package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"rathaus/api/formschema"
)

const fixtures = "../../server/xdatenfelder/testdata/"

func runArgs(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = run(context.Background(), args, func(string) string { return "" }, &out, &errb)
	return code, out.String(), errb.String()
}

func TestFormsImport(t *testing.T) {
	tests := []struct {
		name        string
		args        []string
		wantID      string
		wantVersion int
		wantReport  []string
	}{
		{
			name: "v3 to stdout", args: []string{"forms", "import", fixtures + "v3-S00000000364-heimarbeit.xml"},
			wantID: "s00000000364", wantVersion: 10000,
			wantReport: []string{"XDatenfelder 3 schema S00000000364 version 1.0.0 -> form s00000000364 version 10000", "mapped       S00000000364/R00000002589 -> step sitz-der-ausgabestelle", "translate"},
		},
		{
			name: "v2 with flags after the file", args: []string{"forms", "import", fixtures + "v2-S05000058-bewohnerparkausweis.xml", "--id", "bewohnerparkausweis", "--version", "2"},
			wantID: "bewohnerparkausweis", wantVersion: 2,
			wantReport: []string{"XDatenfelder 2 schema S05000058", "not mapped   S05000058/R05000281", "approximated S05000058/G05000477/F05001047"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(t, tt.args...)
			if code != 0 {
				t.Fatalf("exit code = %d, want 0; stderr:\n%s", code, stderr)
			}
			f, err := formschema.Parse([]byte(stdout))
			if err != nil {
				t.Fatalf("stdout is not a form definition: %v\n%s", err, stdout)
			}
			if got, want := f.Def.ID, tt.wantID; got != want {
				t.Errorf("id = %q, want %q", got, want)
			}
			if got, want := f.Def.Version, tt.wantVersion; got != want {
				t.Errorf("version = %d, want %d", got, want)
			}
			if !strings.HasPrefix(stdout, "{\n  \"id\"") {
				t.Errorf("stdout is not indented JSON: %.40q", stdout)
			}
			for _, want := range tt.wantReport {
				if !strings.Contains(stderr, want) {
					t.Errorf("report on stderr lacks %q:\n%s", want, stderr)
				}
			}
		})
	}
}

func TestFormsImportToFile(t *testing.T) {
	out := filepath.Join(t.TempDir(), "form.json")
	code, stdout, stderr := runArgs(t, "forms", "import", "-o", out, fixtures+"v3-S00000000373-sprengstoff.xml")
	if code != 0 {
		t.Fatalf("exit code = %d, want 0; stderr:\n%s", code, stderr)
	}
	if stdout != "" {
		t.Errorf("stdout = %q, want nothing with -o", stdout)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := formschema.Parse(data); err != nil {
		t.Errorf("%s is not a form definition: %v", out, err)
	}
	if !strings.Contains(stderr, "not mapped   S00000000373/G00000002237/R00000002588") {
		t.Errorf("report lacks the unmapped rule:\n%s", stderr)
	}
}

func TestFormsImportFails(t *testing.T) {
	dir := t.TempDir()
	notXML := filepath.Join(dir, "antrag.pdf")
	if err := os.WriteFile(notXML, []byte("%PDF-1.7\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "leer.xml")
	if err := os.WriteFile(empty, []byte(`<xdf3:xdatenfelder.stammdatenschema.0102 xmlns:xdf3="urn:xoev-de:fim:standard:xdatenfelder_3.0.0"><xdf3:stammdatenschema><xdf3:name>Leer</xdf3:name></xdf3:stammdatenschema></xdf3:xdatenfelder.stammdatenschema.0102>`), 0o600); err != nil {
		t.Fatal(err)
	}
	fixture := fixtures + "v3-S00000000364-heimarbeit.xml"
	tests := []struct {
		name       string
		args       []string
		want       string
		wantReport bool
	}{
		{"no command", []string{"forms"}, "rathaus-server forms: missing command", false},
		{"unknown command", []string{"forms", "export"}, `unknown command "export"`, false},
		{"no file", []string{"forms", "import"}, "missing FILE", false},
		{"two files", []string{"forms", "import", fixture, fixture}, "one FILE at a time", false},
		{"missing file", []string{"forms", "import", filepath.Join(dir, "nope.xml")}, "no such file", false},
		{"not XML", []string{"forms", "import", notXML}, "invalid input", false},
		{"bad id", []string{"forms", "import", "--id", "Hunde Steuer", fixture}, `--id "Hunde Steuer"`, false},
		{"bad version", []string{"forms", "import", "--version", "-1", fixture}, "--version must be 1 or more", false},
		{"unknown flag", []string{"forms", "import", "--force", fixture}, "flag provided but not defined: -force", false},
		{"invalid definition", []string{"forms", "import", empty}, "does not compile", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runArgs(t, tt.args...)
			if code != 1 {
				t.Errorf("exit code = %d, want 1", code)
			}
			if stdout != "" {
				t.Errorf("stdout = %q, want nothing", stdout)
			}
			lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
			last := lines[len(lines)-1]
			if strings.HasPrefix(last, "Run ") && len(lines) > 1 {
				last = lines[len(lines)-2] // the message before the hint
			}
			if !strings.Contains(last, tt.want) {
				t.Errorf("last line of stderr = %q, want it to mention %q", last, tt.want)
			}
			if tt.wantReport {
				if !strings.Contains(stderr, "INVALID") {
					t.Errorf("stderr has no report saying why:\n%s", stderr)
				}
			} else if len(lines) > 2 || (len(lines) == 2 && !strings.HasPrefix(lines[1], "Run ")) {
				t.Errorf("stderr has more than the one-line message:\n%s", stderr)
			}
		})
	}
}

func TestFormsHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"forms", "-h"}, []string{"forms import FILE"}},
		{[]string{"forms", "import", "-h"}, []string{"XDatenfelder 2 or 3", "-o OUT.json", "--id", "--version", "major*10000", "Exit status"}},
		{[]string{"forms", "import", "--help"}, []string{"standard error"}},
		{[]string{"-h"}, []string{"forms import FILE [-o OUT.json]"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			code, stdout, stderr := runArgs(t, tt.args...)
			if code != 0 {
				t.Errorf("exit code = %d, want 0; stderr %q", code, stderr)
			}
			for _, want := range tt.want {
				if !strings.Contains(stdout, want) {
					t.Errorf("help does not mention %q:\n%s", want, stdout)
				}
			}
		})
	}
}
