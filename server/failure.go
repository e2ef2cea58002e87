package server

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"syscall"

	"rathaus/api"
)

// failure is the answer to a request whose store call, or file write,
// failed with err, and logs it with what was being done. A store that is
// busy and a request that ran out of time (Config.RequestTimeout) are
// 503: try again in a moment. A full disk or database is 507. Nothing
// else the store says is the client's business: 500. In none of these
// cases did the request store anything a client was told about.
func (s *Server) failure(ctx context.Context, what string, err error, args ...any) *api.Problem {
	args = append(args, "err", err)
	switch {
	case errors.Is(err, ErrBusy):
		s.log.Warn(what+": the store is busy", args...)
		return unavailable("The server is busy; try again in a moment.")
	case isFull(err):
		s.log.Error(what+": no room left; free some space", args...)
		return problem(http.StatusInsufficientStorage, api.ProblemStorageFull, "Insufficient Storage",
			"The server has no room to store this now; nothing of the request was kept. Try again later.")
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		level := slog.LevelWarn
		if ctx.Err() == nil {
			level = slog.LevelError // a timeout of our own making, not the request's
		}
		s.log.Log(ctx, level, what+": out of time", args...)
		return unavailable("The server could not answer in time; try again in a moment.")
	}
	s.log.Error(what, args...)
	return internalError()
}

// isFull reports a store, disk or quota of the file system without room.
func isFull(err error) bool {
	return errors.Is(err, ErrFull) || errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT)
}

func unavailable(detail string) *api.Problem {
	return problem(http.StatusServiceUnavailable, api.ProblemUnavailable, "Service Unavailable", detail)
}

// retryAfter is the Retry-After, in seconds, of a problem whose writer set
// none: a 503 (busy, overloaded, out of time) passes in a moment; a 507
// (full) needs an operator. Clients honour it, so a failure of these kinds
// never comes without one.
func retryAfter(status int) string {
	switch status {
	case http.StatusServiceUnavailable:
		return "1"
	case http.StatusInsufficientStorage:
		return "60"
	}
	return ""
}
