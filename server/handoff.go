package server

import (
	"fmt"
	"net/http"

	"rathaus/api"
	"rathaus/server/handoff"
)

// mountHandoff serves the kiosk's handoffs (server/handoff) under
// api.PathHandoffs.
func (s *Server) mountHandoff() error {
	area, err := handoff.New(handoff.Config{
		Store: s.store, Now: s.now, Failure: s.failure, Decode: decodeHandoff,
		Device: func(r *http.Request) (string, bool) {
			d, ok := deviceFrom(r.Context())
			return d.ID, ok
		},
	})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	for _, rt := range area.Routes() {
		h := rt.Handler
		if rt.Device {
			h = s.withDevice(true, h)
		}
		s.route(rt.Method, rt.Path, h)
	}
	return nil
}

// maxHandoffBody fits api.HandoffMaxBytes of ciphertext in base64.
const maxHandoffBody = api.HandoffMaxBytes*4/3 + 1024

// decodeHandoff reads a handoff's body by the core's input rule, with room
// for its ciphertext.
var decodeHandoff = decodeUpTo(maxHandoffBody, "The body is larger than a handoff may be.")
