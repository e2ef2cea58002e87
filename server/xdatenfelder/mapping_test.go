package xdatenfelder

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"rathaus/api"
)

// Hand-written snippets in the shape of real FIM exports, for both versions.

// fieldSpec describes a Datenfeld; xml renders it for a version.
type fieldSpec struct {
	id, name, label, help string
	feldart, datentyp     string
	anzahl                string // default 1:1
	minLength, maxLength  string
	minValue, maxValue    string
	pattern               string
	werte                 [][2]string // v3 only
	codeliste             string
	inhalt                string
	mediaTypes            []string // v3 only
	maxSize               string   // v3 only
	extra                 string   // raw XML appended inside the field (prefix "xdf:")
	rules                 []ruleSpec
}

type ruleSpec struct{ id, name, text string }

// groupSpec describes a Datenfeldgruppe.
type groupSpec struct {
	id, name, label, help string
	anzahl                string
	art                   string // v3 only
	children              []any  // fieldSpec or groupSpec
	rules                 []ruleSpec
}

func x(s string) string {
	r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;")
	return r.Replace(s)
}

func code(_ int, el, c string) string {
	return fmt.Sprintf("<xdf:%s><code>%s</code></xdf:%s>", el, c, el)
}

func ruleXML(v int, r ruleSpec) string {
	text := "<xdf:freitextRegel>" + x(r.text) + "</xdf:freitextRegel>"
	if v == 2 {
		text = "<xdf:definition>" + x(r.text) + "</xdf:definition>"
	}
	return fmt.Sprintf("<xdf:regel><xdf:identifikation><xdf:id>%s</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation><xdf:name>%s</xdf:name>%s%s</xdf:regel>",
		r.id, x(r.name), text, code(v, "typ", "K"))
}

func (f fieldSpec) xml(v int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<xdf:datenfeld><xdf:identifikation><xdf:id>%s</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation>", f.id)
	fmt.Fprintf(&b, "<xdf:name>%s</xdf:name><xdf:beschreibung>intern</xdf:beschreibung>", x(f.name))
	if f.label != "" {
		fmt.Fprintf(&b, "<xdf:bezeichnungEingabe>%s</xdf:bezeichnungEingabe>", x(f.label))
	}
	if f.help != "" {
		fmt.Fprintf(&b, "<xdf:hilfetextEingabe>%s</xdf:hilfetextEingabe>", x(f.help))
	}
	b.WriteString(code(v, "feldart", f.feldart))
	b.WriteString(code(v, "datentyp", f.datentyp))
	attrs := map[string]string{"minLength": f.minLength, "maxLength": f.maxLength, "minValue": f.minValue, "maxValue": f.maxValue, "pattern": f.pattern}
	keys := []string{"minLength", "maxLength", "minValue", "maxValue", "pattern"}
	if v == 3 {
		b.WriteString("<xdf:praezisierung")
		for _, k := range keys {
			if attrs[k] != "" {
				fmt.Fprintf(&b, " %s=\"%s\"", k, x(attrs[k]))
			}
		}
		b.WriteString("/>")
	} else {
		m := map[string]string{}
		for _, k := range keys {
			if attrs[k] != "" {
				m[k] = attrs[k]
			}
		}
		js := ""
		if len(m) > 0 {
			raw, _ := json.Marshal(m)
			js = string(raw)
		}
		fmt.Fprintf(&b, "<xdf:praezisierung>%s</xdf:praezisierung>", x(js))
	}
	if f.inhalt != "" {
		fmt.Fprintf(&b, "<xdf:inhalt>%s</xdf:inhalt>", x(f.inhalt))
	}
	if v == 3 {
		b.WriteString(code(v, "vorbefuellung", "keine"))
		if len(f.werte) > 0 {
			b.WriteString("<xdf:werte>")
			for _, w := range f.werte {
				fmt.Fprintf(&b, "<xdf:wert><xdf:code>%s</xdf:code><xdf:name>%s</xdf:name></xdf:wert>", x(w[0]), x(w[1]))
			}
			b.WriteString("</xdf:werte>")
		}
	}
	if f.codeliste != "" {
		if v == 3 {
			fmt.Fprintf(&b, "<xdf:codelisteReferenz><xdf:canonicalIdentification>%s</xdf:canonicalIdentification><xdf:version>1</xdf:version></xdf:codelisteReferenz>", x(f.codeliste))
		} else {
			fmt.Fprintf(&b, "<xdf:codelisteReferenz><xdf:identifikation><xdf:id>C1</xdf:id></xdf:identifikation><xdf:genericodeIdentification><xdf:canonicalIdentification>%s</xdf:canonicalIdentification><xdf:version>1</xdf:version><xdf:canonicalVersionUri>%s_1</xdf:canonicalVersionUri></xdf:genericodeIdentification></xdf:codelisteReferenz>", x(f.codeliste), x(f.codeliste))
		}
	}
	for _, r := range f.rules {
		b.WriteString(ruleXML(v, r))
	}
	if v == 3 {
		if f.maxSize != "" {
			fmt.Fprintf(&b, "<xdf:maxSize>%s</xdf:maxSize>", f.maxSize)
		}
		for _, m := range f.mediaTypes {
			fmt.Fprintf(&b, "<xdf:mediaType>%s</xdf:mediaType>", m)
		}
	}
	b.WriteString(f.extra)
	b.WriteString("</xdf:datenfeld>")
	return b.String()
}

