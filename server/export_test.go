package server

import "slices"

// Routes returns the registered patterns ("GET /v1/catalog"), so that tests
// can hold them against api/openapi.yaml.
func (s *Server) Routes() []string { return slices.Clone(s.routes) }
