package store_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// TestCarrySubmission: a session's submission, with its file, carried into
// the kiosk's store: stored once however often it is taken, under its
// idempotency key, sealed with the kiosk's key; PurgeSent leaves what is
// on its way and removes what was acknowledged.
func TestCarrySubmission(t *testing.T) {
	ctx := context.Background()
	open := func(name string) *store.Store {
		st, err := store.Open(ctx, filepath.Join(t.TempDir(), name), secrets.OpenMemory(name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	session, kiosk := open("session.db"), open("kiosk.db")
	svc := api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}
	d := citizen.NewDraft(svc, time.Now())
	if err := session.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	att, err := session.AddAttachment(ctx, d.ID, "dog.jpg", "image/jpeg", []byte("\xff\xd8 a dog"))
	if err != nil {
		t.Fatal(err)
	}
	item, err := session.Submit(ctx, d.ID, map[string]any{"dog_name": "Bello", "photo": att})
	if err != nil {
		t.Fatal(err)
	}
	pending, err := session.PendingSubmissions(ctx)
	if err != nil || len(pending) != 1 || len(pending[0].Files) != 1 || string(pending[0].Files[0].Data) != "\xff\xd8 a dog" {
		t.Fatalf("PendingSubmissions = %+v, %v", pending, err)
	}
	for range 2 {
		if err := kiosk.TakeCarried(ctx, pending[0]); err != nil {
			t.Fatal(err)
		}
	}
	due, err := kiosk.DueOutbox(ctx, time.Now(), true)
	if err != nil || len(due) != 1 || due[0].IdempotencyKey != item.IdempotencyKey || due[0].Total != att.Size {
		t.Fatalf("the kiosk's outbox = %+v, %v; want the one item under its key", due, err)
	}
	if data, err := kiosk.AttachmentData(ctx, att.ID); err != nil || string(data) != "\xff\xd8 a dog" {
		t.Errorf("the kiosk's file = %q, %v", data, err)
	}
	kd, err := kiosk.Draft(ctx, d.ID)
	if err != nil || kd.State != citizen.DraftQueued {
		t.Fatalf("the kiosk's draft = %+v, %v; want queued", kd, err)
	}
	if err := kiosk.PurgeSent(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := kiosk.Draft(ctx, d.ID); err != nil {
		t.Errorf("PurgeSent removed a submission on its way: %v", err)
	}
	if err := kiosk.Acknowledge(ctx, due[0].ID, api.Case{ID: "c1", Number: "2026-000001", Service: svc.ID, Form: svc.Form,
		Status: api.StatusReceived, Created: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if err := kiosk.PurgeSent(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := kiosk.Draft(ctx, d.ID); citizen.ErrorCode(err) != citizen.ENOTFOUND {
		t.Errorf("the sent draft after PurgeSent: %v; want gone", err)
	}
	if _, err := kiosk.AttachmentData(ctx, att.ID); err == nil {
		t.Error("the sent file is still there after PurgeSent")
	}
	if cases, err := kiosk.Cases(ctx); err != nil || len(cases) != 0 {
		t.Errorf("cases after PurgeSent = %d, %v; want none", len(cases), err)
	}
}
