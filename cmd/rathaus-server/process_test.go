package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// process is rathaus-server running as a process of its own: this test
// binary, which is main() with RATHAUS_SERVER_TEST_MAIN=1 (see TestMain).
type process struct {
	base string // its URL, from its log
	cmd  *exec.Cmd
	done chan error // gets Wait's result

	mu  sync.Mutex
	log []string // its last lines of log
}

// startProcess starts rathaus-server with args and env (on top of this
// process's), waits until it logs its URL and stops it when the test ends
// (SIGTERM, then SIGKILL after 15 s). A test that fails shows its log.
func startProcess(t *testing.T, env []string, args ...string) *process {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), "RATHAUS_SERVER_TEST_MAIN=1"), env...)
	// An io.Pipe rather than StderrPipe, so that Wait may run while the
	// log is still read.
	stderr, w := io.Pipe()
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &process{cmd: cmd, done: make(chan error, 1)}
	go func() {
		err := cmd.Wait()
		w.Close()
		p.done <- err
	}()
	t.Cleanup(func() {
		p.stop()
		if t.Failed() {
			p.mu.Lock()
			t.Logf("log of rathaus-server %s:\n%s", p.base, strings.Join(p.log, "\n"))
			p.mu.Unlock()
		}
	})

	urlRE := regexp.MustCompile(`msg=listening url=(\S+)`)
	found := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stderr)
		for lines.Scan() {
			p.mu.Lock()
			p.log = append(p.log, lines.Text())
			if len(p.log) > 200 {
				p.log = p.log[1:]
			}
			p.mu.Unlock()
			if m := urlRE.FindStringSubmatch(lines.Text()); m != nil {
				found <- m[1]
			}
		}
		close(found)
	}()
	select {
	case base, ok := <-found:
		if !ok {
			t.Fatalf("rathaus-server %v ended before it logged its URL:\n%s", args, strings.Join(p.log, "\n"))
		}
		p.base = base
	case <-time.After(time.Minute):
		t.Fatal("rathaus-server did not log its URL within a minute")
	}
	return p
}

// stop sends SIGTERM and waits for the process to end; it returns how it
// ended. After 15 s it kills it.
func (p *process) stop() error {
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case err := <-p.done:
		p.done <- err // for a later call
		return err
	case <-time.After(15 * time.Second):
		_ = p.cmd.Process.Kill()
		return <-p.done
	}
}

// kill ends the process with SIGKILL, as a crash would, and waits for it.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	err := <-p.done
	p.done <- err // for a later call
}
