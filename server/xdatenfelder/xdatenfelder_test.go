package xdatenfelder

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// marshal writes a definition the way the CLI does.
func marshal(t *testing.T, def *api.Form) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(def); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b.Bytes()
}

func convertFile(t *testing.T, name string) (*api.Form, *Report) {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	def, rep, err := Convert(f, Options{})
	if err != nil {
		if rep != nil {
			t.Log(rep.String())
		}
		t.Fatalf("Convert(%s): %v", name, err)
	}
	return def, rep
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; diff it against a run with -update:\n%s", name, firstDiff(got, want))
	}
}

func firstDiff(got, want []byte) string {
	gl, wl := strings.Split(string(got), "\n"), strings.Split(string(want), "\n")
	for i := 0; i < len(gl) || i < len(wl); i++ {
		var g, w string
		if i < len(gl) {
			g = gl[i]
		}
		if i < len(wl) {
			w = wl[i]
		}
		if g != w {
			return "line " + strconv.Itoa(i+1) + ":\n got: " + g + "\nwant: " + w
		}
	}
	return ""
}

// hasItem reports whether the report has an item of the kind whose path
// ends with path and whose text contains what.
func hasItem(rep *Report, k Kind, path, what string) bool {
	for _, it := range rep.Items {
		if it.Kind == k && strings.HasSuffix(it.Path, path) && strings.Contains(it.What+" "+it.Why, what) {
			return true
		}
	}
	return false
}

type wantItem struct {
	kind       Kind
	path, what string
}

