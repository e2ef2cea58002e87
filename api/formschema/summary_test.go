package formschema_test

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

// entry is the part of a SummaryEntry a case expects.
type entry struct {
	pointer     string
	step, depth int
	label, text string
}

func entries(sum []formschema.SummaryEntry) []entry {
	out := make([]entry, len(sum))
	for i, e := range sum {
		out[i] = entry{e.Pointer, e.Step, e.Depth, e.Label, e.Text}
	}
	return out
}

func TestSummary(t *testing.T) {
	f := nestedForm(t)
	tests := []struct {
		name string
		lang string
		data map[string]any
		want []entry
	}{
		{
			name: "German",
			lang: "de",
			data: validNested(),
			want: []entry{
				{"/amount", 0, 0, "Betrag", "12,50 €"},
				{"/topics", 0, 0, "Themen", "Abfall, Chor"},
				{"/iban", 0, 0, "IBAN", "DE89 3704 0044 0532 0130 00"},
				{"/home", 0, 0, "Anschrift", "Lindenallee 42, 51147 Musterstadt"},
				{"/applicant", 0, 0, "Antragsteller", ""},
				{"/applicant/name", 0, 1, "Name", "Erika"},
				{"/applicant/contact", 0, 1, "Kontakt", ""},
				{"/applicant/contact/email", 0, 2, "E-Mail", "erika@example.org"},
				{"/applicant/contact/phone", 0, 2, "Telefon", "0621 123456"},
				{"/kids", 1, 0, "Kinder", ""},
				{"/kids/0", 1, 1, "Eintrag 1", ""},
				{"/kids/0/name", 1, 2, "Name", "Max"},
				{"/kids/0/age", 1, 2, "Alter", "4"},
				{"/kids/0/stage", 1, 2, "Betreuung", "Kita"},
				{"/kids/1", 1, 1, "Eintrag 2", ""},
				{"/kids/1/name", 1, 2, "Name", "Mia"},
				{"/kids/1/age", 1, 2, "Alter", "8"},
				{"/kids/1/stage", 1, 2, "Betreuung", "Schule"},
				{"/kids/1/school", 1, 2, "Schule", "Grundschule Süd"},
				{"/doc", 1, 0, "Nachweis", "Nachweis.pdf (123 KB)"},
				{"/pic", 1, 0, "Foto", "IMG_1.jpg (2,4 MB)"},
				{"/abroad", 2, 0, "Aus dem Ausland", "Nein"},
				{"/sig", 2, 0, "Unterschrift", "unterschrieben"},
			},
		},
		{
			name: "English",
			lang: "en",
			data: validNested(),
			want: []entry{
				{"/amount", 0, 0, "Amount", "€12.50"},
				{"/topics", 0, 0, "Topics", "Waste, Choir"},
				{"/iban", 0, 0, "IBAN", "DE89 3704 0044 0532 0130 00"},
				{"/home", 0, 0, "Address", "Lindenallee 42, 51147 Musterstadt"},
				{"/applicant", 0, 0, "Applicant", ""},
				{"/applicant/name", 0, 1, "Name", "Erika"},
				{"/applicant/contact", 0, 1, "Contact", ""},
				{"/applicant/contact/email", 0, 2, "E-mail", "erika@example.org"},
				{"/applicant/contact/phone", 0, 2, "Phone", "0621 123456"},
				{"/kids", 1, 0, "Children", ""},
				{"/kids/0", 1, 1, "Entry 1", ""},
				{"/kids/0/name", 1, 2, "Name", "Max"},
				{"/kids/0/age", 1, 2, "Age", "4"},
				{"/kids/0/stage", 1, 2, "Care", "Daycare"},
				{"/kids/1", 1, 1, "Entry 2", ""},
				{"/kids/1/name", 1, 2, "Name", "Mia"},
				{"/kids/1/age", 1, 2, "Age", "8"},
				{"/kids/1/stage", 1, 2, "Care", "School"},
				{"/kids/1/school", 1, 2, "School", "Grundschule Süd"},
				{"/doc", 1, 0, "Proof", "Nachweis.pdf (123 KB)"},
				{"/pic", 1, 0, "Photo", "IMG_1.jpg (2.4 MB)"},
				{"/abroad", 2, 0, "From abroad", "No"},
				{"/sig", 2, 0, "Signature", "signed"},
			},
		},
		{
			name: "hidden values are left out, a conditional step comes in",
			lang: "en",
			data: func() map[string]any {
				d := decode(`{"amount": 1234.5, "abroad": true, "country": "Polen", "iban": "GB82WEST12345698765432",
				  "kids": [{"name": "Max", "age": 4, "stage": "kita", "school": "hidden"}],
				  "applicant": {"contact": {}}, "unknown": "x"}`)
				return d
			}(),
			want: []entry{
				{"/amount", 0, 0, "Amount", "€1,234.50"},
				{"/iban", 0, 0, "IBAN", "GB82 WEST 1234 5698 7654 32"},
				{"/kids", 1, 0, "Children", ""},
				{"/kids/0", 1, 1, "Entry 1", ""},
				{"/kids/0/name", 1, 2, "Name", "Max"},
				{"/kids/0/age", 1, 2, "Age", "4"},
				{"/kids/0/stage", 1, 2, "Care", "Daycare"},
				{"/abroad", 2, 0, "From abroad", "Yes"},
				{"/country", 3, 0, "Country", "Polen"},
			},
		},
		{
			name: "an empty repeat says so, empty values are left out",
			lang: "de",
			data: decode(`{"kids": [], "topics": [], "iban": "", "doc": {}, "abroad": false}`),
			want: []entry{
				{"/kids", 1, 0, "Kinder", "keine Einträge"},
				{"/abroad", 2, 0, "Aus dem Ausland", "Nein"},
			},
		},
		{
			name: "another language falls back to German",
			lang: "fr",
			data: decode(`{"amount": 7, "abroad": true}`),
			want: []entry{
				{"/amount", 0, 0, "Betrag", "7,00 €"},
				{"/abroad", 2, 0, "Aus dem Ausland", "Ja"},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sum := f.Summary(tt.data, tt.lang)
			if got := entries(sum); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("Summary(%s) =\n%s\nwant\n%s", tt.lang, show(got), show(tt.want))
			}
			for _, e := range sum {
				if e.Field == nil || e.Field != f.FieldAt(e.Pointer) {
					t.Errorf("entry %s: Field = %v, want FieldAt(%s)", e.Pointer, e.Field, e.Pointer)
				}
			}
		})
	}
	if got := f.Summary(nil, "de"); got != nil {
		t.Errorf("Summary(nil) = %v, want nil", got)
	}
}