func (g groupSpec) xml(v int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "<xdf:datenfeldgruppe><xdf:identifikation><xdf:id>%s</xdf:id><xdf:version>1.0</xdf:version></xdf:identifikation><xdf:name>%s</xdf:name>", g.id, x(g.name))
	if g.label != "" {
		fmt.Fprintf(&b, "<xdf:bezeichnungEingabe>%s</xdf:bezeichnungEingabe>", x(g.label))
	}
	if g.help != "" {
		fmt.Fprintf(&b, "<xdf:hilfetextEingabe>%s</xdf:hilfetextEingabe>", x(g.help))
	}
	if g.art != "" {
		b.WriteString(code(v, "art", g.art))
	}
	for _, r := range g.rules {
		b.WriteString(ruleXML(v, r))
	}
	for _, c := range g.children {
		b.WriteString(struktur(v, c))
	}
	b.WriteString("</xdf:datenfeldgruppe>")
	return b.String()
}

func struktur(v int, c any) string {
	var anzahl, inner string
	switch e := c.(type) {
	case fieldSpec:
		anzahl, inner = e.anzahl, e.xml(v)
	case groupSpec:
		anzahl, inner = e.anzahl, e.xml(v)
	default:
		panic("struktur of " + fmt.Sprint(c))
	}
	if anzahl == "" {
		anzahl = "1:1"
	}
	return fmt.Sprintf("<xdf:struktur><xdf:anzahl>%s</xdf:anzahl><xdf:enthaelt>%s</xdf:enthaelt></xdf:struktur>", anzahl, inner)
}

