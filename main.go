// Command rathaus is the citizen app: it opens the local store with its key
// from the secret store (the OS keyring, or a key file where there is
// none), starts the sync engine against the municipal backend
// and hands both to the UI. Wiring only; the work is in app/, sync/ and ui/.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/sync/login"
	"rathaus/sync/transport"
	"rathaus/ui"
	"rathaus/ui/firstframe"
	_ "rathaus/ui/startlocale" // a language before fyne reads the locale (LANG=C.UTF-8)
)

// Defaults; the environment overrides them (see README.md).
const (
	appID          = "org.rathaus.app"
	defaultBackend = "http://127.0.0.1:8080"
)

func main() {
	if runtime.GOOS == "linux" && os.Getenv("DISPLAY") == "" && os.Getenv("WAYLAND_DISPLAY") == "" {
		fmt.Fprintln(os.Stderr, "rathaus: no display found (DISPLAY and WAYLAND_DISPLAY are empty).\n"+
			"Run it in a desktop session, or headless with: xvfb-run -a ./bin/rathaus (make screenshot does that).")
		os.Exit(1)
	}
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "rathaus:", err)
		os.Exit(1)
	}
}

func run() error {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	startLanguage()
	a := app.NewWithID(appID)
	go ui.LoadFonts() // beside opening the data and making the window
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	dir := os.Getenv("RATHAUS_DATA_DIR")
	if dir == "" {
		dir = a.Storage().RootURI().Path()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data folder %s: %w", dir, err)
	}
	backend := os.Getenv("RATHAUS_BACKEND")
	if backend == "" {
		backend = defaultBackend
	}
	pins, err := transport.ParsePins(os.Getenv("RATHAUS_PINS"))
	if err != nil {
		return fmt.Errorf("RATHAUS_PINS: %w", err)
	}
	// One pool for the portal client and the uploader, plain http refused
	// but to loopback, the pins (if any) checked.
	wire := transport.Secure(transport.New(), pins)
	var secretOpts []secrets.Option
	switch v := os.Getenv("RATHAUS_SECRET_STORE"); v {
	case "":
	case "file":
		secretOpts = append(secretOpts, secrets.Prefer(secrets.KeyFile))
	default:
		return fmt.Errorf("RATHAUS_SECRET_STORE=%q: leave it empty (the keyring where one works) or set it to file", v)
	}

	var p *parts
	var win fyne.Window // the main window, made while the data opens
	open := func(fresh bool) error {
		var err error
		p, err = openParts(ctx, dir, backend, wire, fresh, secretOpts)
		return err
	}
	showMain := func() {
		loginCfg := login.Config{Issuer: backend, Open: a.OpenURL, HTTPClient: &http.Client{Transport: wire, Timeout: 30 * time.Second}}
		if kioskMode() {
			// No portal or device: the kiosk's staff sign-in links nothing
			// and keeps no token (login.StartStaffDevice).
			if err := showKiosk(ctx, a, p, dir, login.New(loginCfg, p.keys, nil, nil)); err != nil {
				slog.Error("kiosk mode", "err", err)
				fmt.Fprintln(os.Stderr, "rathaus:", err)
				os.Exit(1)
			}
			return
		}
		acct := login.New(loginCfg, p.keys, p.portal, p.engine)
		resumeLogin(ctx, acct, p.engine)
		// The window shows while the screens are built (ui.Start).
		w, screens := ui.Start(a, ui.Deps{Window: win, Store: p.store, Sync: p.engine, Protection: p.keys.Backend(), DataDir: dir, Index: p.index,
			Account: acct, FixedLanguage: os.Getenv("RATHAUS_LANG") != "", Claimer: p.portal,
			Frame: func(c fyne.CanvasObject) fyne.CanvasObject { return firstframe.Frame(c, nil) }}) // the start benchmark only
		w.SetMaster()
		w.Show()
		u := screens()
		go p.engine.Run(ctx)  // the screens follow its statuses from now on
		go u.FollowFocus(ctx) // Tab keeps the focused field in view
	}
	// The data opens while the window is made (the first window starts
	// fyne's driver, which mostly waits on the display server).
	opened := make(chan error, 1)
	go func() { opened <- open(false) }()
	if !kioskMode() {
		win = ui.NewWindow(a)
	}
	// A data key out of reach is a window with the ways forward, not an
	// exit: the citizen can start the keyring and try again.
	if err := <-opened; err != nil {
		slog.Error("the data cannot be opened", "err", err)
		ui.ShowStartProblem(a, err, ui.StartProblem{DataDir: dir, Open: open, Opened: showMain,
			Discard: func() error { return store.Discard(filepath.Join(dir, "rathaus.db")) }})
	} else {
		showMain()
	}
	slog.Info("rathaus started", "data", dir, "backend", backend)
	a.Run()
	if p != nil {
		p.store.Close()
	}
	return nil
}

// startLanguage loads the translations: RATHAUS_LANG's language, else the
// system's, else German (ui/startlocale sets it where the system names none).
func startLanguage() {
	if err := ui.LoadTranslations(os.Getenv("RATHAUS_LANG")); err != nil {
		slog.Warn("translations", "err", err)
	}
}
