package fill_test

import (
	"context"
	"encoding/json"
	"errors"
	"sync"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/assets/demotest"
)

// recorder is the store as a State sees it, recording each save it is
// handed; it can refuse saves (a full disk) and hold them (a slow disk).
type recorder struct {
	fill.Saver

	mu      sync.Mutex
	saved   []map[string]any // the values of each save that worked, as handed over
	tries   int
	fail    error
	started chan struct{} // if set, told when a save starts
	release chan struct{} // if set, a save waits for it
}

func (r *recorder) SaveDraft(ctx context.Context, id string, values map[string]any, step int) error {
	r.mu.Lock()
	r.tries++
	fail, started, release := r.fail, r.started, r.release
	r.mu.Unlock()
	if started != nil {
		started <- struct{}{}
	}
	if release != nil {
		<-release
	}
	if fail != nil {
		return fail
	}
	if err := r.Saver.SaveDraft(ctx, id, values, step); err != nil {
		return err
	}
	r.mu.Lock()
	r.saved = append(r.saved, values)
	r.mu.Unlock()
	return nil
}

func (r *recorder) counts() (tries, saved int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tries, len(r.saved)
}

func (r *recorder) last() map[string]any {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.saved) == 0 {
		return nil
	}
	return r.saved[len(r.saved)-1]
}

var errDiskFull = &citizen.Error{Code: citizen.ESTORAGE, Message: "The device's storage is full."}

// TestTypingIsSavedWhenItPauses: letters typed 150 ms apart are not saved
// one by one: the first save comes 2 s (the longest wait) after the first
// letter, with what was typed by then; the rest is saved 400 ms after the
// last letter. Until then the state says the change waits.
func TestTypingIsSavedWhenItPauses(t *testing.T) {
	r := newRig(t, "hundesteuer", nil)
	rec := &recorder{Saver: r.store}
	s := r.open("en", rec)
	const name = "Mustermann-Schmidt" // 18 letters: 2.55 s of typing
	var byMax string                  // what was typed when the longest wait ran out
	start := r.clock.Now()
	for i := range len(name) {
		s.Set("/family_name", name[:i+1])
		if st := s.SaveStatus(); !st.Pending {
			t.Fatalf("letter %d: SaveStatus() = %+v, want the change pending", i+1, st)
		}
		if r.clock.Now().Sub(start) < fill.DefaultMax {
			byMax = name[:i+1]
		}
		r.clock.Advance(150 * time.Millisecond)
	}
	if _, n := rec.counts(); n != 1 || rec.last()["family_name"] != byMax {
		t.Fatalf("saves while typing: %d, the last with %v; want one, after 2 s, with %q", n, rec.last()["family_name"], byMax)
	}
	r.clock.Advance(fill.DefaultQuiet - 150*time.Millisecond - time.Millisecond)
	if _, n := rec.counts(); n != 1 {
		t.Fatalf("saves before 400 ms of quiet = %d, want still 1", n)
	}
	r.clock.Advance(time.Millisecond)
	if _, n := rec.counts(); n != 2 || rec.last()["family_name"] != name {
		t.Fatalf("saves after the pause = %d, the last with %v; want 2, the last with %q", n, rec.last()["family_name"], name)
	}
	if st := s.SaveStatus(); st.Pending || st.Err != nil || !st.Saved.Equal(r.clock.Now()) {
		t.Errorf("SaveStatus() after the pause = %+v, want saved at %v", st, r.clock.Now())
	}
	if got := r.stored(t).Values["family_name"]; got != name {
		t.Errorf("stored family_name = %v, want %q", got, name)
	}
	if n := r.clock.Waiting(); n != 0 {
		t.Errorf("timers left = %d, want none", n)
	}
}

// TestSaveStatusCoversOnlyWhatWasSaved: "saved at" moves only with a save
// that covers every change: a change after it is pending again, with the
// earlier time.
func TestSaveStatusCoversOnlyWhatWasSaved(t *testing.T) {
	r := newRig(t, "hundesteuer", nil)
	s := r.open("en")
	if st := s.SaveStatus(); st.Pending || !st.Saved.IsZero() || st.Err != nil {
		t.Fatalf("SaveStatus() of a draft just opened = %+v, want nothing to say", st)
	}
	s.Set("/given_name", "Erika")
	r.clock.Advance(fill.DefaultQuiet)
	first := s.SaveStatus()
	if first.Pending || !first.Saved.Equal(r.clock.Now()) {
		t.Fatalf("SaveStatus() after the quiet time = %+v, want saved at %v", first, r.clock.Now())
	}
	r.clock.Advance(time.Minute)
	s.Set("/given_name", "Erika M")
	if st := s.SaveStatus(); !st.Pending || !st.Saved.Equal(first.Saved) {
		t.Errorf("SaveStatus() after another change = %+v, want pending, last saved at %v", st, first.Saved)
	}
}