// doc renders a Stammdatenschema message holding the children.
func doc(v int, rules []ruleSpec, children ...any) string {
	ns := NamespaceV3
	title := "<xdf:bezeichnung>Testantrag</xdf:bezeichnung>"
	if v == 2 {
		ns = NamespaceV2
		title = "<xdf:bezeichnungEingabe>Testantrag</xdf:bezeichnungEingabe>"
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<?xml version="1.0" encoding="UTF-8"?><xdf:xdatenfelder.stammdatenschema.0102 xmlns:xdf="%s">`, ns)
	b.WriteString("<xdf:header><xdf:nachrichtID>t</xdf:nachrichtID></xdf:header><xdf:stammdatenschema>")
	b.WriteString("<xdf:identifikation><xdf:id>S99000001</xdf:id><xdf:version>1.2.0</xdf:version></xdf:identifikation><xdf:name>Test</xdf:name>" + title)
	for _, r := range rules {
		b.WriteString(ruleXML(v, r))
	}
	for _, c := range children {
		b.WriteString(struktur(v, c))
	}
	b.WriteString("</xdf:stammdatenschema></xdf:xdatenfelder.stammdatenschema.0102>")
	return b.String()
}

func convertString(t *testing.T, in string) (*api.Form, *Report) {
	t.Helper()
	def, rep, err := Convert(strings.NewReader(in), Options{})
	if err != nil {
		if rep != nil {
			t.Log(rep.String())
		}
		t.Fatalf("Convert: %v\n%s", err, in)
	}
	return def, rep
}

// property returns the schema of a top-level property as compact JSON.
func property(t *testing.T, def *api.Form, key string) (schema string, required bool) {
	t.Helper()
	var s struct {
		Properties map[string]json.RawMessage `json:"properties"`
		Required   []string                   `json:"required"`
	}
	if err := json.Unmarshal(def.Schema, &s); err != nil {
		t.Fatal(err)
	}
	for _, r := range s.Required {
		required = required || r == key
	}
	return string(s.Properties[key]), required
}

func findField(fs []api.Field, key string) *api.Field {
	for i := range fs {
		if fs[i].Key == key {
			return &fs[i]
		}
		if f := findField(fs[i].Fields, key); f != nil {
			return f
		}
	}
	return nil
}

func findInStep(def *api.Form, key string) *api.Field {
	for _, st := range def.Steps {
		if f := findField(st.Fields, key); f != nil {
			return f
		}
	}
	return nil
}

func TestFieldMapping(t *testing.T) {
	tests := []struct {
		name         string
		versions     []int // default: both
		f            fieldSpec
		wantKey      string
		wantWidget   api.Widget
		wantSchema   string
		wantRequired bool
		wantItems    []wantItem
		check        func(t *testing.T, f *api.Field)
	}{
		{
			name:       "text with Präzisierung",
			f:          fieldSpec{id: "F1", name: "Familienname", label: "Familienname", help: "Geben Sie Ihren Familiennamen an.", feldart: "input", datentyp: "text", minLength: "1", maxLength: "120"},
			wantKey:    "familienname",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1,"maxLength":120}`, wantRequired: true,
			wantItems: []wantItem{{Mapped, "/F1", "input text -> text (minLength 1, maxLength 120)"}},
			check: func(t *testing.T, f *api.Field) {
				if got, want := f.Help["de"], "Geben Sie Ihren Familiennamen an."; got != want {
					t.Errorf("help = %q, want %q", got, want)
				}
				if got, want := f.Label["en"], "Familienname"; got != want {
					t.Errorf("en label = %q, want the German copy %q", got, want)
				}
			},
		},
		{
			name:       "optional text, pattern anchored",
			f:          fieldSpec{id: "F2", name: "Hausnummerzusatz", feldart: "input", datentyp: "text", anzahl: "0:1", maxLength: "2", pattern: `[\p{L}0-9. ]*`},
			wantKey:    "hausnummerzusatz",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","maxLength":2,"pattern":"^(?:[\\p{L}0-9. ]*)$"}`,
		},
		{
			name:       "pattern the validator cannot read",
			f:          fieldSpec{id: "F3", name: "Kennung", feldart: "input", datentyp: "text", pattern: `(?<=a)b`},
			wantKey:    "kennung",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1}`, wantRequired: true,
			wantItems: []wantItem{{NotMapped, "/F3", "pattern (?<=a)b"}},
		},
		{
			name:       "long text is a textarea",
			f:          fieldSpec{id: "F4", name: "Begründung", feldart: "input", datentyp: "text", maxLength: "2000"},
			wantKey:    "begruendung",
			wantWidget: api.WidgetTextarea, wantSchema: `{"type":"string","minLength":1,"maxLength":2000}`, wantRequired: true,
		},
		{
			name:       "text_latin",
			f:          fieldSpec{id: "F5", name: "Ort", feldart: "input", datentyp: "text_latin", maxLength: "50"},
			versions:   []int{3},
			wantKey:    "ort",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1,"maxLength":50}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F5", "String.Latin+"}},
		},
		{
			name:       "e-mail by name",
			f:          fieldSpec{id: "F6", name: "E-Mail", feldart: "input", datentyp: "text", anzahl: "0:1"},
			wantKey:    "e_mail",
			wantWidget: api.WidgetEmail, wantSchema: `{"type":"string","format":"email"}`,
		},
		{
			name:       "phone by name",
			f:          fieldSpec{id: "F7", name: "Telefonnummer", feldart: "input", datentyp: "text", maxLength: "23"},
			wantKey:    "telefonnummer",
			wantWidget: api.WidgetPhone, wantSchema: `{"type":"string","minLength":1,"maxLength":23}`, wantRequired: true,
		},
		{
			name:       "postcode by name gets five digits",
			f:          fieldSpec{id: "F8", name: "Postleitzahl", feldart: "input", datentyp: "text"},
			wantKey:    "postleitzahl",
			wantWidget: api.WidgetPostcode, wantSchema: `{"type":"string","minLength":1,"pattern":"^[0-9]{5}$"}`, wantRequired: true,
		},
		{
			name:       "IBAN by name",
			f:          fieldSpec{id: "F9", name: "IBAN", feldart: "input", datentyp: "text", maxLength: "34"},
			wantKey:    "iban",
			wantWidget: api.WidgetIBAN, wantSchema: `{"type":"string","format":"iban","minLength":1,"maxLength":34}`, wantRequired: true,
		},
		{
			name:       "date",
			f:          fieldSpec{id: "F10", name: "Geburtsdatum", feldart: "input", datentyp: "date"},
			wantKey:    "geburtsdatum",
			wantWidget: api.WidgetDate, wantSchema: `{"type":"string","format":"date"}`, wantRequired: true,
		},
		{
			name:       "date range is reported",
			f:          fieldSpec{id: "F11", name: "Termin", feldart: "input", datentyp: "date", minValue: "2020-01-01"},
			wantKey:    "termin",
			wantWidget: api.WidgetDate, wantSchema: `{"type":"string","format":"date"}`, wantRequired: true,
			wantItems: []wantItem{{NotMapped, "/F11", "date range 2020-01-01.."}},
		},
		{
			name:       "time",
			f:          fieldSpec{id: "F12", name: "Uhrzeit", feldart: "input", datentyp: "time"},
			wantKey:    "uhrzeit",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","pattern":"^([01][0-9]|2[0-3]):[0-5][0-9]$"}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F12", "no time picker"}},
		},
		{
			name:       "datetime",
			f:          fieldSpec{id: "F13", name: "Zeitpunkt", feldart: "input", datentyp: "datetime", anzahl: "0:1"},
			wantKey:    "zeitpunkt",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","format":"date-time"}`,
			wantItems: []wantItem{{Approximated, "/F13", "Datentyp datetime"}},
		},
		{
			name:       "bool",
			f:          fieldSpec{id: "F14", name: "Zustimmung", feldart: "input", datentyp: "bool"},
			wantKey:    "zustimmung",
			wantWidget: api.WidgetBoolean, wantSchema: `{"type":"boolean"}`, wantRequired: true,
		},
		{
			name:       "integer with bounds",
			f:          fieldSpec{id: "F15", name: "Anzahl Hunde", feldart: "input", datentyp: "num_int", minValue: "1", maxValue: "20"},
			wantKey:    "anzahl_hunde",
			wantWidget: api.WidgetInteger, wantSchema: `{"type":"integer","minimum":1,"maximum":20}`, wantRequired: true,
		},
		{
			name:       "decimal with decimal comma",
			f:          fieldSpec{id: "F16", name: "Fläche", feldart: "input", datentyp: "num", minValue: "0,5"},
			wantKey:    "flaeche",
			wantWidget: api.WidgetDecimal, wantSchema: `{"type":"number","minimum":0.5}`, wantRequired: true,
		},
		{
			name:       "money",
			f:          fieldSpec{id: "F17", name: "Betrag", feldart: "input", datentyp: "num_currency", maxValue: "abc"},
			wantKey:    "betrag",
			wantWidget: api.WidgetMoney, wantSchema: `{"type":"number","multipleOf":0.01}`, wantRequired: true,
			wantItems: []wantItem{{NotMapped, "/F17", `maximum "abc"`}},
		},
		{
			name:       "file (v2)",
			versions:   []int{2},
			f:          fieldSpec{id: "F18", name: "Nachweis", feldart: "input", datentyp: "file"},
			wantKey:    "nachweis",
			wantWidget: api.WidgetFile, wantSchema: `{"type":"object","format":"attachment"}`, wantRequired: true,
		},
		{
			name:       "file with media types and size (v3)",
			versions:   []int{3},
			f:          fieldSpec{id: "F19", name: "Nachweis", feldart: "input", datentyp: "file", mediaTypes: []string{"application/pdf", "image/jpeg"}, maxSize: "99999999"},
			wantKey:    "nachweis",
			wantWidget: api.WidgetFile, wantSchema: `{"type":"object","format":"attachment"}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F19", "capped at the backend's limit"}},
			check: func(t *testing.T, f *api.Field) {
				if got, want := strings.Join(f.Accept, ","), "application/pdf,image/jpeg"; got != want {
					t.Errorf("accept = %s, want %s", got, want)
				}
				if got, want := f.MaxSize, int64(api.MaxUploadSize); got != want {
					t.Errorf("maxSize = %d, want %d", got, want)
				}
			},
		},
		{
			name:       "select with inline values (v3)",
			versions:   []int{3},
			f:          fieldSpec{id: "F20", name: "Art der Mitteilung", feldart: "select", datentyp: "text", werte: [][2]string{{"001", "Bestellung"}, {"002", "Erlöschen"}}},
			wantKey:    "art_der_mitteilung",
			wantWidget: api.WidgetChoice, wantSchema: `{"type":"string","enum":["001","002"]}`, wantRequired: true,
			check: func(t *testing.T, f *api.Field) {
				if len(f.Options) != 2 || f.Options[1].Value != "002" || f.Options[1].Label["de"] != "Erlöschen" {
					t.Errorf("options = %+v", f.Options)
				}
			},
		},
		{
			name:       "select with several choices (v3)",
			versions:   []int{3},
			f:          fieldSpec{id: "F21", name: "Sprachen", feldart: "select", datentyp: "text", anzahl: "0:3", werte: [][2]string{{"de", "Deutsch"}, {"en", "Englisch"}, {"tr", "Türkisch"}}},
			wantKey:    "sprachen",
			wantWidget: api.WidgetMulti, wantSchema: `{"type":"array","items":{"type":"string","enum":["de","en","tr"]},"uniqueItems":true,"maxItems":3}`,
		},
		{
			name:       "select with a code list reference only",
			f:          fieldSpec{id: "F22", name: "Staat", feldart: "select", datentyp: "text", codeliste: "urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat"},
			wantKey:    "staat",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F22", "code list urn:de:bund:destatis:bevoelkerungsstatistik:schluessel:staat"}},
		},
		{
			name:       "static text",
			f:          fieldSpec{id: "F23", name: "Hinweis", label: "Hinweis", feldart: "label", datentyp: "text", inhalt: "Bitte halten Sie Ihren Ausweis bereit."},
			wantWidget: api.WidgetInfo,
			check: func(t *testing.T, f *api.Field) {
				if got, want := f.Label["de"], "Bitte halten Sie Ihren Ausweis bereit."; got != want {
					t.Errorf("info text = %q, want %q", got, want)
				}
			},
		},
		{
			name:      "hidden field is not mapped",
			versions:  []int{3},
			f:         fieldSpec{id: "F24", name: "Vorgangsnummer", feldart: "hidden", datentyp: "text"},
			wantItems: []wantItem{{NotMapped, "/F24", "filled by the authority"}},
		},
		{
			name:       "Datentyp obj",
			f:          fieldSpec{id: "F25", name: "Daten", feldart: "input", datentyp: "obj"},
			wantKey:    "daten",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F25", "Objekt/Blob"}},
		},
		{
			name:       "unknown Datentyp",
			f:          fieldSpec{id: "F26", name: "Farbe", feldart: "input", datentyp: "color", anzahl: "0:1"},
			wantKey:    "farbe",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string"}`,
			wantItems: []wantItem{{Approximated, "/F26", `unknown Datentyp "color"`}},
		},
		{
			name:       "unknown element",
			f:          fieldSpec{id: "F27", name: "Name", feldart: "input", datentyp: "text", anzahl: "0:1", extra: "<xdf:farbe>rot</xdf:farbe>"},
			wantKey:    "name",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string"}`,
			wantItems: []wantItem{{NotMapped, "/F27", "unknown element <farbe>"}},
		},
		{
			name:       "field with Anzahl 1:* is a repeat of it",
			f:          fieldSpec{id: "F28", name: "Vorname", feldart: "input", datentyp: "text", anzahl: "1:*", maxLength: "80"},
			wantKey:    "vorname",
			wantWidget: api.WidgetRepeat, wantSchema: `{"type":"array","items":{"type":"object","properties":{"vorname":{"type":"string","minLength":1,"maxLength":80}},"required":["vorname"],"additionalProperties":false},"minItems":1}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F28", "repeat of one field"}},
		},
		{
			name:       "preset content becomes the default",
			f:          fieldSpec{id: "F29", name: "Land", feldart: "input", datentyp: "text", inhalt: "Deutschland"},
			wantKey:    "land",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1,"default":"Deutschland"}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F29", "preset content"}},
		},
		{
			name:       "minLength above maxLength",
			f:          fieldSpec{id: "F30", name: "Kürzel", feldart: "input", datentyp: "text", minLength: "5", maxLength: "2"},
			wantKey:    "kuerzel",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1,"maxLength":2}`, wantRequired: true,
			wantItems: []wantItem{{NotMapped, "/F30", "minLength 5 above maxLength 2"}},
		},
		{
			name:       "no label, name or id",
			f:          fieldSpec{feldart: "input", datentyp: "text", anzahl: "0:1"},
			wantKey:    "feld",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string"}`,
			wantItems: []wantItem{{Approximated, "(no id)", "labelled (ohne Bezeichnung)"}},
			check: func(t *testing.T, f *api.Field) {
				if got, want := f.Label["de"], "(ohne Bezeichnung)"; got != want {
					t.Errorf("label = %q, want %q", got, want)
				}
			},
		},
		{
			name:       "unreadable Anzahl",
			f:          fieldSpec{id: "F31", name: "Bemerkung", feldart: "input", datentyp: "text", anzahl: "viele"},
			wantKey:    "bemerkung",
			wantWidget: api.WidgetText, wantSchema: `{"type":"string","minLength":1}`, wantRequired: true,
			wantItems: []wantItem{{Approximated, "/F31", `Anzahl "viele" not understood`}},
		},
	}
	for _, tt := range tests {
		versions := tt.versions
		if versions == nil {
			versions = []int{2, 3}
		}
		for _, v := range versions {
			t.Run(fmt.Sprintf("%s/v%d", tt.name, v), func(t *testing.T) {
				// A second field keeps the step non-empty when the first is
				// not mapped.
				other := fieldSpec{id: "F99", name: "Zweck", feldart: "input", datentyp: "text", anzahl: "0:1"}
				def, rep := convertString(t, doc(v, nil, tt.f, other))
				for _, w := range tt.wantItems {
					if !hasItem(rep, w.kind, w.path, w.what) {
						t.Errorf("report has no %s item at …%s mentioning %q:\n%s", w.kind, w.path, w.what, rep)
					}
				}
				if tt.wantWidget == "" {
					return
				}
				var f *api.Field
				if tt.wantWidget == api.WidgetInfo {
					f = &def.Steps[0].Fields[0]
				} else {
					f = findInStep(def, tt.wantKey)
				}
				if f == nil {
					t.Fatalf("no field %q in %+v", tt.wantKey, def.Steps)
				}
				if got, want := f.Widget, tt.wantWidget; got != want {
					t.Errorf("widget = %s, want %s", got, want)
				}
				if tt.wantKey != "" {
					gotSchema, gotRequired := property(t, def, tt.wantKey)
					if got, want := gotSchema, tt.wantSchema; got != want {
						t.Errorf("schema =\n %s\nwant\n %s", got, want)
					}
					if got, want := gotRequired, tt.wantRequired; got != want {
						t.Errorf("required = %v, want %v", got, want)
					}
				}
				if tt.check != nil {
					tt.check(t, f)
				}
			})
		}
	}
}