func show(es []entry) string {
	var b strings.Builder
	for _, e := range es {
		fmt.Fprintf(&b, "  %q step %d depth %d %q: %q\n", e.pointer, e.step, e.depth, e.label, e.text)
	}
	return b.String()
}

func TestFormatValue(t *testing.T) {
	w := func(widget api.Widget) *api.Field {
		return &api.Field{Widget: widget, Options: []api.Option{
			{Value: "a", Label: api.Text{"de": "Abfall", "en": "Waste"}},
			{Value: "b", Label: api.Text{"de": "Bauen"}},
		}}
	}
	sig := decode(`{"s": {"width": 10, "height": 10, "strokes": [[[0, 0], [1, 1]]]}}`)["s"]
	tests := []struct {
		widget api.Widget
		value  any
		de, en string
	}{
		{api.WidgetInteger, 4.0, "4", "4"},
		{api.WidgetInteger, 1980.0, "1980", "1980"},
		{api.WidgetInteger, 12000.0, "12.000", "12,000"},
		{api.WidgetInteger, json.Number("-1234567"), "-1.234.567", "-1,234,567"},
		{api.WidgetInteger, int64(3), "3", "3"},
		{api.WidgetDecimal, 3.5, "3,5", "3.5"},
		{api.WidgetDecimal, -1234567.25, "-1.234.567,25", "-1,234,567.25"},
		{api.WidgetMoney, 12.5, "12,50 €", "€12.50"},
		{api.WidgetMoney, 1234.5, "1.234,50 €", "€1,234.50"},
		{api.WidgetMoney, json.Number("185000.5"), "185.000,50 €", "€185,000.50"},
		{api.WidgetMoney, -5.0, "-5,00 €", "-€5.00"},
		{api.WidgetMoney, "zwölf", "zwölf", "zwölf"},
		{api.WidgetBoolean, true, "Ja", "Yes"},
		{api.WidgetBoolean, false, "Nein", "No"},
		{api.WidgetDate, "2026-11-16", "16.11.2026", "16/11/2026"},
		{api.WidgetDate, "demnächst", "demnächst", "demnächst"},
		{api.WidgetChoice, "a", "Abfall", "Waste"},
		{api.WidgetChoice, "b", "Bauen", "Bauen"},
		{api.WidgetChoice, "z", "z", "z"},
		{api.WidgetMulti, []any{"b", "a"}, "Bauen, Abfall", "Bauen, Waste"},
		{api.WidgetMulti, []string{"a"}, "Abfall", "Waste"},
		{api.WidgetIBAN, "DE89370400440532013000", "DE89 3704 0044 0532 0130 00", "DE89 3704 0044 0532 0130 00"},
		{api.WidgetFile, map[string]any{"name": "a.pdf", "size": 999.0}, "a.pdf (999 Bytes)", "a.pdf (999 bytes)"},
		{api.WidgetFile, map[string]any{"name": "a.pdf", "size": 123456.0}, "a.pdf (123 KB)", "a.pdf (123 KB)"},
		{api.WidgetPhoto, map[string]any{"name": "b.jpg", "size": json.Number("2411724")}, "b.jpg (2,4 MB)", "b.jpg (2.4 MB)"},
		{api.WidgetPhoto, map[string]any{"name": "c.jpg"}, "c.jpg", "c.jpg"},
		{api.WidgetSignature, sig, "unterschrieben", "signed"},
		{api.WidgetSignature, map[string]any{"typed": "Erika Mustermann"}, "unterschrieben: Erika Mustermann", "signed: Erika Mustermann"},
		{api.WidgetText, "Erika", "Erika", "Erika"},
		{api.WidgetText, 5.0, "5", "5"},
		{api.WidgetText, map[string]any{"x": true}, `{"x":true}`, `{"x":true}`},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s %v", tt.widget, tt.value), func(t *testing.T) {
			fd := w(tt.widget)
			if got := formschema.FormatValue(fd, tt.value, "de"); got != tt.de {
				t.Errorf("FormatValue(de) = %q, want %q", got, tt.de)
			}
			if got := formschema.FormatValue(fd, tt.value, "en"); got != tt.en {
				t.Errorf("FormatValue(en) = %q, want %q", got, tt.en)
			}
		})
	}
}
