package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"testing"

	"rathaus/api"
	"rathaus/assets"
)

// balancer is a round-robin reverse proxy: each request goes to the next
// backend.
type balancer struct {
	*httptest.Server
	served atomic.Int64
}

func roundRobin(t *testing.T, backends ...string) *balancer {
	t.Helper()
	var targets []*url.URL
	for _, b := range backends {
		u, err := url.Parse(b)
		if err != nil {
			t.Fatal(err)
		}
		targets = append(targets, u)
	}
	lb := &balancer{}
	proxy := &httputil.ReverseProxy{Rewrite: func(r *httputil.ProxyRequest) {
		r.SetURL(targets[int(lb.served.Add(1))%len(targets)])
	}}
	lb.Server = httptest.NewServer(proxy)
	t.Cleanup(lb.Close)
	return lb
}

// client sends the portal API's requests and reads their answers.
type client struct{ http *http.Client }

type answer struct {
	code   int
	header http.Header
	body   []byte
}

func (c *client) do(t *testing.T, method, url string, header http.Header, body []byte) (answer, error) {
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := c.http.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return answer{code: res.StatusCode, header: res.Header, body: b}, err
}

// must is do for the test's own goroutine: a failure ends the test.
func (c *client) must(t *testing.T, method, url string, header http.Header, body []byte, want int) answer {
	t.Helper()
	a, err := c.do(t, method, url, header, body)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	if a.code != want {
		t.Fatalf("%s %s = %d %s, want %d", method, url, a.code, a.body, want)
	}
	return a
}

func bearer(token string) http.Header {
	if token == "" {
		return http.Header{}
	}
	return http.Header{"Authorization": {"Bearer " + token}}
}

// submission is the body of a submission of the demo example of svc.
func submission(t *testing.T, svc api.Service, change func(map[string]any)) []byte {
	t.Helper()
	data, err := assets.DemoExample(svc.Form.ID)
	if err != nil {
		t.Fatal(err)
	}
	if change != nil {
		change(data)
	}
	raw, err := json.Marshal(data)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: raw})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// plainServices are the demo services whose examples have no attachment,
// so that they can be sent without uploads.
func plainServices(t *testing.T) []api.Service {
	t.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var out []api.Service
	for _, svc := range cat.Services {
		if svc.ID == assets.DemoEncryptedService {
			continue // its data goes only as a JWE (TestCasesShowEncrypted)
		}
		data, err := assets.DemoExample(svc.Form.ID)
		if err != nil {
			t.Fatal(err)
		}
		if raw, _ := json.Marshal(data); !bytes.Contains(raw, []byte(`"sha256"`)) {
			out = append(out, svc)
		}
	}
	if len(out) < 3 {
		t.Fatalf("only %d demo services without attachments", len(out))
	}
	return out
}

// openServer starts the server on a loopback port with its data in data;
// it is closed when the test ends.
func openServer(t *testing.T, data string) *Main {
	t.Helper()
	m := NewMain(io.Discard)
	m.Addr, m.DataDir = "127.0.0.1:0", data
	if err := m.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = m.Close(context.Background()) })
	return m
}
