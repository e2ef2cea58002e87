package assets_test

import "testing"

// minFAQ is the least number of answers the demo town's FAQ holds.
const minFAQ = 60

// TestDemoFAQ checks the FAQ the assistant answers from: enough entries,
// every question and answer in every language, ids unique, and each link
// to a service pointing at a service of the catalog.
func TestDemoFAQ(t *testing.T) {
	c := loadCatalog(t)
	if got := len(c.FAQ); got < minFAQ {
		t.Fatalf("demo FAQ has %d entries, want at least %d", got, minFAQ)
	}
	services := map[string]bool{}
	for _, s := range c.Services {
		services[s.ID] = true
	}
	seen := map[string]bool{}
	linked := 0
	for _, e := range c.FAQ {
		t.Run(e.ID, func(t *testing.T) {
			if e.ID == "" || seen[e.ID] {
				t.Errorf("FAQ id %q is empty or used twice", e.ID)
			}
			seen[e.ID] = true
			for _, l := range languages {
				if e.Question[l] == "" || e.Answer[l] == "" {
					t.Errorf("FAQ %s has no question or answer in %s", e.ID, l)
				}
			}
			if e.Service != "" {
				linked++
				if !services[e.Service] {
					t.Errorf("FAQ %s links to service %q, which the catalog does not have", e.ID, e.Service)
				}
			}
		})
	}
	if linked < len(c.Services) {
		t.Errorf("%d FAQ entries link to a service, want at least one per service (%d)", linked, len(c.Services))
	}
}
