package server

import (
	"fmt"
	"net/http"

	"rathaus/server/polls"
)

// mountPolls serves the polls (server/polls) under api.PathPolls.
func (s *Server) mountPolls(cfg Config) (*polls.Area, error) {
	area, err := polls.New(polls.Config{
		Store: s.store, Polls: cfg.Polls, Now: s.now, Failure: s.failure, Decode: decodeSmall,
		Device: func(r *http.Request) (string, bool) {
			d, ok := deviceFrom(r.Context())
			return d.ID, ok
		},
	})
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	for _, rt := range area.Routes() {
		h := rt.Handler
		if rt.Device {
			h = s.withDevice(true, h)
		}
		s.route(rt.Method, rt.Path, h)
	}
	return area, nil
}
