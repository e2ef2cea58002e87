package engine_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"sync"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/engine"
)

// The note: an outgoing kind that only the tests know, written by
// following docs/architecture.md, "Add an outgoing kind", in _test.go files
// only. A note is a short text about a draft for the town hall; the
// backend keeps each note once, under its idempotency key. Each step below
// is the file the recipe names for a real kind.

// Step 1 (app/citizen/note.go): the kind and its payload.

// notePayload is what a note carries.
type notePayload struct {
	Text string `json:"text"`
}

var noteKind = citizen.RegisterOutboxKind("note", func() citizen.OutboxPayload { return new(notePayload) })

func (*notePayload) OutboxKind() citizen.OutboxKind { return noteKind }

// Step 2 (app/store): a note is queued with Store.Enqueue, in the
// transaction of nothing else; its answer changes only the item
// (Store.Done, Store.Fail). A kind that changes more gets its methods in
// app/store/note.go.

// Step 3 (api, server): the wire types and the endpoint.

const pathNotes = "/test/notes"

type noteRequest struct {
	Draft string `json:"draft"`
	Text  string `json:"text"`
}

type noteAnswer struct {
	ID string `json:"id"`
}

// noteServer is the backend's side: it keeps each note once per
// idempotency key and answers a repeat with the first answer.
type noteServer struct {
	mu    sync.Mutex
	notes map[string]noteRequest // by idempotency key
}

func (s *noteServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	key := r.Header.Get(api.HeaderIdempotencyKey)
	var in noteRequest
	if err := json.NewDecoder(r.Body).Decode(&in); err != nil || key == "" || in.Text == "" {
		answer(w, http.StatusBadRequest, "")
		return
	}
	s.mu.Lock()
	_, repeat := s.notes[key]
	if !repeat {
		if s.notes == nil {
			s.notes = map[string]noteRequest{}
		}
		s.notes[key] = in
	}
	s.mu.Unlock()
	status := http.StatusCreated
	if repeat {
		status = http.StatusOK
	}
	w.Header().Set("Content-Type", api.ContentTypeJSON)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(noteAnswer{ID: key})
}

func (s *noteServer) held() map[string]noteRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := map[string]noteRequest{}
	for k, v := range s.notes {
		out[k] = v
	}
	return out
}

// Step 4 (sync/portal/note.go): the request is a portal.Client.Call.

// notePortal is what a note needs of the backend.
type notePortal interface {
	Call(ctx context.Context, method, path, idempotencyKey string, body, out any) (status int, err error)
}

// Step 5 (sync/engine/note.go): the sender, handed to the engine with
// engine.WithSender (a real kind is added to the engine's own senders in
// New, and its store and portal interfaces to Store and Portal).

// noteStore is what a note needs of the store.
type noteStore interface {
	Done(ctx context.Context, itemID int64) error
	Fail(ctx context.Context, itemID int64, code, message string) error
}

type noteSender struct {
	store  noteStore
	portal notePortal
}

var _ engine.Sender = (*noteSender)(nil)

func (s *noteSender) Send(ctx context.Context, it *citizen.OutboxItem, _ func()) (engine.Changed, error) {
	p, ok := it.Payload.(*notePayload)
	if !ok {
		return 0, citizen.Errorf(citizen.ELOCKED, "This note was saved with a key this device no longer has.")
	}
	var a noteAnswer
	if _, err := s.portal.Call(ctx, http.MethodPost, pathNotes, it.IdempotencyKey, noteRequest{Draft: it.DraftID, Text: p.Text}, &a); err != nil {
		return 0, err
	}
	if a.ID == "" {
		return 0, citizen.Transient(citizen.EUNAVAILABLE, "The server's answer could not be read.", errors.New("a note without id"))
	}
	return engine.ChangedOutbox, s.store.Done(ctx, it.ID)
}

func (s *noteSender) Permanent(err error) bool { return !citizen.IsTransient(err) }

func (s *noteSender) Refuse(ctx context.Context, it *citizen.OutboxItem, r engine.Refusal) (engine.Changed, error) {
	return engine.ChangedOutbox, s.store.Fail(ctx, it.ID, r.Code, r.Message)
}

// Step 6 (ui): a screen that queues notes; none here.
