package server

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// runJanitor sweeps the uploads every interval until the server closes.
func (s *Server) runJanitor(interval time.Duration) {
	defer close(s.janitorDone)
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-s.stop:
			return
		case <-t.C:
			ctx, cancel := context.WithTimeout(context.Background(), interval)
			n, err := s.SweepUploads(ctx)
			cancel()
			if err != nil {
				s.log.Error("uploads: janitor", "err", err)
			} else if n > 0 {
				s.log.Info("uploads: janitor ended expired uploads", "count", n)
			}
			if s.oidc != nil {
				ctx, cancel := context.WithTimeout(context.Background(), interval)
				if _, err := s.oidc.Sweep(ctx); err != nil {
					s.log.Error("oidc: janitor", "err", err)
				}
				cancel()
			}
			// Handoffs are claimed within 30 minutes or never: a day later
			// their rows go (the ciphertext went at the claim).
			ctx, cancel = context.WithTimeout(context.Background(), interval)
			if _, err := s.store.DeleteHandoffs(ctx, s.now().Add(-24*time.Hour)); err != nil {
				s.log.Error("handoffs: janitor", "err", err)
			}
			cancel()
		}
	}
}

// SweepUploads ends the uploads that expired (Config.UploadTTL): unfinished
// ones created longer ago, and finished ones that no case uses, finished
// longer ago; their bytes and records go. Uploads a case uses are kept. It
// also removes files the store has no record of, once they are as old. It
// returns how many uploads it ended. The janitor calls it every
// Config.JanitorInterval; tests may call it directly.
func (s *Server) SweepUploads(ctx context.Context) (int, error) {
	cutoff := s.now().Add(-s.uploads.ttl)
	ids, err := s.store.ExpiredUploads(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	ended := 0
	var errs []error
	for _, id := range ids {
		switch err := s.endUpload(ctx, id, true); {
		case err == nil:
			ended++
		case !errors.Is(err, ErrUploadInUse):
			errs = append(errs, err)
		}
	}
	n, err := s.sweepOrphans(ctx, cutoff)
	return ended + n, errors.Join(append(errs, err)...)
}

// endUpload takes the upload's lock (which interrupts a PATCH still
// running), forgets its record unless a case uses it, and removes its
// bytes. With record=false it only removes bytes that have no record.
func (s *Server) endUpload(ctx context.Context, id string, record bool) error {
	lock, err := s.uploads.locker.NewLock(id)
	if err != nil {
		return err
	}
	lctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := lock.Lock(lctx, func() {}); err != nil {
		return err
	}
	defer func() { _ = lock.Unlock() }()
	if record {
		if err := s.store.DeleteUpload(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
	} else if _, err := s.store.Upload(ctx, id); !errors.Is(err, ErrNotFound) {
		return ErrUploadInUse // it has a record after all (or the store failed): leave it
	}
	// The backend never moves an upload's binary (no Storage path in the
	// pre-create hook), so the files are where the file store puts them;
	// removing them directly also copes with a damaged .info.
	return removeUploadFiles(s.uploads.files.Path, id)
}

// sweepOrphans removes upload files older than cutoff that have no record,
// for example after a crash between forgetting an upload and removing it.
func (s *Server) sweepOrphans(ctx context.Context, cutoff time.Time) (int, error) {
	entries, err := os.ReadDir(s.uploads.files.Path)
	if err != nil {
		return 0, err
	}
	newest := map[string]time.Time{}
	for _, e := range entries {
		id := strings.TrimSuffix(e.Name(), ".info")
		if !uploadIDPattern.MatchString(id) {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue // removed meanwhile
		}
		if t, ok := newest[id]; !ok || fi.ModTime().After(t) {
			newest[id] = fi.ModTime()
		}
	}
	n := 0
	var errs []error
	for id, t := range newest {
		if !t.Before(cutoff) {
			continue
		}
		switch err := s.endUpload(ctx, id, false); {
		case err == nil:
			n++
		case !errors.Is(err, ErrUploadInUse):
			errs = append(errs, err)
		}
	}
	return n, errors.Join(errs...)
}

func removeUploadFiles(dir, id string) error {
	var errs []error
	for _, name := range []string{id, id + ".info"} {
		if err := os.Remove(filepath.Join(dir, name)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
