package formschema_test

import (
	"encoding/json"
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
}