func TestGolden(t *testing.T) {
	tests := []struct {
		file        string
		wantXDF     int
		wantID      string
		wantVersion int
		wantSteps   []string
		wantItems   []wantItem
		// validData is form data the definition must accept; badData must
		// fail on the given pointers.
		validData string
		badData   string
		badAt     []string
	}{
		{
			file: "v2-S05000058-bewohnerparkausweis.xml", wantXDF: 2, wantID: "s05000058", wantVersion: 10000,
			wantSteps: []string{"allgemein", "angaben-zur-antragstellenden-person", "angaben-parkausweis-bewohner", "angaben-zum-fahrzeug-parkausweis", "angaben-zur-fahrzeughalterin-zum-fahrzeughalter"},
			wantItems: []wantItem{
				{Approximated, "/F05001047", "code list Halterdaten_0.1"},
				{Approximated, "/F05000523", "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat_2020-05-11"},
				{Approximated, "/F05000060", "repeat of one field"},
				{NotMapped, "/R05000281", "zur Pflichtangabe"},
				{NotMapped, "/R05000334", "Verlängerung"},
				{Mapped, "/F05001354", "email"},
				{Mapped, "/F05001045", "file"},
				{NotMapped, "S05000058", "FIM editorial metadata"},
				{Translate, "S05000058", "German only"},
			},
			validData: `{"einwilligungserklaerungstext_verarbeitung":"01","einverstaendniserklaerung_abgleich_melderegister":"ja",
				"familienname":"Muster","vorname":[{"vorname":"Erika"}],"geburtsdatum":"1980-02-29","e_mail":"erika@example.org",
				"strassenangaben":{"strasse":"Hauptstraße","hausnummer":"1"},"ort_inland_ohne_ortsteil":{"postleitzahl":"12345","ort":"Musterstadt"},"land":"000",
				"parkausweis_gueltigkeitsdauer":"12","art_des_antrags_bewohnerparkausweis":"01",
				"angabe_des_kfz_kennzeichens":"MS-AB-123","identifikation_des_fahrzeugs_kurz":123456,"angaben_zur_halterin_zum_halter":"01"}`,
			badData: `{"familienname":"","vorname":[],"geburtsdatum":"29.02.1980","e_mail":"nein","ort_inland_ohne_ortsteil":{"postleitzahl":"1234","ort":"X"}}`,
			badAt:   []string{"/familienname", "/vorname", "/geburtsdatum", "/e_mail", "/ort_inland_ohne_ortsteil/postleitzahl"},
		},
		{
			file: "v3-S00000000364-heimarbeit.xml", wantXDF: 3, wantID: "s00000000364", wantVersion: 10000,
			wantSteps: []string{"allgemein", "anschrift-inland-strassenanschrift", "sitz-der-ausgabestelle"},
			wantItems: []wantItem{
				{Mapped, "/R00000002589", "shown when /abweichende_ausgabestelle = true"},
				{Mapped, "/F00000003445", "boolean"},
				{Mapped, "/G00000002211/G60000000086", "group"},
				{Translate, "S00000000364", "German only"},
			},
			// The step "Sitz der Ausgabestelle" is hidden and not required
			// when the Ausgabestelle does not differ...
			validData: `{"eingetragener_name_organisationsname":"Muster GmbH","abweichende_ausgabestelle":false,"strasse":"Weg","postleitzahl":"12345","ort":"Musterstadt"}`,
			// ...and required when it does.
			badData: `{"eingetragener_name_organisationsname":"Muster GmbH","abweichende_ausgabestelle":true,"strasse":"Weg","postleitzahl":"12345","ort":"Musterstadt"}`,
			badAt:   []string{"/anschrift_inland_strassenanschrift"},
		},
		{
			file: "v3-S00000000373-sprengstoff.xml", wantXDF: 3, wantID: "s00000000373", wantVersion: 10000,
			wantSteps: []string{"angaben-zum-antragstellenden-unternehmen", "angaben-zur-bestellung-oder-erloeschung"},
			wantItems: []wantItem{
				{Mapped, "/F00000003430", "multi (1 to 2 choices)"},
				{Mapped, "/F00000003450", "choice"},
				{Mapped, "/G00000002237", "repeat (1 or more items)"},
				{Approximated, "/F60000000296", "repeat of one field"},
				{NotMapped, "/R00000002588", "allows several choices"},
			},
			validData: `{"eingetragener_name_organisationsname":"Muster GmbH","anschrift_inland_strassenanschrift":{"strasse":"Weg","postleitzahl":"12345","ort":"Musterstadt"},
				"angaben_zur_bestellung_oder_erloeschung":[{"art_der_mitteilung":["001"],"angaben_zur_verantwortlichen_person":[{"familienname":"Muster","vornamen":"Max"}],
				"datum_der_erloeschung":"2026-01-31","angaben_zur_bestellung":[{"art_der_grundlage_fuer_bestellung":"002","aufgaben_und_verantwortungsbereich":"Sprengberechtigter","datum_der_bestellung":"2026-02-01"}]}]}`,
			badData: `{"eingetragener_name_organisationsname":"Muster GmbH","anschrift_inland_strassenanschrift":{"strasse":"Weg","postleitzahl":"12345","ort":"Musterstadt"},
				"angaben_zur_bestellung_oder_erloeschung":[{"art_der_mitteilung":["003"],"angaben_zur_verantwortlichen_person":[],"datum_der_erloeschung":"2026-01-31"}]}`,
			badAt: []string{"/angaben_zur_bestellung_oder_erloeschung/0/art_der_mitteilung/0", "/angaben_zur_bestellung_oder_erloeschung/0/angaben_zur_verantwortlichen_person"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			def, rep := convertFile(t, tt.file)
			base := strings.TrimSuffix(tt.file, ".xml")
			out := marshal(t, def)
			golden(t, base+".golden.json", out)
			golden(t, base+".report.txt", []byte(rep.String()))

			if got, want := rep.XDFVersion, tt.wantXDF; got != want {
				t.Errorf("XDFVersion = %d, want %d", got, want)
			}
			if got, want := def.ID, tt.wantID; got != want {
				t.Errorf("ID = %q, want %q", got, want)
			}
			if got, want := def.Version, tt.wantVersion; got != want {
				t.Errorf("Version = %d, want %d", got, want)
			}
			var steps []string
			for _, st := range def.Steps {
				steps = append(steps, st.ID)
			}
			if got, want := strings.Join(steps, " "), strings.Join(tt.wantSteps, " "); got != want {
				t.Errorf("steps = %s, want %s", got, want)
			}
			for _, w := range tt.wantItems {
				if !hasItem(rep, w.kind, w.path, w.what) {
					t.Errorf("report has no %s item at …%s mentioning %q", w.kind, w.path, w.what)
				}
			}
			if rep.Invalid != nil {
				t.Errorf("report.Invalid = %v", rep.Invalid)
			}
			// The written JSON loads as the app and the backend load it.
			form, err := formschema.Parse(out)
			if err != nil {
				t.Fatalf("formschema.Parse: %v", err)
			}
			if errs, err := form.ValidateJSON([]byte(tt.validData)); err != nil || len(errs) > 0 {
				t.Errorf("valid data: %v %v", errs, err)
			}
			errs, err := form.ValidateJSON([]byte(tt.badData))
			if err != nil {
				t.Fatal(err)
			}
			got := map[string]bool{}
			for _, e := range errs {
				got[e.Pointer] = true
			}
			for _, p := range tt.badAt {
				if !got[p] {
					t.Errorf("bad data: no error at %s; errors: %v", p, errs)
				}
			}
		})
	}
}

