package console

import "testing"

// TestSignatureOf: a drawn signature becomes its strokes; a typed one its
// name, checked as the signature format checks it.
func TestSignatureOf(t *testing.T) {
	tests := []struct {
		name   string
		value  map[string]any
		typed  string
		lines  int
		wantOK bool
	}{
		{"drawn", map[string]any{"width": 10.0, "height": 10.0, "strokes": []any{[]any{[]any{0.0, 0.0}, []any{5.0, 5.0}}}}, "", 1, true},
		{"typed", map[string]any{"typed": "Erika Mustermann"}, "Erika Mustermann", 0, true},
		{"typed blank", map[string]any{"typed": " "}, " ", 0, false},
		{"typed beside strokes", map[string]any{"typed": "Erika", "width": 10.0, "height": 10.0, "strokes": []any{[]any{[]any{0.0, 0.0}, []any{5.0, 5.0}}}}, "Erika", 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sv := signatureOf(tt.value)
			if sv.Typed != tt.typed || len(sv.Lines) != tt.lines || sv.OK != tt.wantOK {
				t.Errorf("signatureOf = typed %q, %d lines, ok %v (%s); want %q, %d, %v", sv.Typed, len(sv.Lines), sv.OK, sv.Problem, tt.typed, tt.lines, tt.wantOK)
			}
		})
	}
}
