package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"
)

// statusWriter remembers the status and the body size for the request log.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (flush, deadlines).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// logNote lets a handler down the chain ask logRequests to skip its line.
type logNote struct{ quiet bool }

type logNoteKey struct{}

// quiet drops the request's log line (shed requests are counted instead:
// a line each would cost the CPU that shedding is meant to save).
func quiet(r *http.Request) {
	if n, ok := r.Context().Value(logNoteKey{}).(*logNote); ok {
		n.quiet = true
	}
}

// logRequests writes one log line per request.
func (s *Server) logRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		note := &logNote{}
		next.ServeHTTP(sw, r.WithContext(context.WithValue(r.Context(), logNoteKey{}, note)))
		if note.quiet {
			return
		}
		if sw.status == 0 {
			sw.status = http.StatusOK // a handler that wrote nothing
		}
		level := slog.LevelInfo
		switch {
		case sw.status == http.StatusServiceUnavailable:
			level = slog.LevelWarn // shed or busy: many of them under load, and expected
		case sw.status >= 500:
			level = slog.LevelError
		}
		s.log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", time.Since(start)),
		)
	})
}

// recoverPanics turns a panicking handler into a 500 problem instead of a
// dropped connection, and logs the stack.
func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw := &statusWriter{ResponseWriter: w}
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v) // the handler asked for the connection to be cut
			}
			s.log.Error("handler panicked", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(v), "stack", string(debug.Stack()))
			if sw.status == 0 {
				writeProblem(w, internalError())
			}
		}()
		next.ServeHTTP(sw, r)
	})
}
