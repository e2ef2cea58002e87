package loadtest

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
)

func TestDemoSubmissions(t *testing.T) {
	subs, err := DemoSubmissions()
	if err != nil {
		t.Fatal(err)
	}
	if len(subs) < 10 {
		t.Fatalf("%d demo submissions, want the examples of at least 10 services", len(subs))
	}
	for _, s := range subs {
		var req api.SubmissionRequest
		if err := json.Unmarshal(s.Body, &req); err != nil || req.Service != s.Service || req.Form.ID == "" || len(req.Data) < 10 {
			t.Errorf("%s: body %.100s (%v)", s.Service, s.Body, err)
		}
		if strings.Contains(string(s.Body), `"sha256"`) {
			t.Errorf("%s names an upload", s.Service)
		}
	}
}

// TestBaseline: the baseline stores the body under its key once, answers
// 201 every time, and refuses a request without a key.
func TestBaseline(t *testing.T) {
	dir := t.TempDir()
	b, err := OpenBaseline(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	post := func(key, body string) int {
		r := httptest.NewRequest(http.MethodPost, api.PathSubmissions, strings.NewReader(body))
		if key != "" {
			r.Header.Set(api.HeaderIdempotencyKey, key)
		}
		rec := httptest.NewRecorder()
		b.ServeHTTP(rec, r)
		return rec.Code
	}
	for _, tc := range []struct {
		name, key, body string
		want            int
	}{
		{"first", "k1", `{"a":1}`, 201},
		{"repeat", "k1", `{"a":2}`, 201},
		{"second", "k2", `{"b":1}`, 201},
		{"no key", "", `{}`, 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := post(tc.key, tc.body); got != tc.want {
				t.Errorf("status = %d, want %d", got, tc.want)
			}
		})
	}
	var n int
	var first string
	if err := b.db.QueryRow("SELECT count(*), max(CASE key WHEN 'k1' THEN body END) FROM submissions").Scan(&n, &first); err != nil {
		t.Fatal(err)
	}
	if n != 2 || first != `{"a":1}` {
		t.Errorf("%d rows, k1 = %s; want 2 rows and k1's first body", n, first)
	}
	rec := httptest.NewRecorder()
	b.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, api.PathHealth, nil))
	if rec.Code != http.StatusOK {
		t.Errorf("healthz = %d", rec.Code)
	}
	if _, err := OpenIndex(filepath.Join(dir, "baseline.db")); err != nil {
		t.Errorf("OpenIndex of a SQLite path: %v", err)
	}
}

func TestSustained(t *testing.T) {
	slo := 500 * time.Millisecond
	for _, tc := range []struct {
		name string
		step Step
		want bool
	}{
		{"kept up", Step{Rate: 100, Requests: 1000, Throughput: 99.5, P99: 20 * time.Millisecond, Status: map[string]int{"201": 1000}}, true},
		{"slow", Step{Rate: 100, Requests: 1000, Throughput: 99.5, P99: 600 * time.Millisecond, Status: map[string]int{"201": 1000}}, false},
		{"behind", Step{Rate: 100, Requests: 1000, Throughput: 90, P99: 20 * time.Millisecond, Status: map[string]int{"201": 1000}}, false},
		{"errors", Step{Rate: 100, Requests: 1000, Throughput: 99, P99: 20 * time.Millisecond, Status: map[string]int{"201": 990, "500": 10}}, false},
		{"shed", Step{Rate: 100, Requests: 1000, Throughput: 99, P99: 20 * time.Millisecond, Status: map[string]int{"201": 998, "503": 2}}, false},
		{"nothing", Step{Rate: 100}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.step.Sustained(slo); got != tc.want {
				t.Errorf("Sustained = %v, want %v (success %.4f)", got, tc.want, tc.step.Success())
			}
		})
	}
}

func TestCheckCompare(t *testing.T) {
	snap := Snapshot{Keys: map[ScopedKey]string{
		{Key: "p-1"}: "c_1", {Key: "p-2"}: "c_x", {Key: "p-3"}: "c_3", {Key: "other-1"}: "c_9", {Scope: "d_1", Key: "p-4"}: "c_4",
	}, Cases: 5, Orphans: 0}
	var c Check
	c.compare(snap, "p", map[string]string{"p-1": "c_1", "p-2": "c_2", "p-5": "c_5"})
	if c.NMissing != 1 || c.Missing[0] != "p-5" || c.Wrong != 1 || c.Unacked != 1 || c.OK() {
		t.Errorf("check = %+v; want p-5 missing, p-2 wrong, p-3 stored without an answer, not OK", c)
	}
}

func TestThousands(t *testing.T) {
	for n, want := range map[int]string{0: "0", 250: "250", 1000: "1,000", 1234567: "1,234,567"} {
		if got := thousands(n); got != want {
			t.Errorf("thousands(%d) = %q, want %q", n, got, want)
		}
	}
}

func TestKeyOf(t *testing.T) {
	if got := keyOf("http://127.0.0.1:1/v1/submissions?k=load-ab-12"); got != "load-ab-12" {
		t.Errorf("keyOf = %q", got)
	}
}

func TestOverloadFailures(t *testing.T) {
	ok := &Check{Acked: 10, Replays: 10}
	step := func(status map[string]int, shed, bare int, p99 time.Duration) *Step {
		return &Step{Target: "sqlite", Rate: 500, Status: status, Shed: shed, ShedBare: bare, P99: p99}
	}
	for _, tc := range []struct {
		name string
		o    Overload
		want []string // substrings, one per failure
	}{
		{"shed with Retry-After", Overload{Step: step(map[string]int{"201": 900, "503": 100}, 100, 0, 80*time.Millisecond), Check: ok, Alive: true, HealthProbes: 40}, nil},
		{"kept up", Overload{Step: step(map[string]int{"201": 1000}, 0, 0, 80*time.Millisecond), Check: ok, Alive: true}, nil},
		{"queued instead", Overload{Step: step(map[string]int{"201": 1000}, 0, 0, 3*time.Second), Check: ok, Alive: true}, []string{"nothing was shed"}},
		{"500s and timeouts", Overload{Step: step(map[string]int{"201": 10, "500": 5, "error": 3}, 0, 0, 9*time.Second), Check: ok, Alive: true},
			[]string{"5 answers 500", "no answer", "nothing was shed"}},
		{"shed without Retry-After", Overload{Step: step(map[string]int{"201": 10, "429": 4}, 0, 4, 0), Check: ok, Alive: true}, []string{"without Retry-After"}},
		{"down", Overload{Step: step(map[string]int{"201": 10}, 0, 0, 0), Alive: false}, []string{"did not survive"}},
		{"healthz", Overload{Step: step(map[string]int{"201": 10}, 0, 0, 0), Check: ok, Alive: true, HealthProbes: 4, HealthFailed: 1}, []string{"/healthz failed 1 of 4"}},
		{"lost", Overload{Step: step(map[string]int{"201": 10}, 0, 0, 0), Check: &Check{Acked: 10, NMissing: 1, Missing: []string{"k"}}, Alive: true}, []string{"not all stored"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc.o.Timeout, tc.o.SLO = 10*time.Second, 500*time.Millisecond
			got := tc.o.Failures()
			if len(got) != len(tc.want) {
				t.Fatalf("Failures = %q, want %d matching %q", got, len(tc.want), tc.want)
			}
			for _, w := range tc.want {
				if !slices.ContainsFunc(got, func(f string) bool { return strings.Contains(f, w) }) {
					t.Errorf("Failures = %q, want one saying %q", got, w)
				}
			}
		})
	}
}
