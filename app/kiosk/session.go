package kiosk

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/secrets"
	"rathaus/app/store"
)

// SessionKeys makes, hands out and destroys the data keys of sessions.
type SessionKeys interface {
	store.KeySource
	DeleteDataKey(id string) error
}

var _ SessionKeys = (*secrets.Keychain)(nil)

// Kiosk is what sessions need of the kiosk's own database, whose sync
// engine sends what citizens submitted.
type Kiosk interface {
	TakeCarried(ctx context.Context, c store.Carried) error
	Draft(ctx context.Context, id string) (*citizen.Draft, error)
	Cases(ctx context.Context) ([]citizen.Case, error)
	PurgeSent(ctx context.Context) error
	Catalog(ctx context.Context) (cat api.Catalog, etag, source string, err error)
	Form(ctx context.Context, ref api.FormRef) ([]byte, error)
}

var _ Kiosk = (*store.Store)(nil)

// installFile names the session's install id (its key's name) beside its
// database, so that a session a crash left behind can be ended.
const installFile = "install"

// Sessions makes and ends the citizen sessions of one kiosk, each in a
// folder of its own under dir.
type Sessions struct {
	dir   string
	keys  SessionKeys
	kiosk Kiosk
	now   func() time.Time
}

// NewSessions keeps sessions under dir (made if need be); now nil is
// time.Now.
func NewSessions(dir string, keys SessionKeys, kiosk Kiosk, now func() time.Time) (*Sessions, error) {
	if now == nil {
		now = time.Now
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, &citizen.Error{Code: citizen.ESTORAGE, Message: "The kiosk's session folder cannot be made.", Err: err}
	}
	return &Sessions{dir: dir, keys: keys, kiosk: kiosk, now: now}, nil
}

// Session is one citizen's: a database and a data key of its own.
type Session struct {
	ID    string
	Store *store.Store
	dir   string
	s     *Sessions
	// carried maps the drafts handed to the kiosk to their items here.
	carried map[string]int64
	ended   bool
}

// Start begins a session: a new database in a new folder, sealed with a
// new key in the secret store.
func (s *Sessions) Start(ctx context.Context) (*Session, error) {
	id := citizen.NewID()[:16]
	dir := filepath.Join(s.dir, id)
	if err := os.Mkdir(dir, 0o700); err != nil {
		return nil, &citizen.Error{Code: citizen.ESTORAGE, Message: "The kiosk's session folder cannot be made.", Err: err}
	}
	st, err := store.Open(ctx, filepath.Join(dir, "session.db"), s.keys, store.WithClock(s.now))
	if err != nil {
		_ = wipeDir(dir)
		return nil, err
	}
	if err := os.WriteFile(filepath.Join(dir, installFile), []byte(st.InstallID()), 0o600); err != nil {
		st.Close()
		_ = s.keys.DeleteDataKey(st.InstallID())
		_ = wipeDir(dir)
		return nil, &citizen.Error{Code: citizen.ESTORAGE, Message: "The kiosk's session folder cannot be written.", Err: err}
	}
	if err := s.copyCatalog(ctx, st); err != nil {
		ss := &Session{ID: id, Store: st, dir: dir, s: s, carried: map[string]int64{}}
		_, _ = ss.End(ctx)
		return nil, err
	}
	return &Session{ID: id, Store: st, dir: dir, s: s, carried: map[string]int64{}}, nil
}

// copyCatalog gives the session the kiosk's catalog and forms (the
// town's, not the citizen's): the session's screens read them from its
// own database, as the app's do.
func (s *Sessions) copyCatalog(ctx context.Context, st *store.Store) error {
	cat, etag, source, err := s.kiosk.Catalog(ctx)
	if citizen.ErrorCode(err) == citizen.ENOTFOUND {
		return nil
	}
	if err != nil {
		return err
	}
	if err := st.SaveCatalog(ctx, cat, etag, source); err != nil {
		return err
	}
	for _, svc := range cat.Services {
		body, err := s.kiosk.Form(ctx, svc.Form)
		if citizen.ErrorCode(err) == citizen.ENOTFOUND {
			continue
		}
		if err != nil {
			return err
		}
		if err := st.SaveForm(ctx, svc.Form, body); err != nil {
			return err
		}
	}
	return nil
}

// Carry hands what the citizen submitted to the kiosk's database (whose
// engine sends it) and marks it carried here: the draft stays "queued"
// here until Mirror hears of its case. Safe to call often.
func (ss *Session) Carry(ctx context.Context) error {
	pending, err := ss.Store.PendingSubmissions(ctx)
	if err != nil {
		return err
	}
	for _, c := range pending {
		if err := ss.s.kiosk.TakeCarried(ctx, c); err != nil {
			return err
		}
		if err := ss.Store.Done(ctx, c.Item.ID); err != nil {
			return err
		}
		ss.carried[c.Draft.ID] = c.Item.ID
	}
	return nil
}

// Mirror records here the cases the kiosk's engine got for what was
// carried, so that "My applications" in the session shows them sent.
func (ss *Session) Mirror(ctx context.Context) error {
	if len(ss.carried) == 0 {
		return nil
	}
	cases, err := ss.s.kiosk.Cases(ctx)
	if err != nil {
		return err
	}
	for _, c := range cases {
		item, ok := ss.carried[c.DraftID]
		if !ok {
			continue
		}
		if err := ss.Store.Acknowledge(ctx, item, api.Case{ID: c.ID, Number: c.Number, Service: c.Service, Form: c.Form,
			Status: c.Status, Created: c.Submitted, History: c.History}); err != nil {
			return err
		}
		delete(ss.carried, c.DraftID)
	}
	return nil
}

