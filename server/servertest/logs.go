package servertest

import (
	"bytes"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"testing"
)

// Log is a log sink that the backend's (or the app's) goroutines write to
// while the test reads it: for the tests that look for what a log must
// not hold (secrets, tokens, a citizen's data after a kiosk session).
type Log struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

// CaptureLog makes slog's default logger (and with it the log package's)
// write everything, debug included, to the returned Log until the test
// ends.
func CaptureLog(t testing.TB) *Log {
	t.Helper()
	l := &Log{}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug})))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return l
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

// Bytes is a copy of what was logged so far.
func (l *Log) Bytes() []byte {
	l.mu.Lock()
	defer l.mu.Unlock()
	return bytes.Clone(l.buf.Bytes())
}

// String is what was logged so far.
func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// Files reads every file under dir, keyed by its path relative to dir.
func Files(t testing.TB, dir string) map[string][]byte {
	t.Helper()
	contents := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		contents[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return contents
}
