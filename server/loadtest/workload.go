// Package loadtest is the backend's load harness behind cmd/rathaus-load:
// an open-loop load of idempotent submissions (vegeta at a constant arrival
// rate) against targets that each run as a process of their own (the real
// rathaus-server on SQLite or PostgreSQL, and a bare net/http + SQLite
// baseline), the overload check at twice the sustainable rate, and the
// check afterwards that every acknowledged submission is in the database.
package loadtest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"rathaus/api"
	"rathaus/assets"
)

// Submission is one realistic request body: a demo form's example, as the
// app would send it.
type Submission struct {
	Service string
	Body    []byte
}

// DemoSubmissions returns a submission for every demo service whose
// example needs no upload and is taken in plaintext (attachments travel by tus first, which is not
// what this load measures), in the catalog's order.
func DemoSubmissions() ([]Submission, error) {
	cat, err := assets.DemoCatalog()
	if err != nil {
		return nil, err
	}
	var out []Submission
	for _, svc := range cat.Services {
		if svc.ID == assets.DemoEncryptedService {
			continue // takes its data only as a JWE
		}
		data, err := assets.DemoExample(svc.Form.ID)
		if err != nil {
			return nil, fmt.Errorf("loadtest: example for %s: %w", svc.ID, err)
		}
		raw, err := json.Marshal(data)
		if err != nil {
			return nil, err
		}
		if bytes.Contains(raw, []byte(`"sha256"`)) {
			continue // an attachment value names an upload
		}
		body, err := json.Marshal(api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: raw})
		if err != nil {
			return nil, err
		}
		out = append(out, Submission{Service: svc.ID, Body: body})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("loadtest: no demo example without attachments")
	}
	return out, nil
}
