package ui

import (
	"context"
	"strings"
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/ui/internal/uitest"
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
		_ = r.Engine.Sync(ctx)
		if si.now.Disabled() {
			t.Error("Sync now stays disabled after the pass")
		}
	}

	syncNow()
	at := r.Engine.Status().LastSuccess.Local().Format("15:04")
	if got, want := si.label.Text, "Synced at "+at; got != want {
		t.Errorf("line after a sync = %q, want %q", got, want)
	}

	// A submission waited; Sync now sends it and says so.
	d := r.Example(t, "sperrmuell")
	if _, err := r.Store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	syncNow()
	at = r.Engine.Status().LastSuccess.Local().Format("15:04")
	if got, want := si.label.Text, "Synced at "+at+" – 1 sent"; got != want {
		t.Errorf("line after sending one = %q, want %q", got, want)
	}

	// The backend goes away: until something tries the link, the line
	// still says only when it last synced.
	r.Backend.Stop()
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
		uitest.Walk(top, func(o fyne.CanvasObject) {
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
	var cs *countingStore
	r := newRig(t, func(d *Deps) {
		cs = &countingStore{Store: d.Store}
		d.Store = cs
	})
	ctx := context.Background()

	pass := func(name string, drafts, catalogs int64) {
		t.Helper()
		d0, c0 := cs.drafts.Load(), cs.catalogs.Load()
		_ = r.Engine.Sync(ctx)
		if d, c := cs.drafts.Load()-d0, cs.catalogs.Load()-c0; d != drafts || c != catalogs {
			t.Errorf("%s (%s): My applications reloaded %d times, services %d; want %d and %d", name, r.Engine.Status().Changed, d, c, drafts, catalogs)
		}
	}
	pass("first pass: the backend's catalog", 0, 1)
	pass("nothing new", 0, 0)
	r.Engine.SyncNow()
	pass("asked for, nothing new", 0, 0)

	d := r.Example(t, "sperrmuell")
	if _, err := r.Store.Submit(ctx, d.ID, nil); err != nil {
		t.Fatal(err)
	}
	pass("a submission sent", 1, 0)
	pass("its case comes back through the feed", 0, 0)
	r.Backend.Stop()
	pass("offline", 1, 0)
	pass("still offline", 0, 0)
	r.Backend.Start()
	pass("back", 1, 0)
}

// TestSyncLine_MeasuringLeavesTheButton: asking the sync line its size
// does not change "Sync now" (it did, and refreshed it, at every measure:
// the window then drew itself again and again, half a core while the app
// sat idle); the button loses its words only where the line is too
// narrow, and gets them back.
func TestSyncLine_MeasuringLeavesTheButton(t *testing.T) {
	r := newRig(t)
	si := r.ui.indicator
	words := si.now.Text
	si.now.Text = "marker"
	si.root.MinSize()
	if got := si.now.Text; got != "marker" {
		t.Errorf("after measuring the line the button says %q, want it untouched", got)
	}
	for _, tt := range []struct {
		width float32
		want  string
	}{
		{480, words},
		{si.root.MinSize().Width, ""},
		{480, words},
	} {
		si.root.Resize(fyne.NewSize(tt.width, si.root.MinSize().Height))
		si.root.Refresh()
		if got := si.now.Text; got != tt.want {
			t.Errorf("at %.0f wide the button says %q, want %q", tt.width, got, tt.want)
		}
	}
}
