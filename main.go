// Command rathaus is the citizen app: it opens the local store with its key
// from the OS keyring, starts the sync engine against the municipal backend
// and hands both to the UI. Wiring only; the work is in app/, sync/ and ui/.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"
	"fyne.io/fyne/v2/lang"

	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
	"rathaus/ui"
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
	if err := ui.LoadTranslations(os.Getenv("RATHAUS_LANG")); err != nil {
		slog.Warn("translations", "err", err)
	}
	a := app.NewWithID(appID)
	a.SetIcon(fyne.NewStaticResource("icon.png", assets.Icon))

	dir := os.Getenv("RATHAUS_DATA_DIR")
	if dir == "" {
		dir = a.Storage().RootURI().Path()
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("data folder %s: %w", dir, err)
	}
	keys := secrets.Open("rathaus")
	notice := ""
	if !keys.Persistent() {
		slog.Warn("no OS keyring; secrets are kept in memory for this run only", "reason", keys.Reason())
		notice = lang.L("No keyring found: what you enter now can only be reopened until the app is closed.")
	}
	st, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), keys)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := seedDemo(ctx, st); err != nil {
		return err
	}

	backend := os.Getenv("RATHAUS_BACKEND")
	if backend == "" {
		backend = defaultBackend
	}
	eng := engine.New(st, portal.New(backend), upload.New(backend), keys)
	go eng.Run(ctx)

	u := ui.New(a, ui.Deps{Store: st, Sync: eng, Notice: notice})
	slog.Info("rathaus started", "data", dir, "backend", backend)
	u.Window().ShowAndRun()
	return nil
}

// seedDemo stores the embedded demo municipality on first start, so that the
// app works before any backend was reached.
func seedDemo(ctx context.Context, st *store.Store) error {
	cat, err := assets.DemoCatalog()
	if err != nil {
		return err
	}
	files, err := assets.DemoFormFiles()
	if err != nil {
		return err
	}
	forms := make([][]byte, 0, len(files))
	for _, b := range files {
		forms = append(forms, b)
	}
	_, err = st.Seed(ctx, cat, forms)
	return err
}
