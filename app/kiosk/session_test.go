package kiosk_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/kiosk"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// TestSweepAfterACrash: a session a power cut left behind is ended at the
// next start: its submission carried to the kiosk, its folder and key
// gone; an unfinished draft is not carried.
func TestSweepAfterACrash(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	keys := secrets.OpenMemory("kiosk-sweep")
	kioskStore, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), keys)
	if err != nil {
		t.Fatal(err)
	}
	defer kioskStore.Close()
	sessions, err := kiosk.NewSessions(filepath.Join(dir, "sessions"), keys, kioskStore, nil)
	if err != nil {
		t.Fatal(err)
	}
	ss, err := sessions.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	svc := api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}
	sent := citizen.NewDraft(svc, time.Now())
	sent.Values = map[string]any{"dog_name": "Bello"}
	unfinished := citizen.NewDraft(svc, time.Now())
	for _, d := range []*citizen.Draft{sent, unfinished} {
		if err := ss.Store.CreateDraft(ctx, d); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ss.Store.Submit(ctx, sent.ID, nil); err != nil {
		t.Fatal(err)
	}
	install := ss.Store.InstallID()
	ss.Store.Close() // the power cut: no End

	if err := sessions.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "sessions")); len(entries) != 0 {
		t.Errorf("%d entries left in the session folder; want none", len(entries))
	}
	if _, err := keys.DataKey(install); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("the session's key: %v; want it destroyed", err)
	}
	due, err := kioskStore.DueOutbox(ctx, time.Now(), true)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].DraftID != sent.ID || due[0].Kind != citizen.OutboxSubmission {
		t.Fatalf("the kiosk's outbox = %+v; want the submission", due)
	}
	if _, err := kioskStore.Draft(ctx, unfinished.ID); citizen.ErrorCode(err) != citizen.ENOTFOUND {
		t.Errorf("the unfinished draft at the kiosk: %v; want none", err)
	}
	// A second sweep finds nothing; carrying twice stores once.
	if err := sessions.Sweep(ctx); err != nil {
		t.Fatal(err)
	}
}
