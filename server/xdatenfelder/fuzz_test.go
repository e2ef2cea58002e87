package xdatenfelder

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"rathaus/api/formschema"
)

// FuzzConvert: no input makes Convert panic; an input either fails with one
// of the package's errors, or gives a report and a definition, which
// compiles unless the report says it is invalid.
//
// The seeds include the real fixtures (up to 98 kB). Go minimises every new
// interesting input, which for mutants of a large seed takes minutes, so
// bound it:
//
//	go test ./server/xdatenfelder -run '^$' -fuzz FuzzConvert -fuzztime 60s -fuzzminimizetime 200x
func FuzzConvert(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.xml"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	rule := ruleSpec{"R1", "Regel", "WENN Datenfeld F1 = JA, DANN aktiviere Datenfeldgruppe G1."}
	for _, v := range []int{2, 3} {
		f.Add([]byte(doc(v, []ruleSpec{rule},
			fieldSpec{id: "F1", name: "Ja", feldart: "input", datentyp: "bool"},
			fieldSpec{id: "F2", name: "Wahl", feldart: "select", datentyp: "text", anzahl: "0:2", werte: [][2]string{{"1", "eins"}}, codeliste: "urn:x"},
			groupSpec{id: "G1", name: "Gruppe", anzahl: "0:*", art: "X", children: []any{
				fieldSpec{id: "F3", name: "Zahl", feldart: "input", datentyp: "num_int", minValue: "1", maxValue: "x", pattern: "("},
				fieldSpec{id: "F4", name: "Text", feldart: "label", datentyp: "text", inhalt: "Hinweis"},
			}},
		)))
	}
	f.Add([]byte(`<?xml version="1.0" encoding="ISO-8859-1"?><a/>`))
	f.Add([]byte(`<!DOCTYPE a><a/>`))

	f.Fuzz(func(t *testing.T, in []byte) {
		def, rep, err := Convert(bytes.NewReader(in), Options{})
		if err != nil {
			known := errors.Is(err, ErrTooLarge) || errors.Is(err, ErrInvalidInput) ||
				errors.Is(err, ErrNotXDatenfelder) || errors.Is(err, ErrUnsupportedVersion)
			var de *formschema.DefinitionError
			if errors.As(err, &de) {
				if def == nil || rep == nil || rep.Invalid == nil {
					t.Fatalf("invalid definition without the definition and report: %v", err)
				}
				return
			}
			if !known {
				t.Fatalf("unexpected error type: %v", err)
			}
			return
		}
		if def == nil || rep == nil {
			t.Fatal("no error and no definition or report")
		}
		out, err := json.Marshal(def)
		if err != nil {
			t.Fatalf("marshal: %v", err)
		}
		if _, err := formschema.Parse(out); err != nil {
			t.Fatalf("the written definition does not load: %v", err)
		}
		_ = rep.String()
	})
}
