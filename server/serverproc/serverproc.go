// Package serverproc runs the real rathaus-server binary as a child process,
// for the harnesses that must treat it as the operating system does: the
// load test measures it over loopback, the crash tests SIGKILL it and start
// it again on the same data folder, and cmd/rathaus-server's tests run it as
// an operator does (SIGTERM, two processes on one PostgreSQL). Tests of
// single handlers use server/servertest instead, which runs the backend
// in-process.
package serverproc

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"rathaus/api"
)

// Build compiles rathaus-server (with the GOFLAGS of the environment, so
// that it shares the build cache) into dir and returns the binary's path.
func Build(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "rathaus-server")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "rathaus/cmd/rathaus-server")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("serverproc: go build rathaus-server: %w\n%s", err, out)
	}
	return bin, nil
}

// NoQuotas are rathaus-server's flags that switch off the quotas per
// device and per client address, and the cap on connections per address:
// they guard a town against one abusive client, and a harness, all of
// whose traffic comes from 127.0.0.1, would measure them instead of the
// backend. Admission control (requests at once, queue, request timeout)
// and the cap on all connections stay as configured.
var NoQuotas = []string{
	"--submissions-per-hour", "0", "--address-submissions-per-hour", "0",
	"--address-draft-writes-per-hour", "0", "--max-open-cases", "0",
	"--max-conns-per-address", "0",
	"--address-uploads-per-hour", "0", "--address-upload-mb-per-hour", "0",
	"--address-upload-mb-per-day", "0", "--device-uploads-per-hour", "0",
	"--device-upload-mb-per-hour", "0", "--max-upload-mb-held", "0",
}

// Config says how to run the server.
type Config struct {
	// Bin is the rathaus-server binary (see Build), or another server
	// that takes --addr and --data (the load test's baseline; a test
	// binary that is rathaus-server's main() when Env says so).
	Bin string
	// Command goes before --addr and --data (a subcommand).
	Command []string
	// DataDir is the --data folder; it survives restarts.
	DataDir string
	// Addr is host:port to listen on; "" picks a free loopback port once,
	// which every restart reuses, as a real server comes back at its
	// address.
	Addr string
	// Args go to the server after --addr and --data (for example
	// "--db", "postgres://...").
	Args []string
	// Env is added to the environment the server inherits.
	Env []string
	// Log receives the server's standard error (its request log); nil
	// discards it. Writes to it come from another goroutine.
	Log io.Writer
	// StartTimeout bounds how long Start waits for /healthz to answer 200
	// (default 30 s).
	StartTimeout time.Duration
}

// Process is a running (or exited) server.
type Process struct {
	cfg Config
	url string

	mu     sync.Mutex
	cmd    *exec.Cmd
	exited chan struct{} // closed when cmd has been waited for
	err    error         // cmd.Wait's result, once exited
}

// Start starts the server and returns once its /healthz answers 200.
func Start(ctx context.Context, cfg Config) (*Process, error) {
	if cfg.Bin == "" || cfg.DataDir == "" {
		return nil, errors.New("serverproc: Config needs Bin and DataDir")
	}
	if cfg.Addr == "" {
		addr, err := freeAddr()
		if err != nil {
			return nil, err
		}
		cfg.Addr = addr
	}
	if cfg.StartTimeout == 0 {
		cfg.StartTimeout = 30 * time.Second
	}
	p := &Process{cfg: cfg, url: "http://" + cfg.Addr}
	if err := p.start(ctx); err != nil {
		return nil, err
	}
	return p, nil
}

// freeAddr asks the kernel for a free loopback port.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("serverproc: find a free port: %w", err)
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// URL is the server's base URL ("http://127.0.0.1:PORT").
func (p *Process) URL() string { return p.url }

// PID is the process id of the server that runs now (0 when none).
func (p *Process) PID() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cmd == nil || p.cmd.Process == nil {
		return 0
	}
	return p.cmd.Process.Pid
}

