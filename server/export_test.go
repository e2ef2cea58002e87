package server

import (
	"net/http/httptest"
	"slices"
)

// Routes returns the registered patterns ("GET /v1/catalog"), so that tests
// can hold them against api/openapi.yaml.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }

// Match returns the pattern of the route that serves method and path, or
// "" when the router's fallback (404, 405) would answer.
func (s *Server) Match(method, path string) string {
	_, pattern := s.mux.Handler(httptest.NewRequest(method, path, nil))
	return pattern
}

// MergeDraft is mergeDraft, for table tests of the merge rules.
var MergeDraft = mergeDraft

// Waiting returns how many API requests wait for a slot.
func (s *Server) Waiting() int64 { return s.admission.api.waiting.Load() }