// Receipt is one submission of the session, for the citizen to take.
type Receipt struct {
	DraftID string
	Service string
	// CaseNumber is the town hall's, once the backend answered; "" while
	// the submission waits at the kiosk for a connection.
	CaseNumber string
}

// Reference is a short code of the submission (the case number once
// known) for the citizen to photograph or note.
func (r Receipt) Reference() string {
	if r.CaseNumber != "" {
		return r.CaseNumber
	}
	return strings.ToUpper(r.DraftID[:4] + "-" + r.DraftID[4:8])
}

// Receipts lists what the citizen submitted in this session.
func (ss *Session) Receipts(ctx context.Context) ([]Receipt, error) {
	drafts, err := ss.Store.Drafts(ctx)
	if err != nil {
		return nil, err
	}
	var out []Receipt
	for _, d := range drafts {
		if d.State != citizen.DraftQueued && d.State != citizen.DraftSent {
			continue
		}
		r := Receipt{DraftID: d.ID, Service: d.Service, CaseNumber: d.CaseNumber}
		if r.CaseNumber == "" {
			if kd, err := ss.s.kiosk.Draft(ctx, d.ID); err == nil {
				r.CaseNumber = kd.CaseNumber
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// End ends the session: what was submitted is carried to the kiosk, the
// receipts are read, then everything of the session goes: the database
// (checkpointed first, so that nothing waits in the WAL), its WAL and
// shared memory, the folder, and the data key in the secret store. The
// kiosk's database is purged of what was sent. Ending twice is harmless.
func (ss *Session) End(ctx context.Context) ([]Receipt, error) {
	if ss.ended {
		return nil, nil
	}
	var errs []error
	if err := ss.Carry(ctx); err != nil {
		// Not carried is not lost yet: the folder and key stay for Sweep
		// to try again (before the next session, and at the next start).
		ss.ended = true
		return nil, errors.Join(err, ss.Store.Close())
	}
	receipts, err := ss.Receipts(ctx)
	errs = append(errs, err)
	ss.ended = true
	errs = append(errs, ss.Store.Checkpoint(ctx), ss.Store.Close())
	errs = append(errs, ss.s.keys.DeleteDataKey(ss.Store.InstallID()), wipeDir(ss.dir))
	errs = append(errs, ss.s.kiosk.PurgeSent(ctx))
	return receipts, errors.Join(errs...)
}

// Sweep ends the sessions a crash or a power cut left behind (at the
// kiosk's start): what they submitted is carried, the rest wiped. A
// session whose key is gone can only be wiped.
func (s *Sessions) Sweep(ctx context.Context) error {
	entries, err := os.ReadDir(s.dir)
	if err != nil {
		return &citizen.Error{Code: citizen.ESTORAGE, Message: "The kiosk's session folder cannot be read.", Err: err}
	}
	var errs []error
	for _, e := range entries {
		dir := filepath.Join(s.dir, e.Name())
		if !e.IsDir() {
			errs = append(errs, wipeFile(dir))
			continue
		}
		install, _ := os.ReadFile(filepath.Join(dir, installFile))
		if _, err := os.Stat(filepath.Join(dir, "session.db")); err == nil && len(install) > 0 {
			if _, err := s.keys.DataKey(string(install)); err == nil {
				st, err := store.Open(ctx, filepath.Join(dir, "session.db"), s.keys, store.WithClock(s.now))
				if err == nil {
					ss := &Session{ID: e.Name(), Store: st, dir: dir, s: s, carried: map[string]int64{}}
					if _, err := ss.End(ctx); err != nil {
						errs = append(errs, err)
					}
					continue
				}
			}
		}
		if len(install) > 0 {
			errs = append(errs, s.keys.DeleteDataKey(string(install)))
		}
		errs = append(errs, wipeDir(dir))
	}
	return errors.Join(errs...)
}

// wipeDir overwrites every file in dir with zeros, then removes dir: the
// session's database is sealed, and the zeros make sure that not even its
// ciphertext stays on a disk that does not reuse the blocks at once.
func wipeDir(dir string) error {
	var errs []error
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			errs = append(errs, wipeFile(p))
		}
		return nil
	})
	if err := os.RemoveAll(dir); err != nil {
		errs = append(errs, err)
	}
	if err := errors.Join(errs...); err != nil {
		return &citizen.Error{Code: citizen.ESTORAGE, Message: "The session's data could not be deleted completely.", Err: fmt.Errorf("wiping %s: %w", dir, err)}
	}
	return nil
}

func wipeFile(p string) error {
	f, err := os.OpenFile(p, os.O_WRONLY, 0)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		return err
	}
	fi, err := f.Stat()
	if err == nil {
		zeros := make([]byte, 64<<10)
		for left := fi.Size(); left > 0 && err == nil; left -= int64(len(zeros)) {
			_, err = f.Write(zeros[:min(left, int64(len(zeros)))])
		}
		if err == nil {
			err = f.Sync()
		}
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if rerr := os.Remove(p); err == nil && !errors.Is(rerr, fs.ErrNotExist) {
		err = rerr
	}
	return err
}
