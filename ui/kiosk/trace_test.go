package kiosk_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/assets/demotest"
	"rathaus/server/servertest"
)

// TestTwoCitizensNoTrace: two citizens one after the other at one kiosk.
// The first fills a form with a file and submits while the backend cannot
// be reached, then walks away; the session ends. The second starts and
// finds nothing of the first; meanwhile the first's submission reaches the
// backend once, through the kiosk's own outbox. After the second's
// session no trace of the first is anywhere: not in the rows, not in any
// file of the data folder (WAL included, after the checkpoint), not in the
// secret store, not in the log.
func TestTwoCitizensNoTrace(t *testing.T) {
	logs := servertest.CaptureLog(t)

	ctx := context.Background()
	b := servertest.New(t)
	dir := t.TempDir()
	// The real secret store: the OS keyring where one runs (make test
	// starts one), else the key file.
	keys, err := secrets.Open(dir, "rathaus-kiosk-trace")
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("secret store: %s", keys.Backend())
	kd := newKioskDevice(t, b, dir, keys)
	kioskStore, eng, sessions := kd.store, kd.engine, kd.sessions

	// The first citizen, with the backend out of reach.
	b.Stop()
	first, err := sessions.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	install := first.Store.InstallID()
	svc := demotest.Service(t, "anmeldung-wohnung")
	d := citizen.NewDraft(svc, time.Now())
	if err := first.Store.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	data := demotest.Example(t, svc.Form.ID)
	data["person"].(map[string]any)["family_name"] = "CANARY-first-name"
	data["last_german_address"] = "CANARY-first-address"
	att, err := first.Store.AddAttachment(ctx, d.ID, "CANARY-first-file.pdf", "application/pdf",
		[]byte("%PDF-1.4\n% CANARY-first-file-content\n%%EOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	data["landlord_confirmation"] = att
	if err := first.Store.SaveDraft(ctx, d.ID, data, 2); err != nil {
		t.Fatal(err)
	}
	item, err := first.Store.Submit(ctx, d.ID, data)
	if err != nil {
		t.Fatal(err)
	}
	// A second draft the citizen left unfinished.
	left := citizen.NewDraft(svc, time.Now())
	left.Values = map[string]any{"last_german_address": "CANARY-first-unfinished"}
	if err := first.Store.CreateDraft(ctx, left); err != nil {
		t.Fatal(err)
	}
	receipts, err := first.End(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(receipts) != 1 || receipts[0].CaseNumber != "" || receipts[0].DraftID != d.ID {
		t.Fatalf("receipts = %+v; want the one submission, its case number still to come", receipts)
	}
	if _, err := keys.DataKey(install); !errors.Is(err, secrets.ErrNotFound) {
		t.Errorf("the first session's key after its end: %v; want it destroyed", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(dir, "kiosk-sessions")); len(entries) != 0 {
		t.Errorf("the session folder holds %d entries after the end; want none", len(entries))
	}

	// The second citizen finds nothing of the first.
	second, err := sessions.Start(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if drafts, err := second.Store.Drafts(ctx); err != nil || len(drafts) != 0 {
		t.Errorf("the second session's drafts = %d, %v; want none", len(drafts), err)
	}
	if items, err := second.Store.Outbox(ctx); err != nil || len(items) != 0 {
		t.Errorf("the second session's outbox = %d, %v; want none", len(items), err)
	}
	// The backend is back: the kiosk sends the first's submission, once,
	// however often it syncs.
	b.Start()
	for range 3 {
		if err := eng.Sync(ctx); err != nil {
			t.Fatal(err)
		}
	}
	if got := b.Cases(); got != 1 {
		t.Fatalf("cases at the backend = %d; want the first citizen's one", got)
	}
	if kd, err := kioskStore.Draft(ctx, d.ID); err != nil || kd.CaseNumber == "" {
		t.Fatalf("the kiosk's copy after the sync: %+v, %v; want a case number", kd, err)
	}
	if _, err := second.End(ctx); err != nil {
		t.Fatal(err)
	}
	if drafts, err := kioskStore.Drafts(ctx); err != nil || len(drafts) != 0 {
		t.Errorf("the kiosk's drafts after the purge = %d, %v; want none", len(drafts), err)
	}
	if cases, err := kioskStore.Cases(ctx); err != nil || len(cases) != 0 {
		t.Errorf("the kiosk's cases after the purge = %d, %v; want none", len(cases), err)
	}

	// No trace: the canaries and the first's ids, in any file or the log.
	needles := map[string]string{
		"name": "CANARY-first-name", "address": "CANARY-first-address", "file name": "CANARY-first-file",
		"file content": "CANARY-first-file-content", "unfinished": "CANARY-first-unfinished",
		"draft id": d.ID, "unfinished draft id": left.ID, "idempotency key": item.IdempotencyKey,
		"attachment id": att.ID, "session key name": install,
	}
	hits := scanDir(t, dir, logs.Bytes(), needles)
	for _, h := range hits {
		t.Error("found:", h)
	}
	if got := b.Cases(); got != 1 {
		t.Errorf("cases at the backend at the end = %d; want 1", got)
	}
}

func scanDir(t *testing.T, dir string, log []byte, needles map[string]string) []string {
	t.Helper()
	contents := servertest.Files(t, dir)
	contents["(log)"] = log
	var hits []string
	for what, n := range needles {
		for name, b := range contents {
			if bytes.Contains(b, []byte(n)) {
				hits = append(hits, fmt.Sprintf("%s (%q) in %s", what, n, name))
			}
		}
	}
	return hits
}
