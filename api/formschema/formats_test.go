package formschema_test

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/api/formschema"
)

func TestCheckIBAN(t *testing.T) {
	tests := []struct {
		name  string
		iban  string
		valid bool
		why   string // a part of the error for an invalid IBAN
	}{
		{"German with spaces", "DE89 3704 0044 0532 0130 00", true, ""},
		{"German without spaces", "DE89370400440532013000", true, ""},
		{"German with odd spaces", " DE 8937 04004405320130 00 ", true, ""},
		{"British", "GB82WEST12345698765432", true, ""},
		{"Dutch", "NL91ABNA0417164300", true, ""},
		{"French with a letter in the account", "FR1420041010050500013M02606", true, ""},
		{"Belgian, 16 characters", "BE68539007547034", true, ""},
		{"Norwegian, 15 characters", "NO9386011117947", true, ""},
		{"wrong checksum", "DE88 3704 0044 0532 0130 00", false, "check digits"},
		{"swapped digits", "DE89 3704 0044 0532 0103 00", false, "check digits"},
		{"German with 21 characters", "DE89 3704 0044 0532 0130 0", false, "a DE IBAN has 22"},
		{"German with 23 characters", "DE89 3704 0044 0532 0130 000", false, "a DE IBAN has 22"},
		{"lower case", "de89 3704 0044 0532 0130 00", false, "country code in capitals"},
		{"lower case inside", "GB82west12345698765432", false, "only capital letters and digits"},
		{"letter O for zero", "DE89 3704 0044 0532 0130 0O", false, "check digits"},
		{"hyphens", "DE89-3704-0044-0532-0130-00", false, "only capital letters and digits"},
		{"tab", "DE89\t370400440532013000", false, "only capital letters and digits"},
		{"digit in the country", "D189 3704 0044 0532 0130 00", false, "country code"},
		{"letters for check digits", "DEAB 3704 0044 0532 0130 00", false, "check digits"},
		{"too short", "DE89 3704", false, "want 15 to 34"},
		{"empty", "", false, "want 15 to 34"},
		{"too long", "MT" + strings.Repeat("1", 33), false, "want 15 to 34"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := formschema.CheckIBAN(tt.iban)
			if tt.valid {
				if err != nil {
					t.Errorf("CheckIBAN(%q) = %v, want nil", tt.iban, err)
				}
				return
			}
			if err == nil {
				t.Fatalf("CheckIBAN(%q) = nil, want an error", tt.iban)
			}
			if !strings.Contains(err.Error(), tt.why) {
				t.Errorf("CheckIBAN(%q) = %q, want it to say %q", tt.iban, err, tt.why)
			}
		})
	}
}

func TestCheckAttachment(t *testing.T) {
	const sum = "53d13bf7b93526a5cb4336d750b6accfa079fb43d33f79287fcae3d33fbd6d73"
	valid := api.Attachment{ID: "local-7", Upload: "abc", Name: "Antrag.pdf", Type: "application/pdf", Size: 1, SHA256: sum}
	b, err := json.Marshal(valid)
	if err != nil {
		t.Fatal(err)
	}
	var fromStruct map[string]any
	if err := json.Unmarshal(b, &fromStruct); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		value any
		valid bool
	}{
		{"api.Attachment as JSON", fromStruct, true},
		{"json.Number size", map[string]any{"name": "a", "type": "image/png", "size": json.Number("10485760"), "sha256": sum}, true},
		{"not an object is left to the type", "a.pdf", true},
		{"name blank", map[string]any{"name": "  ", "type": "image/png", "size": 1.0, "sha256": sum}, false},
		{"name too long", map[string]any{"name": strings.Repeat("a", 256), "type": "image/png", "size": 1.0, "sha256": sum}, false},
		{"type missing", map[string]any{"name": "a", "size": 1.0, "sha256": sum}, false},
		{"type with a wildcard", map[string]any{"name": "a", "type": "image/*", "size": 1.0, "sha256": sum}, false},
		{"type with a space", map[string]any{"name": "a", "type": "image/ png", "size": 1.0, "sha256": sum}, false},
		{"size as text", map[string]any{"name": "a", "type": "image/png", "size": "1", "sha256": sum}, false},
		{"size negative", map[string]any{"name": "a", "type": "image/png", "size": -1.0, "sha256": sum}, false},
		{"size above the limit", map[string]any{"name": "a", "type": "image/png", "size": json.Number("10485761"), "sha256": sum}, false},
		{"sha256 missing", map[string]any{"name": "a", "type": "image/png", "size": 1.0}, false},
		{"sha256 not hex", map[string]any{"name": "a", "type": "image/png", "size": 1.0, "sha256": strings.Repeat("g", 64)}, false},
		{"id not a string", map[string]any{"id": 1.0, "name": "a", "type": "image/png", "size": 1.0, "sha256": sum}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := formschema.CheckAttachment(tt.value)
			if (err == nil) != tt.valid {
				t.Errorf("CheckAttachment(%v) = %v, want valid: %v", tt.value, err, tt.valid)
			}
		})
	}
}

