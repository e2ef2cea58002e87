package fill_test

import (
	"testing"

	"rathaus/api"
	"rathaus/app/fill"
)

// TestRoundTripPerLanguage: what the citizen types in a language comes
// back written the same way, and is stored the same in every language.
func TestRoundTripPerLanguage(t *testing.T) {
	tests := []struct {
		lng    string
		widget api.Widget
		typed  string
		stored any
	}{
		{"de", api.WidgetDecimal, "2,5", 2.5},
		{"de", api.WidgetMoney, "12,50", 12.5},
		{"de", api.WidgetDate, "07.12.2026", "2026-12-07"},
		{"en", api.WidgetDecimal, "2.5", 2.5},
		{"en", api.WidgetMoney, "12.50", 12.5},
		{"en", api.WidgetDate, "07/12/2026", "2026-12-07"},
		{"tr", api.WidgetDecimal, "2,5", 2.5},
		{"tr", api.WidgetMoney, "12,50", 12.5},
		{"tr", api.WidgetDate, "07.12.2026", "2026-12-07"},
		{"uk", api.WidgetDecimal, "2,5", 2.5},
		{"uk", api.WidgetMoney, "12,50", 12.5},
		{"uk", api.WidgetDate, "07.12.2026", "2026-12-07"},
		{"uk", api.WidgetInteger, "42", int64(42)},
	}
	for _, tt := range tests {
		t.Run(tt.lng+"/"+string(tt.widget)+"/"+tt.typed, func(t *testing.T) {
			got := fill.Parse(tt.widget, tt.typed)
			if got != tt.stored {
				t.Fatalf("Parse(%q) = %#v, want %#v", tt.typed, got, tt.stored)
			}
			if shown := fill.Format(tt.widget, got, tt.lng); shown != tt.typed {
				t.Errorf("Format(%#v, %s) = %q, want %q", got, tt.lng, shown, tt.typed)
			}
		})
	}
}

func TestDayMonthLayout(t *testing.T) {
	for lng, want := range map[string]string{"de": "02.01.", "en": "02/01", "tr": "02.01.", "uk": "02.01.", "fr": "02.01."} {
		if got := fill.DayMonthLayout(lng); got != want {
			t.Errorf("DayMonthLayout(%s) = %q, want %q", lng, got, want)
		}
	}
}
