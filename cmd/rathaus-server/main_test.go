package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"rathaus/api"
)

// TestMain lets the tests run this very binary as rathaus-server: with
// RATHAUS_SERVER_TEST_MAIN=1 it is main() with the given arguments.
func TestMain(m *testing.M) {
	if os.Getenv("RATHAUS_SERVER_TEST_MAIN") == "1" {
		main()
		return
	}
	os.Exit(m.Run())
}

func getHealth(t *testing.T, base string) int {
	t.Helper()
	res, err := http.Get(base + api.PathHealth)
	if err != nil {
		t.Fatalf("GET %s: %v", api.PathHealth, err)
	}
	defer res.Body.Close()
	_, _ = io.Copy(io.Discard, res.Body)
	return res.StatusCode
}

func TestMainOpenServeClose(t *testing.T) {
	data := filepath.Join(t.TempDir(), "new", "data")
	var logs bytes.Buffer
	m := NewMain(&logs)
	m.Addr, m.DataDir = "127.0.0.1:0", data
	if err := m.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	base := m.URL()
	if got := getHealth(t, base); got != http.StatusOK {
		t.Errorf("healthz = %d, want 200", got)
	}
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}

	if !strings.Contains(logs.String(), "url="+base) {
		t.Errorf("log %q does not name the URL %s", logs.String(), base)
	}
	if fi, err := os.Stat(data); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("data folder: %v, %v; want mode 0700", fi.Mode().Perm(), err)
	}
	if _, err := os.Stat(filepath.Join(data, "rathaus.db")); err != nil {
		t.Errorf("database file: %v", err)
	}
	if _, err := http.Get(base + api.PathHealth); err == nil {
		t.Error("the server still answers after Close")
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		name               string
		args               []string
		env                map[string]string
		wantAddr, wantData string
	}{
		{"defaults", nil, nil, "127.0.0.1:8080", "./data"},
		{"env", nil, map[string]string{"RATHAUS_ADDR": ":9000", "RATHAUS_DATA": "/srv/r"}, ":9000", "/srv/r"},
		{"flags beat env", []string{"--addr", "127.0.0.1:1", "-data=/x"},
			map[string]string{"RATHAUS_ADDR": ":9000", "RATHAUS_DATA": "/srv/r"}, "127.0.0.1:1", "/x"},
		{"one of each", []string{"--data", "d"}, map[string]string{"RATHAUS_ADDR": ":9000"}, ":9000", "d"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMain(io.Discard)
			err := m.ParseFlags(tt.args, func(k string) string { return tt.env[k] }, io.Discard)
			if err != nil {
				t.Fatalf("ParseFlags: %v", err)
			}
			if m.Addr != tt.wantAddr || m.DataDir != tt.wantData {
				t.Errorf("addr, data = %q, %q; want %q, %q", m.Addr, m.DataDir, tt.wantAddr, tt.wantData)
			}
		})
	}
}

func TestHelp(t *testing.T) {
	for _, arg := range []string{"-h", "--help"} {
		t.Run(arg, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), []string{arg}, func(string) string { return "" }, &stdout, &stderr)
			if code != 0 {
				t.Errorf("exit code = %d, want 0; stderr %q", code, stderr.String())
			}
			for _, want := range []string{"--addr", "--data", "RATHAUS_ADDR", "RATHAUS_DATA", "127.0.0.1:8080", "./data", "--help"} {
				if !strings.Contains(stdout.String(), want) {
					t.Errorf("usage does not mention %s:\n%s", want, stdout.String())
				}
			}
		})
	}
}

func TestRunFailsInOneLine(t *testing.T) {
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"address in use", []string{"--addr", busy.Addr().String(), "--data", t.TempDir()}, "already in use"},
		{"bad address", []string{"--addr", "no-port", "--data", t.TempDir()}, "cannot listen on no-port"},
		{"data is a file", []string{"--addr", "127.0.0.1:0", "--data", notDir}, "data folder"},
		{"unknown flag", []string{"--port", "1"}, "flag provided but not defined"},
		{"extra argument", []string{"serve"}, `unexpected argument "serve"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(context.Background(), tt.args, func(string) string { return "" }, &stdout, &stderr)
			if code != 1 {
				t.Errorf("exit code = %d, want 1", code)
			}
			first, _, _ := strings.Cut(stderr.String(), "\n")
			if !strings.HasPrefix(first, "rathaus-server: ") || !strings.Contains(first, tt.want) {
				t.Errorf("first line of stderr = %q, want rathaus-server: ...%s...", first, tt.want)
			}
			if strings.Contains(stderr.String(), "goroutine ") {
				t.Errorf("stderr has a stack trace: %s", stderr.String())
			}
		})
	}
}

// TestProcessStopsOnSIGTERM runs the real process, as an operator would.
func TestProcessStopsOnSIGTERM(t *testing.T) {
	if testing.Short() {
		t.Skip("starts a process")
	}
	cmd := exec.Command(os.Args[0], "--addr", "127.0.0.1:0")
	cmd.Env = append(os.Environ(), "RATHAUS_SERVER_TEST_MAIN=1", "RATHAUS_DATA="+t.TempDir())
	// An io.Pipe rather than StderrPipe, so that Wait may run while the
	// test still reads.
	stderr, w := io.Pipe()
	cmd.Stderr = w
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = cmd.Process.Kill() }() // only if the test failed midway

	urlRE := regexp.MustCompile(`msg=listening url=(\S+)`)
	lines := bufio.NewScanner(stderr)
	base := ""
	for base == "" && lines.Scan() {
		if m := urlRE.FindStringSubmatch(lines.Text()); m != nil {
			base = m[1]
		}
	}
	if base == "" {
		t.Fatal("the process never logged its URL")
	}
	go func() { _, _ = io.Copy(io.Discard, stderr) }()
	if got := getHealth(t, base); got != http.StatusOK {
		t.Errorf("healthz = %d, want 200", got)
	}

	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("after SIGTERM the process ended with %v, want exit 0", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("the process did not stop within 15s of SIGTERM")
	}
}