func TestCheckSignature(t *testing.T) {
	valid := api.Signature{Width: 200, Height: 80, Strokes: [][][2]float64{{{0, 0}, {200, 80}}, {{10, 10}, {20, 20}, {30, 10}}}}
	b, err := json.Marshal(valid)
	if err != nil {
		t.Fatal(err)
	}
	var fromStruct map[string]any
	if err := json.Unmarshal(b, &fromStruct); err != nil {
		t.Fatal(err)
	}
	if err := formschema.CheckSignature(fromStruct); err != nil {
		t.Errorf("CheckSignature(api.Signature as JSON) = %v, want nil", err)
	}
	empty, _ := json.Marshal(api.Signature{Width: 200, Height: 80})
	var fromEmpty map[string]any
	if err := json.Unmarshal(empty, &fromEmpty); err != nil {
		t.Fatal(err)
	}
	if err := formschema.CheckSignature(fromEmpty); err == nil || !strings.Contains(err.Error(), "not signed") {
		t.Errorf("CheckSignature(no strokes) = %v, want not signed", err)
	}
	typed, _ := json.Marshal(api.Signature{Typed: "Erika Mustermann"})
	var fromTyped map[string]any
	if err := json.Unmarshal(typed, &fromTyped); err != nil {
		t.Fatal(err)
	}
	if err := formschema.CheckSignature(fromTyped); err != nil || len(fromTyped) != 1 {
		t.Errorf("CheckSignature(%s) = %v, want nil (and the name alone in the JSON)", typed, err)
	}
}

// TestIBANReasons: every way an IBAN fails has its reason, and the parts
// a message names (country, its length, the length typed).
func TestIBANReasons(t *testing.T) {
	tests := []struct {
		name    string
		iban    string
		reason  string
		country string
		want    int
		got     int
	}{
		{"German, wrong check digits", "DE88 3704 0044 0532 0130 00", formschema.IBANChecksum, "DE", 22, 22},
		{"German, one digit short", "DE89 3704 0044 0532 0130 0", formschema.IBANLength, "DE", 22, 21},
		{"German, far too short", "DE89 3704", formschema.IBANLength, "DE", 22, 8},
		{"Austrian with a German length", "AT61 1904 3002 3457 3201 00", formschema.IBANLength, "AT", 20, 22},
		{"Norwegian, the shortest", "NO93 8601 1117 946", formschema.IBANChecksum, "NO", 15, 15},
		{"unknown country", "XX89 3704 0044 0532 0130 00", formschema.IBANUnknown, "XX", 0, 22},
		{"digits for the country", "1289 3704 0044 0532 0130 00", formschema.IBANCountry, "", 0, 22},
		{"a hyphen", "DE89-3704-0044-0532-0130-00", formschema.IBANChars, "DE", 22, 27},
		{"letters for check digits", "DEAB 3704 0044 0532 0130 00", formschema.IBANChecksum, "DE", 22, 22},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := formschema.CheckIBAN(tt.iban)
			var ie *formschema.IBANError
			if !errors.As(err, &ie) {
				t.Fatalf("CheckIBAN(%q) = %v, want an *IBANError", tt.iban, err)
			}
			if ie.Reason != tt.reason || ie.Country != tt.country || ie.Want != tt.want || ie.Got != tt.got {
				t.Errorf("CheckIBAN(%q) = %+v, want reason %s, country %q, length %d of %d", tt.iban, *ie, tt.reason, tt.country, tt.got, tt.want)
			}
		})
	}
}

// TestCheckDate: an RFC 3339 full-date passes; a day that does not exist is
// told from text that is no date.
func TestCheckDate(t *testing.T) {
	tests := []struct {
		date   string
		reason string // "" for valid
	}{
		{"2026-02-28", ""},
		{"2024-02-29", ""},
		{"2026-02-29", formschema.DateDay},
		{"2026-02-31", formschema.DateDay},
		{"2026-13-01", formschema.DateDay},
		{"31.02.2026", formschema.DateDay},
		{"31/04/2026", formschema.DateDay},
		{"0.1.2026", formschema.DateDay},
		{"28.02.2026", formschema.DateForm},
		{"12.03.20", formschema.DateForm},
		{"morgen", formschema.DateForm},
		{"", formschema.DateForm},
	}
	for _, tt := range tests {
		t.Run(tt.date, func(t *testing.T) {
			err := formschema.CheckDate(tt.date)
			if tt.reason == "" {
				if err != nil {
					t.Errorf("CheckDate(%q) = %v, want nil", tt.date, err)
				}
				return
			}
			var de *formschema.DateError
			if !errors.As(err, &de) || de.Reason != tt.reason {
				t.Errorf("CheckDate(%q) = %v, want reason %s", tt.date, err, tt.reason)
			}
		})
	}
}