func (p *Process) start(ctx context.Context) error {
	args := append(append(append([]string{}, p.cfg.Command...), "--addr", p.cfg.Addr, "--data", p.cfg.DataDir), p.cfg.Args...)
	// Not CommandContext: the caller's context bounds the start, not the
	// life of the server.
	cmd := exec.Command(p.cfg.Bin, args...)
	cmd.Env = append(os.Environ(), p.cfg.Env...)
	cmd.Stdout = p.cfg.Log
	cmd.Stderr = p.cfg.Log
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("serverproc: start %s: %w", p.cfg.Bin, err)
	}
	exited := make(chan struct{})
	p.mu.Lock()
	p.cmd, p.exited, p.err = cmd, exited, nil
	p.mu.Unlock()
	go func() {
		err := cmd.Wait()
		p.mu.Lock()
		p.err = err
		p.mu.Unlock()
		close(exited)
	}()
	if err := p.waitHealthy(ctx, exited); err != nil {
		_ = p.Kill()
		return err
	}
	return nil
}

// waitHealthy polls /healthz until it answers 200, the process exits or
// the start timeout passes.
func (p *Process) waitHealthy(ctx context.Context, exited <-chan struct{}) error {
	ctx, cancel := context.WithTimeout(ctx, p.cfg.StartTimeout)
	defer cancel()
	client := &http.Client{Timeout: time.Second}
	for {
		if err := Health(ctx, client, p.url); err == nil {
			return nil
		}
		select {
		case <-exited:
			p.mu.Lock()
			err := p.err
			p.mu.Unlock()
			return fmt.Errorf("serverproc: the server exited while starting: %v", err)
		case <-ctx.Done():
			return fmt.Errorf("serverproc: %s/healthz did not answer 200 within %v", p.url, p.cfg.StartTimeout)
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// Health asks base's /healthz once; nil means 200.
func Health(ctx context.Context, client *http.Client, base string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimRight(base, "/")+api.PathHealth, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(res.Body, 1<<16))
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("healthz: %s", res.Status)
	}
	return nil
}

// Kill sends SIGKILL (no chance to flush or close anything, like a power
// cut for the process) and waits until the process is gone. Killing a
// process that exited already is not an error.
func (p *Process) Kill() error {
	return p.signal(syscall.SIGKILL)
}

// Stop asks the server to shut down cleanly (SIGTERM) and waits for it.
func (p *Process) Stop() error {
	return p.signal(syscall.SIGTERM)
}

func (p *Process) signal(sig syscall.Signal) error {
	p.mu.Lock()
	cmd, exited := p.cmd, p.exited
	p.mu.Unlock()
	if cmd == nil {
		return nil
	}
	if err := cmd.Process.Signal(sig); err != nil && !errors.Is(err, os.ErrProcessDone) {
		return fmt.Errorf("serverproc: %v: %w", sig, err)
	}
	select {
	case <-exited:
	case <-time.After(30 * time.Second):
		return fmt.Errorf("serverproc: the server did not exit within 30 s of %v", sig)
	}
	return nil
}

// Restart starts the server again on the same address and data folder,
// after it was killed or stopped, and waits until it is healthy. The port
// may linger for a moment after a kill, so a start that fails is tried
// again a few times.
func (p *Process) Restart(ctx context.Context) error {
	if p.Alive() {
		return errors.New("serverproc: Restart while the server still runs")
	}
	var err error
	for range 5 {
		if err = p.start(ctx); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

// Alive reports whether the server process still runs.
func (p *Process) Alive() bool {
	p.mu.Lock()
	exited := p.exited
	p.mu.Unlock()
	if exited == nil {
		return false
	}
	select {
	case <-exited:
		return false
	default:
		return true
	}
}

// ExitErr is the result of the server's last exit (nil while it runs or
// after a clean exit).
func (p *Process) ExitErr() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}
