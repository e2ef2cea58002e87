package server

import (
	"encoding/json"
	"reflect"
	"testing"

	"rathaus/assets"
)

// TestValidateParsedAgreesWithJSON: the backend validates the data as
// parseJSON gave it (formschema's ValidateDecoded); that must give what
// validating the canonical JSON it stores gives (ValidateJSON), for valid
// data and for data that breaks the forms' rules, on every demo form.
func TestValidateParsedAgreesWithJSON(t *testing.T) {
	forms, err := assets.DemoForms()
	if err != nil {
		t.Fatal(err)
	}
	inputs := map[string]string{
		"empty":        `{}`,
		"numbers":      `{"volume_m3": 2e1, "count": 3.50, "amount": -0.0, "big": 123456789012345678901234567890, "tiny": 1e-40}`,
		"wrong types":  `{"dog_name": 7, "members": {"a": null}, "household": "yes", "items": [1, "x", {"kind": []}]}`,
		"nested":       `{"person": {"birth": {"date": "2026-02-30"}}, "address": {"postcode": 51147, "street": ""}}`,
		"unknown keys": `{"/": {"~": 1}, "a~b": [true, false, null], "ünïcödé": "\u00e9\ud83d\ude00"}`,
	}
	for _, f := range forms {
		if ex, err := assets.DemoExample(f.Def.ID); err == nil {
			b, err := json.Marshal(ex)
			if err != nil {
				t.Fatal(err)
			}
			inputs["example of "+f.Def.ID] = string(b)
		}
	}
	for name, in := range inputs {
		t.Run(name, func(t *testing.T) {
			v, errs, err := parseJSON([]byte(in))
			if err != nil || len(errs) > 0 {
				t.Fatalf("parseJSON: %v, %v", errs, err)
			}
			canonical, err := json.Marshal(v)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range forms {
				want, err := f.ValidateJSON(canonical)
				if err != nil {
					t.Fatalf("%s: ValidateJSON: %v", f.Def.ID, err)
				}
				if got := f.ValidateDecoded(v); !reflect.DeepEqual(got, want) {
					t.Errorf("%s v%d: ValidateDecoded = %+v, want ValidateJSON's %+v", f.Def.ID, f.Def.Version, got, want)
				}
			}
		})
	}
}
