package ui

import (
	"context"
	"errors"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"
	"github.com/zalando/go-keyring"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// switchKeyring is a keyring that can be stopped, as a Secret Service
// that is not running at one start.
type switchKeyring struct {
	mu   sync.Mutex
	m    map[string]string
	down bool
}

func (k *switchKeyring) setDown(down bool) { k.mu.Lock(); k.down = down; k.mu.Unlock() }

func (k *switchKeyring) Set(s, u, p string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return errors.New("not running")
	}
	k.m[s+"/"+u] = p
	return nil
}

func (k *switchKeyring) Get(s, u string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return "", errors.New("not running")
	}
	v, ok := k.m[s+"/"+u]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *switchKeyring) Delete(s, u string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.down {
		return errors.New("not running")
	}
	delete(k.m, s+"/"+u)
	return nil
}

// TestStartProblem_NoKeyringTryAgainOrStartAfresh: the keyring that holds
// the data key does not answer at start. The app says so instead of
// opening with a new key; "Try again" opens everything once the keyring
// runs, and "Start afresh" (confirmed) opens with a key file and a new
// key, the earlier draft locked.
func TestStartProblem_NoKeyringTryAgainOrStartAfresh(t *testing.T) {
	ctx := context.Background()
	for _, way := range []string{"try again", "start afresh"} {
		t.Run(way, func(t *testing.T) {
			a := test.NewTempApp(t)
			dir := t.TempDir()
			path := filepath.Join(dir, "rathaus.db")
			kr := &switchKeyring{m: map[string]string{}}
			var opened *store.Store
			var keys *secrets.Keychain
			open := func(fresh bool) error {
				opts := []secrets.Option{secrets.WithKeyring(kr)}
				var storeOpts []store.Option
				if fresh {
					opts = append(opts, secrets.AbandonKeyring())
					storeOpts = append(storeOpts, store.WithNewKeyIfLost())
				}
				k, err := secrets.Open(dir, "rathaus-ui-test", opts...)
				if err != nil {
					return err
				}
				st, err := store.Open(ctx, path, k, storeOpts...)
				if err != nil {
					return err
				}
				t.Cleanup(func() { st.Close() })
				opened, keys = st, k
				return nil
			}
			if err := open(false); err != nil {
				t.Fatal(err)
			}
			d := citizen.NewDraft(api.Service{ID: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 1}}, time.Now())
			d.Values = map[string]any{"given_name": "Erika"}
			if err := opened.CreateDraft(ctx, d); err != nil {
				t.Fatal(err)
			}
			opened.Close()
			opened = nil

			kr.setDown(true)
			err := open(false)
			if !errors.Is(err, secrets.ErrKeyringUnavailable) {
				t.Fatalf("open with the keyring down = %v, want ErrKeyringUnavailable", err)
			}
			shown := false
			ps := newProblemScreen(a, err, StartProblem{DataDir: dir, Open: open, Opened: func() { shown = true }})
			settled := make(chan struct{}, 1)
			ps.settled = func() { settled <- struct{}{} }
			if got, want := ps.message.Text, kit.ErrorText(err); got != want {
				t.Errorf("message = %q, want %q", got, want)
			}
			if !ps.afresh.Visible() || !ps.retry.Visible() {
				t.Fatal("want Try again and Start afresh offered")
			}

			test.Tap(uitest.ButtonIn(t, ps.win.Content(), "Try again"))
			<-settled
			if shown || ps.retry.Disabled() || ps.message.Text != kit.ErrorText(err) {
				t.Fatalf("after Try again with the keyring still down: main window %v, retry disabled %v, message %q", shown, ps.retry.Disabled(), ps.message.Text)
			}

			var wantLocked bool
			switch way {
			case "try again":
				kr.setDown(false)
				test.Tap(uitest.ButtonIn(t, ps.win.Content(), "Try again"))
				<-settled
			case "start afresh":
				test.Tap(uitest.ButtonIn(t, ps.win.Content(), "Start afresh"))
				test.Tap(uitest.ButtonIn(t, ps.win.Canvas().Overlays().Top(), "Yes"))
				<-settled
				wantLocked = true
			}
			if !shown || opened == nil {
				t.Fatalf("after %s: main window shown %v, store open %v", way, shown, opened != nil)
			}
			got, err := opened.Draft(ctx, d.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Locked != wantLocked || !wantLocked && got.Values["given_name"] != "Erika" {
				t.Errorf("draft after %s: locked %v values %v, want locked %v", way, got.Locked, got.Values, wantLocked)
			}
			if wantLocked && keys.Backend() != secrets.KeyFile {
				t.Errorf("secret store after starting afresh = %v, want a key file", keys.Backend())
			}
		})
	}
}

// TestStartProblem_DamagedKeyFileOffersNoFreshStart: a damaged key file
// may be restored; starting afresh would overwrite it, so it is not
// offered.
func TestStartProblem_DamagedKeyFileOffersNoFreshStart(t *testing.T) {
	err := &citizen.Error{Code: citizen.ESECRETS, Message: "The app's key file is damaged, so its data cannot be opened. Nothing was changed: restore the file from a backup, then try again.", Err: secrets.ErrDamaged}
	ps := newProblemScreen(test.NewTempApp(t), err, StartProblem{DataDir: t.TempDir(), Open: func(bool) error { return err }, Opened: func() {}})
	if ps.afresh.Visible() || !ps.retry.Visible() {
		t.Errorf("damaged key file: start afresh shown %v, try again shown %v; want only try again", ps.afresh.Visible(), ps.retry.Visible())
	}
}
