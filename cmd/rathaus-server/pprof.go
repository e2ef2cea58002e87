package main

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"
)

// envPprof names a loopback address (127.0.0.1:6060) on which the server
// also serves net/http/pprof, with mutex and block profiles switched on.
// It is for measuring the backend under load (BENCHMARKS.md); unset, the
// default, nothing listens and nothing is sampled.
const envPprof = "RATHAUS_PPROF"

// startPprof serves the profiles on addr, which must be a loopback address:
// a profile shows request data and the endpoints cost CPU on demand. It
// returns the listener to close at the end.
func startPprof(addr string, log *slog.Logger) (net.Listener, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("%s=%q: %w", envPprof, addr, err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return nil, fmt.Errorf("%s=%q: profiles are served on a loopback address only", envPprof, addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", envPprof, err)
	}
	// One event in 100 contended mutexes, and blocking of 10 µs or more:
	// cheap enough not to change what is measured much.
	runtime.SetMutexProfileFraction(100)
	runtime.SetBlockProfileRate(int((10 * time.Microsecond).Nanoseconds()))
	mux := http.NewServeMux()
	mux.HandleFunc("/debug/pprof/", pprof.Index)
	mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		if err := srv.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			log.Warn("pprof", "err", err)
		}
	}()
	log.Warn("profiling on: pprof served", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return ln, nil
}
