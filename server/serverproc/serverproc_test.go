package serverproc_test

import (
	"net/http"
	"os"
	"path/filepath"
	"testing"
	"time"

	"rathaus/server/serverproc"
)

// TestLifecycle: the built server starts healthy, a SIGKILL leaves it
// down, a restart brings it back on the same address and data, and SIGTERM
// ends it cleanly.
func TestLifecycle(t *testing.T) {
	ctx := t.Context()
	bin, err := serverproc.Build(ctx, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data := t.TempDir()
	p, err := serverproc.Start(ctx, serverproc.Config{Bin: bin, DataDir: data})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Kill() })
	client := &http.Client{Timeout: 2 * time.Second}
	if err := serverproc.Health(ctx, client, p.URL()); err != nil {
		t.Fatalf("health after Start: %v", err)
	}
	if err := p.Restart(ctx); err == nil {
		t.Error("Restart of a running server did not fail")
	}
	url := p.URL()
	if err := p.Kill(); err != nil {
		t.Fatal(err)
	}
	if p.Alive() || p.ExitErr() == nil {
		t.Errorf("after Kill: alive %v, exit %v; want a process killed by a signal", p.Alive(), p.ExitErr())
	}
	if err := serverproc.Health(ctx, client, url); err == nil {
		t.Error("the killed server still answers")
	}
	if err := p.Restart(ctx); err != nil {
		t.Fatal(err)
	}
	if p.URL() != url || serverproc.Health(ctx, client, url) != nil {
		t.Errorf("after Restart: URL %s (was %s), health %v", p.URL(), url, serverproc.Health(ctx, client, url))
	}
	if err := p.Stop(); err != nil {
		t.Fatal(err)
	}
	if p.Alive() || p.ExitErr() != nil {
		t.Errorf("after Stop: alive %v, exit %v; want a clean exit", p.Alive(), p.ExitErr())
	}
	if _, err := os.Stat(filepath.Join(data, "rathaus.db")); err != nil {
		t.Errorf("the data folder has no database: %v", err)
	}
}
