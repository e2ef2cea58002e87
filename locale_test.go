package main

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"

	"rathaus/ui/kit"
)

// TestStartLanguageWithoutLocale runs the app's start path (package init,
// then startLanguage) in a fresh process with each locale environment a
// machine may have, and reads its log and the language it chose: German
// where the environment names no language, without fyne's "Error parsing
// user locale C"; the system's language where it names one the app speaks.
func TestStartLanguageWithoutLocale(t *testing.T) {
	if os.Getenv("RATHAUS_LOCALE_CHILD") == "1" {
		startLanguage()
		fmt.Printf("language=%s\n", kit.Lang())
		return
	}
	for _, tc := range []struct {
		name string
		env  []string
		want string
	}{
		{"no locale at all", nil, "de"},
		{"LANG=C", []string{"LANG=C"}, "de"},
		{"LANG=C.UTF-8", []string{"LANG=C.UTF-8"}, "de"},
		{"LC_ALL=C.UTF-8 over LANG=en", []string{"LC_ALL=C.UTF-8", "LANG=en_US.UTF-8"}, "de"},
		{"LANG=POSIX", []string{"LANG=POSIX"}, "de"},
		{"LC_ALL=C", []string{"LC_ALL=C"}, "de"},
		{"LANG=en_US.UTF-8", []string{"LANG=en_US.UTF-8"}, "en"},
		{"LANG=C.UTF-8 LANGUAGE=en", []string{"LANG=C.UTF-8", "LANGUAGE=en"}, "en"},
		{"RATHAUS_LANG=en with LANG=C.UTF-8", []string{"LANG=C.UTF-8", "RATHAUS_LANG=en"}, "en"},
		{"LANG=fr_FR.UTF-8 (not spoken)", []string{"LANG=fr_FR.UTF-8"}, "de"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestStartLanguageWithoutLocale$", "-test.count=1")
			// Only what the child needs: no locale variable leaks in.
			cmd.Env = append([]string{"RATHAUS_LOCALE_CHILD=1", "PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}, tc.env...)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("start path: %v\n%s", err, out)
			}
			if strings.Contains(string(out), "Fyne error") || strings.Contains(string(out), "locale") {
				t.Errorf("the log has a locale error:\n%s", out)
			}
			if got, want := string(out), "language="+tc.want+"\n"; !strings.Contains(got, want) {
				t.Errorf("got output %q, want it to contain %q", got, want)
			}
		})
	}
}
