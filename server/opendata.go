package server

import (
	"fmt"
	"time"

	"rathaus/server/opendata"
	"rathaus/server/polls"
)

// OpenDataConfig is what a town says about its open data (Config.OpenData).
type OpenDataConfig struct {
	BaseURL, Publisher, PublisherURL, ContributorID string
	// CacheFor: how long computed figures are served as they are (see
	// opendata.Config).
	CacheFor time.Duration
}

// mountOpenData serves the open data (server/opendata) under
// api.PathOpenData: public, no device; the closed polls' results come
// from the polls' area.
func (s *Server) mountOpenData(cfg Config, pollArea *polls.Area) error {
	area, err := opendata.New(opendata.Config{
		Store: s.store, Failure: s.failure,
		BaseURL: cfg.OpenData.BaseURL, Publisher: cfg.OpenData.Publisher,
		PublisherURL: cfg.OpenData.PublisherURL, ContributorID: cfg.OpenData.ContributorID,
		CacheFor: cfg.OpenData.CacheFor, Now: s.now, Polls: pollArea.Closed,
	})
	if err != nil {
		return fmt.Errorf("server: %w", err)
	}
	for _, rt := range area.Routes() {
		s.route(rt.Method, rt.Path, rt.Handler)
	}
	return nil
}
