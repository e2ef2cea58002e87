package server

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"syscall"
	"testing"

	tusd "github.com/tus/tusd/v2/pkg/handler"
)

// failingUpload is an upload whose writes fail with err after n bytes.
type failingUpload struct {
	tusd.Upload
	n   int64
	err error
}

func (f failingUpload) WriteChunk(context.Context, int64, io.Reader) (int64, error) {
	return f.n, f.err
}

// TestDiskUploadFull: a write that fails for a full disk or quota is
// tusd's 507 problem with Retry-After, keeping the count of bytes
// written; other failures stay tusd's own (500).
func TestDiskUploadFull(t *testing.T) {
	s := &Server{log: slog.New(slog.DiscardHandler)}
	tests := []struct {
		name   string
		err    error
		status int
	}{
		{"ENOSPC", &os.PathError{Op: "write", Path: "x", Err: syscall.ENOSPC}, http.StatusInsufficientStorage},
		{"EDQUOT", &os.PathError{Op: "write", Path: "x", Err: syscall.EDQUOT}, http.StatusInsufficientStorage},
		{"EIO", &os.PathError{Op: "write", Path: "x", Err: syscall.EIO}, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := diskUpload{Upload: failingUpload{n: 42, err: tt.err}, s: s}.WriteChunk(context.Background(), 0, nil)
			if n != 42 {
				t.Errorf("written = %d, want 42", n)
			}
			te, ok := errors.AsType[tusd.Error](err)
			switch {
			case tt.status == 0 && ok:
				t.Errorf("err = %+v, want the store's error as it is", te)
			case tt.status != 0 && (!ok || te.HTTPResponse.StatusCode != tt.status || te.HTTPResponse.Header["Retry-After"] == ""):
				t.Errorf("err = %#v, want a tusd.Error with %d and Retry-After", err, tt.status)
			}
		})
	}
}