const paymentFormJSON = `{
  "id": "payment", "version": 1, "title": {"de": "Zahlung", "en": "Payment"},
  "schema": {"type": "object", "properties": {
    "iban": {"type": "string", "format": "iban"},
    "since": {"type": "string", "format": "date"}}},
  "steps": [{"id": "s", "title": {"de": "S", "en": "S"}, "fields": [
    {"key": "iban", "widget": "iban", "label": {"de": "IBAN", "en": "IBAN"}},
    {"key": "since", "widget": "date", "label": {"de": "Seit", "en": "Since"}}]}]
}`

// TestFormatMessages: each way an IBAN or a date fails gets its own
// message on its field, in German and English; none claims that capitals
// are needed.
func TestFormatMessages(t *testing.T) {
	f, err := formschema.Parse([]byte(paymentFormJSON))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		key    string
		value  string
		de, en string
	}{
		{"IBAN check digits", "iban", "DE88370400440532013000",
			"Die Prüfziffer stimmt nicht: Bitte vergleichen Sie die IBAN Zeichen für Zeichen mit Ihrer Bankkarte.",
			"The check digits are wrong: please compare the IBAN character by character with your bank card."},
		{"IBAN length for Germany", "iban", "DE8937040044053201300",
			"Eine IBAN mit dem Ländercode DE hat 22 Zeichen, diese hat 21.",
			"An IBAN with the country code DE has 22 characters; this one has 21."},
		{"IBAN length for Austria", "iban", "AT611904300234573201",
			"", ""}, // valid: Austria's are 20 long
		{"IBAN far too short", "iban", "DE893704",
			"Eine IBAN mit dem Ländercode DE hat 22 Zeichen, diese hat 8.",
			"An IBAN with the country code DE has 22 characters; this one has 8."},
		{"IBAN of no country, too short", "iban", "12345",
			"Eine IBAN hat 15 bis 34 Zeichen, diese hat 5.",
			"An IBAN has 15 to 34 characters; this one has 5."},
		{"IBAN unknown country", "iban", "XX89370400440532013000",
			"XX ist kein Ländercode einer IBAN. Eine deutsche IBAN beginnt mit DE.",
			"XX is not the country code of any IBAN. A German IBAN starts with DE."},
		{"IBAN without a country", "iban", "8937040044053201300099",
			"Eine IBAN beginnt mit dem Ländercode aus zwei Buchstaben, z. B. DE.",
			"An IBAN starts with a two-letter country code, e.g. DE."},
		{"IBAN with a hyphen", "iban", "DE89-3704-0044-0532-0130-00",
			"Eine IBAN enthält nur Buchstaben und Ziffern.",
			"An IBAN holds only letters and digits."},
		{"date that does not exist", "since", "31.02.2026",
			"Diesen Tag gibt es nicht. Bitte prüfen Sie Tag und Monat (TT.MM.JJJJ).",
			"This day does not exist. Please check the day and month (DD/MM/YYYY)."},
		{"date half typed", "since", "12.03.20",
			"Bitte geben Sie ein Datum ein (TT.MM.JJJJ).",
			"Please enter a date (DD/MM/YYYY)."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			errs := f.Validate(map[string]any{tt.key: tt.value})
			if tt.de == "" {
				if len(errs) != 0 {
					t.Fatalf("Validate(%s=%q) = %v, want none", tt.key, tt.value, errs)
				}
				return
			}
			if len(errs) != 1 || errs[0].Pointer != "/"+tt.key || errs[0].Code != "format" {
				t.Fatalf("Validate(%s=%q) = %v, want one format error on /%s", tt.key, tt.value, errs, tt.key)
			}
			if got := errs[0].Message["de"]; got != tt.de {
				t.Errorf("de = %q, want %q", got, tt.de)
			}
			if got := errs[0].Message["en"]; got != tt.en {
				t.Errorf("en = %q, want %q", got, tt.en)
			}
			for _, m := range errs[0].Message {
				if strings.Contains(m, "Großbuchstaben") || strings.Contains(m, "capitals") {
					t.Errorf("message %q claims capitals are needed", m)
				}
			}
		})
	}
}
