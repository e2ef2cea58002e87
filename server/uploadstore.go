package server

import (
	"context"
	"io"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// diskStore is tusd's file store, with a full disk answered as 507 with
// Retry-After (tusd would send a 500). A PATCH cut short by it keeps the
// bytes that were written: HEAD gives the offset to resume from once there
// is room again.
type diskStore struct {
	filestore.FileStore
	s *Server
}

func (d diskStore) NewUpload(ctx context.Context, info tusd.FileInfo) (tusd.Upload, error) {
	u, err := d.FileStore.NewUpload(ctx, info)
	if err != nil {
		return nil, d.s.diskError(ctx, "uploads: create", err)
	}
	return diskUpload{Upload: u, s: d.s}, nil
}

func (d diskStore) GetUpload(ctx context.Context, id string) (tusd.Upload, error) {
	u, err := d.FileStore.GetUpload(ctx, id)
	if err != nil {
		return nil, err
	}
	return diskUpload{Upload: u, s: d.s}, nil
}

func (d diskStore) AsTerminatableUpload(u tusd.Upload) tusd.TerminatableUpload {
	if du, ok := u.(diskUpload); ok {
		u = du.Upload
	}
	return d.FileStore.AsTerminatableUpload(u)
}

type diskUpload struct {
	tusd.Upload
	s *Server
}

func (u diskUpload) WriteChunk(ctx context.Context, offset int64, src io.Reader) (int64, error) {
	n, err := u.Upload.WriteChunk(ctx, offset, src)
	if err != nil {
		return n, u.s.diskError(ctx, "uploads: write", err)
	}
	return n, nil
}

// diskError is tusd's answer to a file store error: a problem for a full
// disk, the error as it is (tusd's 500) for anything else.
func (s *Server) diskError(ctx context.Context, what string, err error) error {
	if !isFull(err) {
		return err
	}
	return tusError(s.failure(ctx, what, err), nil)
}