func TestStructureMapping(t *testing.T) {
	name := func(id, n string) fieldSpec {
		return fieldSpec{id: id, name: n, feldart: "input", datentyp: "text", maxLength: "50"}
	}
	tests := []struct {
		name      string
		versions  []int
		children  []any
		rules     []ruleSpec
		wantSteps string // "id:field,field id:field"
		wantProps string // top-level properties in order
		wantReq   string // top-level required
		wantItems []wantItem
		check     func(t *testing.T, def *api.Form)
	}{
		{
			name:      "loose fields form the first step",
			children:  []any{name("F1", "Vorname"), name("F2", "Familienname")},
			wantSteps: "allgemein:vorname,familienname",
			wantProps: "vorname familienname",
			wantReq:   "vorname familienname",
		},
		{
			name: "a 1:1 top-level group is a step of its fields",
			children: []any{
				name("F1", "Aktenzeichen"),
				groupSpec{id: "G1", name: "Antragsteller", label: "Angaben zu Ihnen", children: []any{name("F2", "Vorname"), name("F3", "Familienname")}},
			},
			wantSteps: "allgemein:aktenzeichen antragsteller:vorname,familienname",
			wantProps: "aktenzeichen vorname familienname",
			wantReq:   "aktenzeichen vorname familienname",
			check: func(t *testing.T, def *api.Form) {
				if got, want := def.Steps[1].Title["de"], "Angaben zu Ihnen"; got != want {
					t.Errorf("step title = %q, want %q", got, want)
				}
			},
		},
		{
			name: "keys stay unique across flattened steps",
			children: []any{
				groupSpec{id: "G1", name: "Antragsteller", children: []any{name("F1", "Name")}},
				groupSpec{id: "G2", name: "Vertreter", children: []any{name("F1", "Name")}},
			},
			wantSteps: "antragsteller:name vertreter:name_2",
			wantProps: "name name_2",
			wantReq:   "name name_2",
		},
		{
			name: "an optional top-level group is a step holding the group",
			children: []any{
				groupSpec{id: "G1", name: "Bevollmächtigter", anzahl: "0:1", children: []any{name("F1", "Name")}},
			},
			wantSteps: "bevollmaechtigter:bevollmaechtigter",
			wantProps: "bevollmaechtigter",
			wantReq:   "",
			wantItems: []wantItem{{Mapped, "/G1", "group \"Bevollmächtigter\" (Anzahl 0:1) -> group"}},
			check: func(t *testing.T, def *api.Form) {
				got, _ := property(t, def, "bevollmaechtigter")
				if want := `{"type":"object","properties":{"name":{"type":"string","minLength":1,"maxLength":50}},"required":["name"],"additionalProperties":false}`; got != want {
					t.Errorf("schema = %s, want %s", got, want)
				}
			},
		},
		{
			name: "a repeated group is a repeat with bounds",
			children: []any{
				groupSpec{id: "G1", name: "Haushaltsmitglied", anzahl: "1:5", children: []any{name("F1", "Vorname"), groupSpec{id: "G2", name: "Geburt", children: []any{fieldSpec{id: "F2", name: "Geburtsdatum", feldart: "input", datentyp: "date"}}}}},
			},
			wantSteps: "haushaltsmitglied:haushaltsmitglied",
			wantProps: "haushaltsmitglied",
			wantReq:   "haushaltsmitglied",
			wantItems: []wantItem{{Mapped, "/G1", "repeat (1 to 5 items)"}},
			check: func(t *testing.T, def *api.Form) {
				got, _ := property(t, def, "haushaltsmitglied")
				want := `{"type":"array","items":{"type":"object","properties":{"vorname":{"type":"string","minLength":1,"maxLength":50},"geburt":{"type":"object","properties":{"geburtsdatum":{"type":"string","format":"date"}},"required":["geburtsdatum"],"additionalProperties":false}},"required":["vorname","geburt"],"additionalProperties":false},"minItems":1,"maxItems":5}`
				if got != want {
					t.Errorf("schema =\n %s\nwant\n %s", got, want)
				}
				f := findInStep(def, "haushaltsmitglied")
				if f.Widget != api.WidgetRepeat || len(f.Fields) != 2 || f.Fields[1].Widget != api.WidgetGroup || f.Fields[1].Fields[0].Key != "geburtsdatum" {
					t.Errorf("layout = %+v", f)
				}
			},
		},
		{
			name:     "Auswahlgruppe requires one of its fields (v3)",
			versions: []int{3},
			children: []any{
				groupSpec{id: "G1", name: "Erreichbarkeit", anzahl: "1:1", art: "X", children: []any{
					fieldSpec{id: "F1", name: "Telefon", feldart: "input", datentyp: "text", anzahl: "0:1"},
					fieldSpec{id: "F2", name: "E-Mail", feldart: "input", datentyp: "text", anzahl: "0:1"},
				}},
			},
			wantSteps: "erreichbarkeit:erreichbarkeit",
			wantProps: "erreichbarkeit",
			wantReq:   "erreichbarkeit",
			wantItems: []wantItem{{Approximated, "/G1", "exactly one"}},
			check: func(t *testing.T, def *api.Form) {
				got, _ := property(t, def, "erreichbarkeit")
				if !strings.Contains(got, `"allOf":[{"oneOf":[{"required":["telefon"]},{"required":["e_mail"]}]}]`) {
					t.Errorf("schema = %s, want a oneOf of the two", got)
				}
			},
		},
		{
			name: "a group whose fields are all unmapped is dropped",
			children: []any{
				name("F1", "Zweck"),
				groupSpec{id: "G1", name: "Intern", anzahl: "0:1", children: []any{fieldSpec{id: "F2", name: "Kennung", feldart: "hidden", datentyp: "text"}}},
			},
			versions:  []int{3},
			wantSteps: "allgemein:zweck",
			wantProps: "zweck",
			wantReq:   "zweck",
			wantItems: []wantItem{{NotMapped, "/G1", "no field that could be mapped"}},
		},
		{
			name: "yes/no rule shows a step and makes its fields required only then",
			children: []any{
				fieldSpec{id: "F1", name: "Abweichende Anschrift", feldart: "input", datentyp: "bool"},
				groupSpec{id: "G1", name: "Zustellanschrift", children: []any{name("F2", "Strasse"), fieldSpec{id: "F3", name: "Zusatz", feldart: "input", datentyp: "text", anzahl: "0:1"}}},
			},
			rules:     []ruleSpec{{"R1", "Regel", "WENN Datenfeld F1 \"Abweichende Anschrift\" = JA, DANN aktiviere Datenfeldgruppe G1 \"Zustellanschrift\".\n\nWENN Datenfeld F1 \"Abweichende Anschrift\" = NEIN, DANN deaktiviere Datenfeldgruppe G1 \"Zustellanschrift\"."}},
			wantSteps: "allgemein:abweichende_anschrift zustellanschrift:strasse,zusatz",
			wantProps: "abweichende_anschrift strasse zusatz",
			wantReq:   "abweichende_anschrift",
			wantItems: []wantItem{{Mapped, "/R1", "shown when /abweichende_anschrift = true; 1 required field(s) required only then"}},
			check: func(t *testing.T, def *api.Form) {
				sw := def.Steps[1].ShowWhen
				if sw == nil || sw.Field != "/abweichende_anschrift" || sw.Equals != true {
					t.Errorf("showWhen = %+v", sw)
				}
				if !strings.Contains(string(def.Schema), `"allOf":[{"if":{"properties":{"abweichende_anschrift":{"const":true}},"required":["abweichende_anschrift"]},"then":{"required":["strasse"]}}]`) {
					t.Errorf("schema has no if/then: %s", def.Schema)
				}
			},
		},
		{
			name:     "choice rule shows a sibling field for other values",
			versions: []int{3},
			children: []any{
				groupSpec{id: "G1", name: "Meldung", anzahl: "1:*", children: []any{
					fieldSpec{id: "F1", name: "Art", feldart: "select", datentyp: "text", werte: [][2]string{{"001", "Bestellung"}, {"002", "Erlöschen"}, {"003", "Änderung"}}},
					fieldSpec{id: "F2", name: "Datum der Erlöschung", feldart: "input", datentyp: "date"},
				}, rules: []ruleSpec{{"R1", "Regel", "WENN Datenfeld F1 'Art' = 001 'Bestellung', DANN deaktiviere das Datenfeld F2 'Datum der Erlöschung'."}}},
			},
			wantSteps: "meldung:meldung",
			wantItems: []wantItem{{Mapped, "/R1", "shown when art in [002, 003]"}},
			check: func(t *testing.T, def *api.Form) {
				f := findInStep(def, "datum_der_erloeschung")
				if f == nil || f.ShowWhen == nil || f.ShowWhen.Field != "art" || len(f.ShowWhen.In) != 2 {
					t.Fatalf("field = %+v", f)
				}
				got, _ := property(t, def, "meldung")
				if !strings.Contains(got, `"required":["art"],"additionalProperties":false,"allOf":[{"if":{"properties":{"art":{"enum":["002","003"]}},"required":["art"]},"then":{"required":["datum_der_erloeschung"]}}]`) {
					t.Errorf("item schema = %s", got)
				}
			},
		},
		{
			name: "a rule that is not an activation is reported with its text",
			children: []any{
				fieldSpec{id: "F1", name: "Geburtsdatum", feldart: "input", datentyp: "date"},
			},
			rules:     []ruleSpec{{"R1", "Volljährigkeit", "Die antragstellende Person muss volljährig sein."}},
			wantSteps: "allgemein:geburtsdatum",
			wantItems: []wantItem{{NotMapped, "/R1", "muss volljährig sein"}},
		},
		{
			name: "a rule naming an unknown field is reported",
			children: []any{
				fieldSpec{id: "F1", name: "Hund", feldart: "input", datentyp: "bool"},
			},
			rules:     []ruleSpec{{"R1", "Regel", "WENN Datenfeld F7 = JA, DANN aktiviere Datenfeld F1."}},
			wantSteps: "allgemein:hund",
			wantItems: []wantItem{{NotMapped, "/R1", "F7 is not in the form"}},
		},
	}
	for _, tt := range tests {
		versions := tt.versions
		if versions == nil {
			versions = []int{2, 3}
		}
		for _, v := range versions {
			t.Run(fmt.Sprintf("%s/v%d", tt.name, v), func(t *testing.T) {
				def, rep := convertString(t, doc(v, tt.rules, tt.children...))
				var steps []string
				for _, st := range def.Steps {
					var keys []string
					for _, f := range st.Fields {
						keys = append(keys, f.Key)
					}
					steps = append(steps, st.ID+":"+strings.Join(keys, ","))
				}
				if got, want := strings.Join(steps, " "), tt.wantSteps; got != want {
					t.Errorf("steps = %s, want %s", got, want)
				}
				var s struct {
					Properties omapKeys `json:"properties"`
					Required   []string `json:"required"`
				}
				if err := json.Unmarshal(def.Schema, &s); err != nil {
					t.Fatal(err)
				}
				if tt.wantProps != "" {
					if got, want := strings.Join(s.Properties, " "), tt.wantProps; got != want {
						t.Errorf("properties = %s, want %s", got, want)
					}
					if got, want := strings.Join(s.Required, " "), tt.wantReq; got != want {
						t.Errorf("required = %s, want %s", got, want)
					}
				}
				for _, w := range tt.wantItems {
					if !hasItem(rep, w.kind, w.path, w.what) {
						t.Errorf("report has no %s item at …%s mentioning %q:\n%s", w.kind, w.path, w.what, rep)
					}
				}
				if tt.check != nil {
					tt.check(t, def)
				}
			})
		}
	}
}

