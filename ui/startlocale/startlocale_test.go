package startlocale

import "testing"

func TestFix(t *testing.T) {
	for _, tc := range []struct {
		name      string
		env       map[string]string
		wantName  string
		wantValue string
	}{
		{"nothing set", nil, "LC_MESSAGES", Fallback},
		{"LANG=C", map[string]string{"LANG": "C"}, "LC_MESSAGES", Fallback},
		{"LANG=C.UTF-8", map[string]string{"LANG": "C.UTF-8"}, "LC_MESSAGES", Fallback},
		{"LANG=POSIX", map[string]string{"LANG": "POSIX"}, "LC_MESSAGES", Fallback},
		{"LC_MESSAGES=C.utf8", map[string]string{"LC_MESSAGES": "C.utf8", "LANG": "en_US.UTF-8"}, "LC_MESSAGES", Fallback},
		{"LC_ALL=C.UTF-8 wins over LANG", map[string]string{"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, "LC_ALL", Fallback},
		{"LANG=en_US.UTF-8", map[string]string{"LANG": "en_US.UTF-8"}, "", ""},
		{"LANG=de_DE@euro", map[string]string{"LANG": "de_DE@euro"}, "", ""},
		{"LANG=fr_FR (a language, even one the app lacks)", map[string]string{"LANG": "fr_FR.UTF-8"}, "", ""},
		{"LANGUAGE over C.UTF-8", map[string]string{"LANG": "C.UTF-8", "LANGUAGE": "en"}, "", ""},
		{"LANGUAGE alone", map[string]string{"LANGUAGE": "en"}, "", ""},
		{"plain C ignores LANGUAGE", map[string]string{"LANG": "C", "LANGUAGE": "en"}, "LC_MESSAGES", Fallback},
	} {
		t.Run(tc.name, func(t *testing.T) {
			gotName, gotValue := Fix(func(k string) string { return tc.env[k] })
			if gotName != tc.wantName || gotValue != tc.wantValue {
				t.Errorf("got %s=%q, want %s=%q", gotName, gotValue, tc.wantName, tc.wantValue)
			}
		})
	}
}
