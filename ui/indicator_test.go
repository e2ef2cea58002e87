package ui

import (
	"context"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// TestSyncLine_SaysWhatIsKnownAndKeepsItsHeight: against the real backend,
// on a phone-sized window, the sync line says when it last synced (never
// more than is known), "Sync now" shows that it works and what came of
// it, also when the backend went away; the line keeps its height, so the
// screen below does not move, and a tap on it shows the whole text.
func TestSyncLine_SaysWhatIsKnownAndKeepsItsHeight(t *testing.T) {
	r := newRig(t)
	r.win.Resize(fyne.NewSize(360, 740))
	ctx := context.Background()
	si := r.ui.indicator
	relayout := func() {
		t.Helper()
		r.win.Content().Refresh()
	}
	relayout()
	height, below := si.root.Size().Height, r.ui.tabs.Position().Y
	if got := si.label.Text; got != "Not synced yet" {
		t.Errorf("line at start = %q, want Not synced yet", got)
	}
	keepsHeight := func(when string) {
		t.Helper()
		relayout()
		if h, y := si.root.Size().Height, r.ui.tabs.Position().Y; h != height || y != below {
			t.Errorf("%s: line %q is %.0f high with the screen at %.0f; want %.0f and %.0f as at start", when, si.label.Text, h, y, height, below)
		}
	}
	// syncNow taps "Sync now", checks that the line shows it works, and
	// runs the pass the engine's loop would run for it.
	syncNow := func() {
		t.Helper()
		test.Tap(si.now)
		if si.label.Text != "Syncing…" || !si.now.Disabled() {
			t.Errorf("right after Sync now: line %q, button disabled %v; want Syncing… and disabled", si.label.Text, si.now.Disabled())
		}
		keepsHeight("while syncing")
		_ = r.engine.Sync(ctx)
		if si.now.Disabled() {
			t.Error("Sync now stays disabled after the pass")
		}
	}

	syncNow()
	at := r.engine.Status().LastSuccess.Local().Format("15:04")
	if got, want := si.label.Text, "Synced at "+at; got != want {
		t.Errorf("line after a sync = %q, want %q", got, want)
	}

	// A submission waited; Sync now sends it and says so.
	d := citizen.NewDraft(demoService(t, "sperrmuell"), time.Now())
	d.Values = example(t, "sperrmuell")
	if err := r.store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	syncNow()
	at = r.engine.Status().LastSuccess.Local().Format("15:04")
	if got, want := si.label.Text, "Synced at "+at+" – 1 sent"; got != want {
		t.Errorf("line after sending one = %q, want %q", got, want)
	}

	// The backend goes away: until something tries the link, the line
	// still says only when it last synced.
	r.backend.Stop()
	if got := si.label.Text; !strings.HasPrefix(got, "Synced at "+at) {
		t.Errorf("line after the backend went, before any attempt = %q, want still Synced at %s", got, at)
	}
	syncNow()
	if got, want := si.label.Text, "Server not reachable – everything is saved and sent later"; got != want {
		t.Errorf("line offline = %q, want %q", got, want)
	}
	keepsHeight("offline")

	test.Tap(si.label)
	var texts []string
	if top := r.win.Canvas().Overlays().Top(); top != nil {
		walk(top, func(o fyne.CanvasObject) {
			if l, ok := o.(*widget.Label); ok {
				texts = append(texts, l.Text)
			}
		})
	}
	all := strings.Join(texts, "\n")
	for _, want := range []string{"Server not reachable – everything is saved and sent later", "Last synced at " + at, "Last tried at "} {
		if !strings.Contains(all, want) {
			t.Errorf("details after a tap on the line = %q, want %q in them", all, want)
		}
	}
}

// countingStore counts the reads that reload a screen.
type countingStore struct {
	Store
	drafts, catalogs atomic.Int64
}

func (c *countingStore) Drafts(ctx context.Context) ([]*citizen.Draft, error) {
	c.drafts.Add(1)
	return c.Store.Drafts(ctx)
}

func (c *countingStore) Catalog(ctx context.Context) (cat api.Catalog, etag, source string, err error) {
	c.catalogs.Add(1)
	return c.Store.Catalog(ctx)
}

// TestStatusChanges_ReloadOnlyWhatChanged: a pass that changes nothing
// reloads no screen ("My applications" unseals every draft); one that
// sends reloads "My applications", not the services; a new catalog reloads
// the services; going offline tells "My applications".
func TestStatusChanges_ReloadOnlyWhatChanged(t *testing.T) {
	backend := servertest.New(t)
	keys := secrets.OpenMemory("rathaus-ui-test")
	st, err := store.Open(context.Background(), filepath.Join(t.TempDir(), "app.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cat, _ := assets.DemoCatalog()
	files, _ := assets.DemoFormFiles()
	var forms [][]byte
	for _, b := range files {
		forms = append(forms, b)
	}
	if _, err := st.Seed(context.Background(), cat, forms); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, portal.New(backend.URL, portal.WithTimeout(5*time.Second)), upload.New(backend.URL), keys)
	cs := &countingStore{Store: st}
	u := New(test.NewTempApp(t), Deps{Store: cs, Sync: eng})
	u.Window().Show()
	ctx := context.Background()

	pass := func(name string, drafts, catalogs int64) {
		t.Helper()
		d0, c0 := cs.drafts.Load(), cs.catalogs.Load()
		_ = eng.Sync(ctx)
		if d, c := cs.drafts.Load()-d0, cs.catalogs.Load()-c0; d != drafts || c != catalogs {
			t.Errorf("%s (%s): My applications reloaded %d times, services %d; want %d and %d", name, eng.Status().Changed, d, c, drafts, catalogs)
		}
	}
	pass("first pass: the backend's catalog", 0, 1)
	pass("nothing new", 0, 0)
	eng.SyncNow()
	pass("asked for, nothing new", 0, 0)

	d := citizen.NewDraft(demoService(t, "sperrmuell"), time.Now())
	d.Values = example(t, "sperrmuell")
	if err := st.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	pass("a submission sent", 1, 0)
	pass("its case comes back through the feed", 0, 0)
	backend.Stop()
	pass("offline", 1, 0)
	pass("still offline", 0, 0)
	backend.Start()
	pass("back", 1, 0)
}

// demoService is a service of the demo municipality.
func demoService(t *testing.T, id string) api.Service {
	t.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range cat.Services {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("no demo service %q", id)
	return api.Service{}
}

// example is a demo form's example values.
func example(t testing.TB, form string) map[string]any {
	t.Helper()
	v, err := assets.DemoExample(form)
	if err != nil {
		t.Fatal(err)
	}
	return v
}