// omapKeys decodes a JSON object's keys in order.
type omapKeys []string

func (k *omapKeys) UnmarshalJSON(b []byte) error {
	dec := json.NewDecoder(strings.NewReader(string(b)))
	if _, err := dec.Token(); err != nil {
		return err
	}
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return err
		}
		*k = append(*k, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return err
		}
	}
	return nil
}

func TestMetadata(t *testing.T) {
	f := fieldSpec{id: "F1", name: "Name", feldart: "input", datentyp: "text"}
	tests := []struct {
		name        string
		in          string
		opts        Options
		wantID      string
		wantVersion int
		wantTitle   string
		wantItems   []wantItem
	}{
		{
			name: "v3 id and version", in: doc(3, nil, f),
			wantID: "s99000001", wantVersion: 10200, wantTitle: "Testantrag",
			wantItems: []wantItem{{Mapped, "S99000001", "version 1.2.0 -> form version 10200"}, {Translate, "S99000001", "German only"}},
		},
		{
			name: "v2 title from bezeichnungEingabe", in: doc(2, nil, f),
			wantID: "s99000001", wantVersion: 10200, wantTitle: "Testantrag",
		},
		{
			name: "given id and version", in: doc(3, nil, f), opts: Options{ID: "hundesteuer", Version: 3},
			wantID: "hundesteuer", wantVersion: 3, wantTitle: "Testantrag",
		},
		{
			name: "odd id and missing version",
			in: strings.Replace(strings.Replace(doc(3, nil, f), "<xdf:id>S99000001</xdf:id><xdf:version>1.2.0</xdf:version>",
				"<xdf:id> S99_000 001/ä </xdf:id>", 1), "<xdf:bezeichnung>Testantrag</xdf:bezeichnung>", "", 1),
			wantID: "s99-000-001", wantVersion: 1, wantTitle: "Test",
			wantItems: []wantItem{{Approximated, "S99_000 001/ä", "no version: version 1"}},
		},
		{
			name: "Datenfeldgruppe message",
			in: `<xdf:xdatenfelder.datenfeldgruppe.0103 xmlns:xdf="` + NamespaceV3 + `">` +
				groupSpec{id: "G60000000088", name: "Anschrift Inland", label: "Anschrift in Deutschland", children: []any{f}}.xml(3) +
				`</xdf:xdatenfelder.datenfeldgruppe.0103>`,
			wantID: "g60000000088", wantVersion: 10000, wantTitle: "Anschrift in Deutschland",
		},
		{
			name:   "unknown schema element",
			in:     strings.Replace(doc(3, nil, f), "<xdf:name>Test</xdf:name>", "<xdf:name>Test</xdf:name><xdf:erweiterung/>", 1),
			wantID: "s99000001", wantVersion: 10200, wantTitle: "Testantrag",
			wantItems: []wantItem{{NotMapped, "S99000001", "unknown element <erweiterung>"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			def, rep, err := Convert(strings.NewReader(tt.in), tt.opts)
			if err != nil {
				t.Fatalf("Convert: %v", err)
			}
			if got, want := def.ID, tt.wantID; got != want {
				t.Errorf("ID = %q, want %q", got, want)
			}
			if got, want := def.Version, tt.wantVersion; got != want {
				t.Errorf("Version = %d, want %d", got, want)
			}
			if got, want := def.Title["de"], tt.wantTitle; got != want {
				t.Errorf("title = %q, want %q", got, want)
			}
			if got, want := def.Title["en"], tt.wantTitle; got != want {
				t.Errorf("en title = %q, want the German copy %q", got, want)
			}
			for _, w := range tt.wantItems {
				if !hasItem(rep, w.kind, w.path, w.what) {
					t.Errorf("report has no %s item at …%s mentioning %q:\n%s", w.kind, w.path, w.what, rep)
				}
			}
		})
	}
}

func TestFormVersion(t *testing.T) {
	tests := []struct {
		in       string
		want     int
		wantNote bool
	}{
		{"1.0", 10000, false},
		{"1.2.0", 10200, false},
		{"2.1", 20100, false},
		{"1.2.3", 10203, false},
		{"3", 30000, false},
		{"", 1, true},
		{"0.0.0", 1, true},
		{"0.0.1", 1, false},
		{"1.234", 19900, true},
		{"v1", 1, true},
		{"1.2.3.4", 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, note := formVersion(tt.in)
			if got != tt.want {
				t.Errorf("formVersion(%q) = %d, want %d", tt.in, got, tt.want)
			}
			if (note != "") != tt.wantNote {
				t.Errorf("note = %q, want a note: %v", note, tt.wantNote)
			}
		})
	}
}

