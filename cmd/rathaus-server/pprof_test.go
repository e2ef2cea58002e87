package main

import (
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestPprofLoopbackOnly(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, addr := range []string{"0.0.0.0:0", ":0", "192.0.2.1:0", "example.org:0", "no-port"} {
		t.Run(addr, func(t *testing.T) {
			ln, err := startPprof(addr, log)
			if err == nil {
				ln.Close()
				t.Fatalf("startPprof(%q) listened on %s; want a refusal", addr, ln.Addr())
			}
			if !strings.Contains(err.Error(), envPprof) {
				t.Errorf("error %q does not name %s", err, envPprof)
			}
		})
	}
	t.Run("127.0.0.1:0", func(t *testing.T) {
		ln, err := startPprof("127.0.0.1:0", log)
		if err != nil {
			t.Fatal(err)
		}
		defer ln.Close()
		resp, err := http.Get("http://" + ln.Addr().String() + "/debug/pprof/mutex?debug=1")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), "mutex") {
			t.Errorf("GET /debug/pprof/mutex: %d %.80q", resp.StatusCode, body)
		}
	})
}
