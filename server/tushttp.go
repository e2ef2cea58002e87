package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"

	xslog "golang.org/x/exp/slog"

	"rathaus/api"
)

// tusProblemWriter turns tusd's own plain-text errors
// ("ERR_UPLOAD_NOT_FOUND: upload not found") into problem details, so that
// clients parse one kind of error body everywhere: it holds such an error
// back until finish. Errors from the backend's hooks are problem details
// already and pass through. It remembers the status of the answer.
type tusProblemWriter struct {
	http.ResponseWriter
	status int          // an error status held back, 0 while none
	body   bytes.Buffer // its plain-text body
	sent   bool
	code   int // the status of the answer, sent or held back; 0 while none
}

// Status is the status of the answer so far (0 while there is none).
func (w *tusProblemWriter) Status() int { return w.code }

func (w *tusProblemWriter) WriteHeader(code int) {
	if w.sent || w.status != 0 {
		return
	}
	w.code = code
	if code >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "text/plain") {
		w.status = code
		return
	}
	w.sent = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *tusProblemWriter) Write(b []byte) (int, error) {
	if w.status != 0 {
		return w.body.Write(b)
	}
	if !w.sent {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap lets tusd's http.ResponseController reach the connection: it
// moves the read and write deadlines along while a PATCH streams in.
func (w *tusProblemWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// finish sends the held-back error as a problem.
func (w *tusProblemWriter) finish() {
	if w.status == 0 {
		return
	}
	detail := strings.TrimSpace(w.body.String())
	if code, msg, ok := strings.Cut(detail, ": "); ok && strings.HasPrefix(code, "ERR_") {
		detail = upperFirst(msg) + " (" + code + ")."
	}
	if detail == "" {
		detail = http.StatusText(w.status) + "."
	}
	typ := "about:blank"
	switch w.status {
	case http.StatusBadRequest:
		typ = api.ProblemBadRequest
	case http.StatusNotFound, http.StatusGone:
		typ = api.ProblemNotFound
	case http.StatusRequestEntityTooLarge:
		typ = api.ProblemTooLarge
	case http.StatusConflict:
		typ = api.ProblemConflict
	case http.StatusInternalServerError:
		typ = api.ProblemInternal
	}
	title := http.StatusText(w.status)
	if title == "" {
		title = "Error"
	}
	writeProblem(w.ResponseWriter, &api.Problem{Type: typ, Title: title, Status: w.status, Detail: detail})
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// newTusLogger gives tusd (which logs with golang.org/x/exp/slog) a logger
// that writes warnings and errors to the server's log and drops tusd's
// per-request chatter; the server logs every request itself.
func newTusLogger(l *slog.Logger) *xslog.Logger {
	return xslog.New(tusLogHandler{h: l.Handler()})
}

type tusLogHandler struct{ h slog.Handler }

func (a tusLogHandler) Enabled(ctx context.Context, l xslog.Level) bool {
	return l >= xslog.LevelWarn && a.h.Enabled(ctx, slog.Level(l))
}

func (a tusLogHandler) Handle(ctx context.Context, r xslog.Record) error {
	rec := slog.NewRecord(r.Time, slog.Level(r.Level), "tus: "+r.Message, r.PC)
	r.Attrs(func(x xslog.Attr) bool {
		rec.AddAttrs(convertAttr(x))
		return true
	})
	return a.h.Handle(ctx, rec)
}

func (a tusLogHandler) WithAttrs(attrs []xslog.Attr) xslog.Handler {
	out := make([]slog.Attr, len(attrs))
	for i, x := range attrs {
		out[i] = convertAttr(x)
	}
	return tusLogHandler{h: a.h.WithAttrs(out)}
}

func (a tusLogHandler) WithGroup(name string) xslog.Handler {
	return tusLogHandler{h: a.h.WithGroup(name)}
}

func convertAttr(x xslog.Attr) slog.Attr {
	v := x.Value.Resolve()
	if v.Kind() == xslog.KindGroup {
		group := v.Group()
		out := make([]slog.Attr, len(group))
		for i, g := range group {
			out[i] = convertAttr(g)
		}
		return slog.Attr{Key: x.Key, Value: slog.GroupValue(out...)}
	}
	return slog.Any(x.Key, v.Any())
}
