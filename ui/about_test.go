package ui

import (
	"testing"

	"rathaus/app/secrets"
)

// TestAbout_KeyFileProtection: the about tab says which protection guards
// the data key, in English and German.
func TestAbout_KeyFileProtection(t *testing.T) {
	r := newRig(t)
	if got := r.ui.tabs.Items[len(r.ui.tabs.Items)-1].Text; got != "About" {
		t.Errorf("last tab = %q, want About", got)
	}
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
			if err := SetLanguage(tc.lang); err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = SetLanguage("en") })
			as := newAboutScreen(Deps{Protection: tc.protection, DataDir: "/data/org.rathaus.app"})
			if got := as.protection.Text; got != tc.want {
				t.Errorf("protection = %q, want %q", got, tc.want)
			}
			if got := as.folder.Text; got != "/data/org.rathaus.app" {
				t.Errorf("data folder = %q", got)
			}
		})
	}
}