func TestTexts(t *testing.T) {
	tests := []struct {
		name, fn, in, want string
	}{
		{"label collapses", "label", "  Einwilligung zum Abgleich\n          ", "Einwilligung zum Abgleich"},
		{"v2 wrapped help", "help", "Geben Sie bitte die\n                  Vorwahl an.\r\n                  \r\n                  Oder nicht.\n                ", "Geben Sie bitte die Vorwahl an.\n\nOder nicht."},
		{"v3 line break", "help", "Erste Zeile.\nZweite Zeile.", "Erste Zeile.\nZweite Zeile."},
		{"slug", "slug", "Angaben zur Fahrzeughalterin, zum Fahrzeughalter", "angaben_zur_fahrzeughalterin_zum_fahrzeughalter"},
		{"slug umlauts", "slug", "Größe (m²) à la carte", "groesse_m_a_la_carte"},
		{"slug cut at a word", "slug", "Einwilligungserklärungstext Verarbeitung personenbezogener Daten", "einwilligungserklaerungstext_verarbeitung"},
		{"form id", "id", "F00-4cb0dd14-629c-4661-9435-4e9eadc43e07", "f00-4cb0dd14-629c-4661-9435-4e9eadc43e07"},
		{"form id bounded", "id", strings.Repeat("A", 70), strings.Repeat("a", 64)},
	}
	for _, tt := range tests {
		t.Run(tt.name+"/"+tt.fn, func(t *testing.T) {
			var got string
			switch tt.fn {
			case "label":
				got = label(tt.in)
			case "help":
				got = helpText(tt.in)
			case "slug":
				got = slug(tt.in, keyMax, '_')
			case "id":
				got = formID(tt.in)
			}
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
