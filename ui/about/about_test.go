package about

import (
	"os"
	"testing"

	"fyne.io/fyne/v2/test"

	"rathaus/app/secrets"
	"rathaus/ui/kit"
)

// TestMain runs the screen tests in fyne's test driver, in English.
func TestMain(m *testing.M) {
	if err := kit.LoadTranslations("en"); err != nil {
		panic(err)
	}
	os.Exit(m.Run())
}

// TestAbout_KeyFileProtection: the about screen says which protection
// guards the data key, in English and German.
func TestAbout_KeyFileProtection(t *testing.T) {
	test.NewTempApp(t)
	for _, tc := range []struct {
		lang       string
		protection secrets.Backend
		want       string
	}{
		{"en", secrets.KeyFile, "A key file in the app's folder (protected by the device's own encryption and file permissions)"},
		{"en", secrets.SystemKeyring, "The system keyring"},
		{"de", secrets.KeyFile, "in einer Schlüsseldatei im Ordner der App (geschützt durch die Verschlüsselung des Geräts und die Dateirechte)"},
		{"de", secrets.SystemKeyring, "im Schlüsselbund des Systems"},
	} {
		t.Run(tc.lang+" "+tc.protection.String(), func(t *testing.T) {
			if err := kit.SetLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = kit.SetLanguage("en") })
			s := NewScreen(tc.protection, "/data/org.rathaus.app")
			if got := s.protection.Text; got != tc.want {
				t.Errorf("protection = %q, want %q", got, tc.want)
			}
			if got := s.folder.Text; got != "/data/org.rathaus.app" {
				t.Errorf("data folder = %q", got)
			}
		})
	}
}
