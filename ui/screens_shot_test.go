//go:build screenshot

package ui

// Every screen of the tour (tour_test.go) in each variant, from a real
// window, into docs/screens/VARIANT/SCREEN.png: `make screenshots-all`
// runs the desktop driver's variants, then the phone in fyne's mobile
// simulation (built with -tags mobile).

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"

	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
	"rathaus/ui/settings"
)

var variantsFlag = flag.String("variants", "desktop,200,high,uk", "the variants of TestScreensAll, comma-separated")

// shotVariant is a way the app is looked at.
type shotVariant struct {
	size     fyne.Size
	percent  int
	contrast kit.Contrast
	lang     string // "" keeps the language the run started in (RATHAUS_LANG, German by default)
}

var shotVariants = map[string]shotVariant{
	"desktop": {fyne.NewSize(1024, 720), 100, kit.ContrastNormal, ""},
	"phone":   {fyne.NewSize(360, 740), 100, kit.ContrastNormal, ""}, // with -tags mobile
	"200":     {fyne.NewSize(360, 740), 200, kit.ContrastNormal, ""},
	"high":    {fyne.NewSize(360, 740), 100, kit.ContrastHigh, ""},
	"uk":      {fyne.NewSize(360, 740), 100, kit.ContrastNormal, "uk"},
	"tr":      {fyne.NewSize(360, 740), 100, kit.ContrastNormal, "tr"},
}

func TestScreensAll(t *testing.T) {
	dev := uitest.NewDevice(t)
	data := prepareTour(t, dev)
	var u *UI
	fyne.DoAndWait(func() {
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Show()
	})
	started := kit.Lang()
	for _, name := range strings.Split(*variantsFlag, ",") {
		v, ok := shotVariants[name]
		if !ok {
			t.Fatalf("no variant %q", name)
		}
		if name == "phone" && !fyne.CurrentDevice().IsMobile() {
			t.Fatal("the phone variant needs fyne's mobile simulation: go test -tags mobile,screenshot")
		}
		dir := filepath.Join(*shotsDir, name)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		language := v.lang
		if language == "" {
			language = started
		}
		// The screens are built anew in the look, as at a start with it
		// chosen: the home's list keeps the rows' heights of the text size
		// it was built in (noticed, left to the settings' area).
		fyne.DoAndWait(func() {
			settings.Apply(realApp, kit.NewLook(v.percent, v.contrast))
			if kit.Lang() != language {
				u.SwitchLanguage(language)
			} else {
				u.build()
			}
			u.win.Resize(v.size)
		})
		if fyne.CurrentDevice().IsMobile() {
			resizeSimulator(t, v.size)
		}
		for _, sc := range tour {
			// A window on the desktop grows to what a screen needs and
			// stays so: each screen starts at the variant's size.
			fyne.DoAndWait(func() { u.win.Resize(v.size) })
			openTour(u, sc, data)
			capture(t, u.win, filepath.Join(name, sc.name+".png"))
		}
	}
}

// resizeSimulator gives the mobile simulation's X window the phone's
// size: its window is 600x800 and stays black under Xvfb (which has no
// window manager) until it is resized.
func resizeSimulator(t *testing.T, size fyne.Size) {
	t.Helper()
	out, err := exec.Command("xdotool", "search", "--sync", "--name", "^App$").Output()
	if err != nil {
		t.Fatalf("xdotool search: %v", err)
	}
	id := strings.Fields(string(out))[0]
	for _, d := range []int{1, 0} {
		w, h := int(size.Width)-d, int(size.Height)-d
		if b, err := exec.Command("xdotool", "windowsize", id, strconv.Itoa(w), strconv.Itoa(h)).CombinedOutput(); err != nil {
			t.Fatalf("xdotool windowsize: %v: %s", err, b)
		}
	}
	time.Sleep(2 * time.Second)
}