// TestMovesSaveAtOnce: whatever leaves the fields typed in (a step change
// either way, "next" refused, the summary's "change", an item added or
// removed, leaving or sending: Flush) saves at once and leaves no timer.
func TestMovesSaveAtOnce(t *testing.T) {
	values := demotest.Example(t, "anmeldung-wohnung")
	tests := []struct {
		name string
		do   func(t *testing.T, r *rig, s *fill.State)
	}{
		{"next", func(t *testing.T, r *rig, s *fill.State) {
			if !s.Next() {
				t.Fatalf("next refused: %s %s", s.Focus(), s.Message(s.Focus()))
			}
		}},
		{"next refused", func(t *testing.T, r *rig, s *fill.State) {
			s.Set("/person/family_name", nil)
			if s.Next() {
				t.Fatal("next without a family name moved on")
			}
		}},
		{"back", func(t *testing.T, r *rig, s *fill.State) {
			s.GoTo(demotest.Step(t, r.form, "wohnung"))
			s.Set("/person/family_name", "Kowalska-Nowak")
			if !s.Back() {
				t.Fatal("back did not move")
			}
		}},
		{"change from the summary", func(t *testing.T, r *rig, s *fill.State) {
			s.GoTo(demotest.Step(t, r.form, "wohnung"))
		}},
		{"add an item", func(t *testing.T, r *rig, s *fill.State) { s.AddItem("/members") }},
		{"remove an item", func(t *testing.T, r *rig, s *fill.State) { s.RemoveItem("/members", 0) }},
		{"flush", func(t *testing.T, r *rig, s *fill.State) {
			if err := s.Flush(); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, "anmeldung-wohnung", values)
			s := r.open("en")
			s.Set("/person/given_names", "Anna Maria")
			tt.do(t, r, s)
			if st := s.SaveStatus(); st.Pending || st.Err != nil {
				t.Fatalf("SaveStatus() = %+v, want everything saved", st)
			}
			d := r.stored(t)
			if got, want := d.Values, s.Values(); !sameJSON(got, want) {
				t.Errorf("stored values = %v, want the state's %v", got, want)
			}
			if d.Step != s.Step() {
				t.Errorf("stored step = %d, want %d", d.Step, s.Step())
			}
			if n := r.clock.Waiting(); n != 0 {
				t.Errorf("timers left = %d, want none", n)
			}
		})
	}
}

// TestFailedSaveIsRetried: a save that fails (a full disk) says so and is
// not retried by itself; the next change's save, or a Flush, saves every
// value kept meanwhile.
func TestFailedSaveIsRetried(t *testing.T) {
	for _, retry := range []string{"next change", "flush"} {
		t.Run(retry, func(t *testing.T) {
			r := newRig(t, "hundesteuer", nil)
			rec := &recorder{Saver: r.store, fail: errDiskFull}
			s := r.open("en", rec)
			s.Set("/given_name", "Erika")
			r.clock.Advance(fill.DefaultQuiet)
			if st := s.SaveStatus(); !errors.Is(st.Err, errDiskFull) || !st.Pending {
				t.Fatalf("SaveStatus() after a failed save = %+v, want the error and the change pending", st)
			}
			r.clock.Advance(time.Hour)
			if tries, _ := rec.counts(); tries != 1 {
				t.Errorf("tries without a change = %d, want 1", tries)
			}
			if st := s.SaveStatus(); st.Err == nil {
				t.Error("the error went away by itself")
			}
			rec.mu.Lock()
			rec.fail = nil // space again
			rec.mu.Unlock()
			switch retry {
			case "next change":
				s.Set("/family_name", "Mustermann")
				r.clock.Advance(fill.DefaultQuiet)
			case "flush":
				if err := s.Flush(); err != nil {
					t.Fatal(err)
				}
			}
			if st := s.SaveStatus(); st.Err != nil || st.Pending {
				t.Errorf("SaveStatus() after the retry = %+v, want saved", st)
			}
			if got := r.stored(t).Values["given_name"]; got != "Erika" {
				t.Errorf("stored given_name = %v, want Erika (kept from the failed save)", got)
			}
		})
	}
}

// TestTimersSaveNeverLandsAfterANewerOne: the timer's save runs on its
// own goroutine while the citizen goes on typing; it writes a copy of the
// values as they were when it started, and a Flush meanwhile waits for it,
// then writes the newer values: the store ends with the newest.
func TestTimersSaveNeverLandsAfterANewerOne(t *testing.T) {
	r := newRig(t, "hundesteuer", nil)
	rec := &recorder{Saver: r.store, started: make(chan struct{}), release: make(chan struct{})}
	s := r.open("en", rec)
	notified := make(chan struct{}, 4)
	s.Notify(func() { notified <- struct{}{} })
	s.Set("/given_name", "Erika")
	timer := make(chan struct{})
	go func() { // the timer's goroutine
		defer close(timer)
		r.clock.Advance(fill.DefaultQuiet)
	}()
	<-rec.started // the timer's save is under way, and waits
	s.Set("/given_name", "Erika Maria")
	flushed := make(chan error)
	go func() { flushed <- s.Flush() }()
	rec.release <- struct{}{} // the timer's save ends
	<-rec.started             // the flush's begins
	rec.release <- struct{}{}
	if err := <-flushed; err != nil {
		t.Fatal(err)
	}
	<-timer
	rec.mu.Lock()
	saved := rec.saved
	rec.mu.Unlock()
	if len(saved) != 2 || saved[0]["given_name"] != "Erika" || saved[1]["given_name"] != "Erika Maria" {
		t.Fatalf("saves = %v, want Erika, then Erika Maria", saved)
	}
	if got := r.stored(t).Values["given_name"]; got != "Erika Maria" {
		t.Errorf("stored given_name = %v, want Erika Maria", got)
	}
	if st := s.SaveStatus(); st.Pending || st.Err != nil {
		t.Errorf("SaveStatus() = %+v, want saved", st)
	}
	if n := len(notified); n != 1 {
		t.Errorf("notifications = %d, want 1: the timer's save (a flush's caller knows)", n)
	}
}

func sameJSON(a, b map[string]any) bool {
	x, err1 := json.Marshal(a)
	y, err2 := json.Marshal(b)
	return err1 == nil && err2 == nil && string(x) == string(y)
}
