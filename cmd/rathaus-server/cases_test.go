package main

import (
	"encoding/csv"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
)

// TestCasesCommands works a case made over HTTP from the command line,
// against the running server's data folder: list, show, take, ask for
// more information, decide, close, export the audit log.
func TestCasesCommands(t *testing.T) {
	data := t.TempDir()
	m := openServer(t, data)
	svc := plainServices(t)[0]
	h := http.Header{}
	h.Set(api.HeaderIdempotencyKey, "cli-case")
	h.Set("Content-Type", api.ContentTypeJSON)
	a := (&client{http: http.DefaultClient}).must(t, http.MethodPost, m.URL()+api.PathSubmissions, h, submission(t, svc, nil), http.StatusCreated)
	var c api.Case
	if err := json.Unmarshal(a.body, &c); err != nil {
		t.Fatal(err)
	}

	steps := []struct {
		args []string
		code int
		out  string // in stdout (0) or stderr (1)
	}{
		{[]string{"list"}, 0, c.Number},
		{[]string{"list", "--service", "nonesuch"}, 0, "0 of 0 case(s)"},
		{[]string{"list", "--search", "no such name anywhere"}, 0, "0 of 0 case(s)"},
		{[]string{"list", "--status", "bogus"}, 1, "unknown status"},
		{[]string{"show", c.Number}, 0, "Case " + c.Number},
		{[]string{"take", c.ID, "--as", "anna"}, 0, "is received"},
		{[]string{"take", c.ID, "--as", "bob"}, 1, "taken by anna"},
		{[]string{"advance", c.Number, "info_needed", "--as", "anna"}, 1, "say what the citizen is to add"},
		{[]string{"advance", c.Number, "info_needed", "--message", "Bitte den Nachweis beifügen.", "--field", "/dog_name", "--as", "anna"}, 0, "is info_needed"},
		{[]string{"advance", c.Number, "received", "--as", "anna"}, 1, "can move to"},
		{[]string{"advance", c.Number, "inspection", "--date", "2026-12-10", "--time", "10:30", "--place", "Rathausplatz 1", "--as", "anna"}, 0, "is inspection"},
		{[]string{"advance", c.Number, "decided", "--message", "Genehmigt.", "--as", "anna"}, 0, "is decided"},
		{[]string{"note", c.Number, "--message", "Der Bescheid kommt per Post.", "--as", "anna"}, 0, "is decided"},
		{[]string{"advance", c.Number, "closed", "--as", "anna"}, 0, "is closed"},
		{[]string{"show", "2026-999999"}, 1, "no such case"},
		{[]string{"show", c.Number}, 0, "Ortstermin am 10.12.2026 um 10:30 Uhr, Rathausplatz 1."},
	}
	for _, st := range steps {
		args := append([]string{"cases"}, st.args...)
		args = append(args, "--data", data)
		code, out, errs := runCLI(t, args...)
		where := out
		if st.code != 0 {
			where = errs
		}
		if code != st.code || !strings.Contains(where, st.out) {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit %d with %q", st.args, code, out, errs, st.code, st.out)
		}
	}

	code, out, errs := runCLI(t, "cases", "export", "--data", data, "--case", c.Number)
	if code != 0 {
		t.Fatalf("export: exit %d, %s", code, errs)
	}
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range rows[1:] {
		got = append(got, r[4]+" "+r[5]+" "+r[6]+">"+r[7])
	}
	want := []string{"anna take received>received", "anna status received>info_needed", "anna status info_needed>inspection",
		"anna status inspection>decided", "anna note decided>decided", "anna status decided>closed"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit export:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
