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
	"sync/atomic"
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
	if fyne.CurrentDevice().IsMobile() {
		// The mobile simulation paints only a window made before its loop
		// starts, which it does when its X window is first resized; until
		// then its UI goroutine is unknown and fyne.DoAndWait does not
		// wait. So the window is made here, as main.go does before Run.
		u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
		u.win.Show()
		resizeSimulator(t, shotVariants["phone"].size, 2)
		for i := 0; ; i++ {
			var ran atomic.Bool
			// Not waited for, it is still asleep when DoAndWait returns.
			fyne.DoAndWait(func() { time.Sleep(200 * time.Millisecond); ran.Store(true) })
			if ran.Load() {
				break
			}
			if i == 300 {
				t.Fatal("the mobile simulation's loop did not start in 30 s")
			}
			time.Sleep(100 * time.Millisecond)
		}
	} else {
		fyne.DoAndWait(func() {
			u = New(realApp, Deps{Store: dev.Store, Sync: dev.Engine})
			u.win.Show()
		})
	}
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
		// chosen (TestScreensLive has the look changed while they show).
		fyne.DoAndWait(func() {
			settings.Apply(realApp, kit.NewLook(v.percent, v.contrast))
			if kit.Lang() != language {
				u.SwitchLanguage(language)
			} else {
				u.build()
				u.show()
			}
			if !fyne.CurrentDevice().IsMobile() {
				u.win.Resize(v.size)
			}
		})
		if fyne.CurrentDevice().IsMobile() {
			// The simulation's window is the phone's screen: its canvas
			// is the X window's size over the scale.
			resizeSimulator(t, v.size, u.win.Canvas().Scale())
			t.Logf("the simulation's canvas: %v at scale %v", u.win.Canvas().Size(), u.win.Canvas().Scale())
		}
		for _, sc := range tour {
			// A window on the desktop grows to what a screen needs and
			// stays so: each screen is brought back to the variant's size
			// (the window stays wider only if this screen needs it).
			openTour(u, sc, data)
			if !fyne.CurrentDevice().IsMobile() {
				fyne.DoAndWait(func() { u.win.Resize(v.size) })
			}
			capture(t, u.win, filepath.Join(name, sc.name+".png"))
		}
	}
}

// resizeSimulator gives the mobile simulation's X window the phone's
// size at scale: its window is 600x800 and stays black under Xvfb (which
// has no window manager) until it is resized.
func resizeSimulator(t *testing.T, size fyne.Size, scale float32) {
	t.Helper()
	out, err := exec.Command("xdotool", "search", "--sync", "--name", "^App$").Output()
	if err != nil {
		t.Fatalf("xdotool search: %v", err)
	}
	id := strings.Fields(string(out))[0]
	// It paints after a resize to 400x800 (found by trying; a first
	// resize to a larger size left it black), then takes any size.
	w, h := int(size.Width*scale), int(size.Height*scale)
	for _, wh := range [][2]int{{399, 799}, {400, 800}, {w - 1, h - 1}, {w, h}} {
		w, h := wh[0], wh[1]
		if b, err := exec.Command("xdotool", "windowsize", id, strconv.Itoa(w), strconv.Itoa(h)).CombinedOutput(); err != nil {
			t.Fatalf("xdotool windowsize: %v: %s", err, b)
		}
	}
	time.Sleep(2 * time.Second)
}
