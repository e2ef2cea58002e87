package kiosk

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/kiosk"
	"rathaus/app/store"
	"rathaus/sync/engine"
)

// SessionSync is the sync engine as a session's screens see it: a
// submission is carried into the kiosk's database at once and the kiosk's
// engine kicked; the engine's passes are told to this session's screens
// only, and the cases they bring mirrored into the session.
type SessionSync struct {
	Engine
	session *kiosk.Session
	touch   func()

	mu        sync.Mutex
	listeners []func(engine.Status)
	newsTo    []func([]citizen.News)
}

func newSessionSync(e Engine, s *kiosk.Session, touch func()) *SessionSync {
	return &SessionSync{Engine: e, session: s, touch: touch}
}

// Kick carries what the citizen submitted, then starts a pass. A save of
// the session's screens calls it too: it counts as the citizen's touch.
func (s *SessionSync) Kick() {
	s.touch()
	s.carry()
	s.Engine.Kick()
}

// SyncNow is "Sync now": carried first, like Kick.
func (s *SessionSync) SyncNow() {
	s.carry()
	s.Engine.SyncNow()
}

func (s *SessionSync) carry() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.session.Carry(ctx); err != nil {
		slog.Error("kiosk: a submission could not be handed to the kiosk's outbox; it stays in the session", "err", citizen.ErrorCode(err))
	}
}

// OnChange registers f for this session's screens.
func (s *SessionSync) OnChange(f func(engine.Status)) {
	s.mu.Lock()
	s.listeners = append(s.listeners, f)
	s.mu.Unlock()
}

// OnNews registers f for this session's screens.
func (s *SessionSync) OnNews(f func([]citizen.News)) {
	s.mu.Lock()
	s.newsTo = append(s.newsTo, f)
	s.mu.Unlock()
}

// changed mirrors the cases of a pass into the session and tells its
// screens.
func (s *SessionSync) changed(st engine.Status) {
	if st.Changed.Any(engine.ChangedOutbox | engine.ChangedCases) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		if err := s.session.Mirror(ctx); err != nil {
			slog.Error("kiosk: a case could not be shown in the session", "err", citizen.ErrorCode(err))
		}
		cancel()
	}
	s.mu.Lock()
	ls := append([]func(engine.Status){}, s.listeners...)
	s.mu.Unlock()
	for _, f := range ls {
		f(st)
	}
}

// news: the kiosk's device hears of earlier citizens' cases too; a
// session shows none of them.
func (s *SessionSync) news([]citizen.News) {}

// TouchStore is a session's store whose saves count as the citizen's
// touch: typing into a form restarts the countdown.
type TouchStore struct {
	*store.Store
	touch func()
}

// SaveDraft implements the forms' store.
func (t *TouchStore) SaveDraft(ctx context.Context, id string, values map[string]any, step int) error {
	t.touch()
	return t.Store.SaveDraft(ctx, id, values, step)
}

// Store is the session's store for its screens.
func (s *SessionSync) Store() *TouchStore { return &TouchStore{Store: s.session.Store, touch: s.touch} }
