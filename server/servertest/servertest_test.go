package servertest_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/servertest"
)

func call(t *testing.T, method, url string, header http.Header, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, b
}

// TestBackendSharesCasesWithinAnAccount: two devices linked into one
// account; a case of the first one moves on while the backend is down, and
// the second device sees it in its feed once the backend is back.
func TestBackendSharesCasesWithinAnAccount(t *testing.T) {
	b := servertest.New(t)
	phone, tablet := b.Device(t), b.Device(t)
	b.LinkDevices("acc", phone.ID, tablet.ID)

	svc := mustCatalog(t).Services[0]
	data, err := assets.DemoExample(svc.Form.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(data)
	req, _ := json.Marshal(api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: raw})
	code, body := call(t, http.MethodPost, b.URL+api.PathSubmissions,
		http.Header{"Authorization": {"Bearer " + phone.Token}, api.HeaderIdempotencyKey: {"k1"}}, req)
	var c api.Case
	if code != http.StatusCreated || json.Unmarshal(body, &c) != nil {
		t.Fatalf("submit: %d %s", code, body)
	}

	b.Stop()
	moved := b.SetCaseStatus(c.ID, api.StatusInReview, api.Text{"de": "In Prüfung"})
	if moved.Status != api.StatusInReview || len(moved.History) != 2 {
		t.Errorf("SetCaseStatus = %+v, want in_review with two events", moved)
	}
	b.Start()

	code, body = call(t, http.MethodGet, b.URL+api.PathChanges, http.Header{"Authorization": {"Bearer " + tablet.Token}}, nil)
	var page api.Changes
	if code != http.StatusOK || json.Unmarshal(body, &page) != nil {
		t.Fatalf("changes: %d %s", code, body)
	}
	if n := len(page.Changes); n != 2 || page.Changes[1].Case == nil || page.Changes[1].Case.Status != api.StatusInReview {
		t.Errorf("the tablet's feed = %s, want the case received, then in review", body)
	}
}

func mustCatalog(t *testing.T) api.Catalog {
	t.Helper()
	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	return cat
}

func TestBackendLimits(t *testing.T) {
	t.Run("none by default", func(t *testing.T) {
		b := servertest.New(t)
		for range server.DefaultDeviceRegistrationsPerHour + 5 {
			b.Device(t)
		}
	})
	t.Run("set by WithConfig", func(t *testing.T) {
		b := servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.DeviceRegistrationsPerHour = 1 }))
		b.Device(t)
		code, body := call(t, http.MethodPost, b.URL+api.PathDevices, nil, []byte(`{}`))
		if code != http.StatusTooManyRequests || !strings.Contains(string(body), api.ProblemRateLimited) {
			t.Errorf("second registration = %d %s, want 429", code, body)
		}
	})
	t.Run("HTTP limits", func(t *testing.T) {
		l := server.DefaultHTTPLimits()
		l.MaxConnsPerAddress = 1
		b := servertest.New(t, servertest.WithHTTPLimits(l))
		addr := strings.TrimPrefix(b.URL, "http://")
		first, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer first.Close()
		second, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer second.Close()
		_ = second.SetReadDeadline(time.Now().Add(5 * time.Second))
		if _, err := second.Read(make([]byte, 1)); err != io.EOF && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("a second connection from the address: read %v, want it closed", err)
		}
		b.Stop()
		b.Start() // the limits hold after a restart too
		if code, _ := call(t, http.MethodGet, b.URL+api.PathHealth, nil, nil); code != http.StatusOK {
			t.Errorf("healthz after restart = %d", code)
		}
	})
}