func TestConvertErrors(t *testing.T) {
	const v3 = `<xdf3:xdatenfelder.stammdatenschema.0102 xmlns:xdf3="urn:xoev-de:fim:standard:xdatenfelder_3.0.0"><xdf3:stammdatenschema/></xdf3:xdatenfelder.stammdatenschema.0102>`
	tests := []struct {
		name    string
		in      string
		opts    Options
		want    error
		wantMsg string
	}{
		{"empty", "", Options{}, ErrNotXDatenfelder, "empty"},
		{"not XML", "Bewohnerparkausweis, bitte!", Options{}, ErrInvalidInput, "not XML"},
		{"text after the root", "<a/>Bewohnerparkausweis", Options{}, ErrInvalidInput, "text outside the root element"},
		{"unclosed", `<a xmlns="urn:xoev-de:fim:standard:xdatenfelder_2"><b>`, Options{}, ErrInvalidInput, "syntax error"},
		{"invalid UTF-8", "<?xml version=\"1.0\"?><a>\xff\xfe</a>", Options{}, ErrInvalidInput, "not valid UTF-8 (first bad byte at offset 24)"},
		{"other XML", `<html><body/></html>`, Options{}, ErrNotXDatenfelder, "root element is <html> in no namespace"},
		{"XDatenfelder 1", `<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_1"/>`, Options{}, ErrUnsupportedVersion, "xdatenfelder_1"},
		{"code list message", `<xdf3:xdatenfelder.codeliste.0104 xmlns:xdf3="urn:xoev-de:fim:standard:xdatenfelder_3.0.0"/>`, Options{}, ErrNotXDatenfelder, "is not a form"},
		{"schema message without schema", `<xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="urn:xoev-de:fim:standard:xdatenfelder_2"/>`, Options{}, ErrNotXDatenfelder, "no <stammdatenschema>"},
		{"entity expansion", `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><a>&lol2;</a>`, Options{}, ErrInvalidInput, "DTD"},
		{"external entity", `<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>`, Options{}, ErrInvalidInput, "DTD"},
		{"undeclared entity", `<a>&x;</a>`, Options{}, ErrInvalidInput, "entity"},
		{"too large", v3, Options{MaxBytes: 50}, ErrTooLarge, "more than 50 bytes"},
		{"too deep", strings.Repeat("<a>", maxDepth+1) + strings.Repeat("</a>", maxDepth+1), Options{}, ErrTooLarge, "nested deeper"},
		{"unknown encoding", `<?xml version="1.0" encoding="EBCDIC-US"?><a/>`, Options{}, ErrInvalidInput, "unsupported encoding"},
		{"two roots", `<a/><b/>`, Options{}, ErrInvalidInput, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, rep, err := Convert(strings.NewReader(tt.in), tt.opts)
			if !errors.Is(err, tt.want) {
				t.Fatalf("err = %v, want %v", err, tt.want)
			}
			if !strings.Contains(err.Error(), tt.wantMsg) {
				t.Errorf("err = %q, want it to mention %q", err, tt.wantMsg)
			}
			if def != nil || rep != nil {
				t.Errorf("got a definition or report with the error")
			}
		})
	}
}

// An empty schema converts, but cannot compile: the report carries the
// DefinitionError and so does the error, with no panic.
func TestConvertInvalidDefinition(t *testing.T) {
	in := `<xdf3:xdatenfelder.stammdatenschema.0102 xmlns:xdf3="urn:xoev-de:fim:standard:xdatenfelder_3.0.0"><xdf3:stammdatenschema><xdf3:identifikation><xdf3:id>S1</xdf3:id></xdf3:identifikation><xdf3:name>Leer</xdf3:name></xdf3:stammdatenschema></xdf3:xdatenfelder.stammdatenschema.0102>`
	def, rep, err := Convert(strings.NewReader(in), Options{})
	var de *formschema.DefinitionError
	if !errors.As(err, &de) {
		t.Fatalf("err = %v, want a *formschema.DefinitionError", err)
	}
	if def == nil || rep == nil {
		t.Fatal("want the definition and the report for inspection")
	}
	if !errors.As(rep.Invalid, &de) || !strings.Contains(de.Error(), "no steps") {
		t.Errorf("report.Invalid = %v, want the DefinitionError about no steps", rep.Invalid)
	}
	if !strings.Contains(rep.String(), "INVALID") {
		t.Errorf("report text does not say the definition is invalid:\n%s", rep)
	}
}
