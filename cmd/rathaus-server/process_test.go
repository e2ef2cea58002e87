package main

import (
	"os"
	"strings"
	"sync"
	"testing"

	"rathaus/server/serverproc"
)

// startServer runs rathaus-server as a process of its own through
// serverproc, on the data folder with args and env (on top of this
// process's), and returns once it answers /healthz. The binary is this test
// binary, which is main() with RATHAUS_SERVER_TEST_MAIN=1 (see TestMain):
// no build, and it is the code under test. The server is stopped when the
// test ends (SIGTERM, SIGKILL if that fails); a test that fails shows the
// end of its log.
func startServer(t *testing.T, data string, env []string, args ...string) *serverproc.Process {
	t.Helper()
	log := &logTail{}
	p, err := serverproc.Start(t.Context(), serverproc.Config{
		Bin:     os.Args[0],
		DataDir: data,
		Args:    args,
		Env:     append([]string{"RATHAUS_SERVER_TEST_MAIN=1"}, env...),
		Log:     log,
	})
	if err != nil {
		t.Fatalf("%v; its log:\n%s", err, log)
	}
	t.Cleanup(func() {
		if p.Stop() != nil {
			_ = p.Kill()
		}
		if t.Failed() {
			t.Logf("log of rathaus-server %s:\n%s", p.URL(), log)
		}
	})
	return p
}

// logTail keeps the last lines written to it; the server's process writes
// from a goroutine of exec's.
type logTail struct {
	mu    sync.Mutex
	lines []string
	part  string
}

func (l *logTail) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	all := strings.Split(l.part+string(b), "\n")
	l.part = all[len(all)-1]
	l.lines = append(l.lines, all[:len(all)-1]...)
	if over := len(l.lines) - 200; over > 0 {
		l.lines = l.lines[over:]
	}
	return len(b), nil
}

func (l *logTail) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(append(l.lines, l.part), "\n")
}
