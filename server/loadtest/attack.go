package loadtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	mrand "math/rand/v2"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"rathaus/api"
)

// generator makes the requests: each a demo submission under a fresh
// Idempotency-Key, and a share of them an exact repeat of an earlier one
// (same key, same body), as a client does whose answer was lost. Vegeta
// calls it from many goroutines.
type generator struct {
	bodies []Submission
	repeat float64 // share of repeats, 0 to 1
	prefix string  // random per run: keys never collide with an earlier run's

	mu     sync.Mutex
	rng    *mrand.Rand
	n      int
	recent []sent         // the last requests, for repeats
	bodyOf map[string]int // every key's body, by its index in bodies
}

type sent struct {
	key  string
	body []byte
}

// maxRecent bounds the requests a repeat is drawn from.
const maxRecent = 1000

func newGenerator(bodies []Submission, repeat float64, seed uint64) *generator {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return &generator{bodies: bodies, repeat: repeat, prefix: "load-" + hex.EncodeToString(b),
		rng: mrand.New(mrand.NewPCG(seed, seed>>1)), bodyOf: map[string]int{}}
}

// body returns the body sent under key (nil for a key never sent).
func (g *generator) body(key string) []byte {
	g.mu.Lock()
	defer g.mu.Unlock()
	i, ok := g.bodyOf[key]
	if !ok {
		return nil
	}
	return g.bodies[i].Body
}

// targeter returns the requests for the backend at base. The key also
// travels in the URL's query (which the backend ignores), so that each
// result names its key.
func (g *generator) targeter(base string) vegeta.Targeter {
	return func(t *vegeta.Target) error {
		g.mu.Lock()
		var s sent
		if len(g.recent) > 0 && g.rng.Float64() < g.repeat {
			s = g.recent[g.rng.IntN(len(g.recent))]
		} else {
			g.n++
			i := g.rng.IntN(len(g.bodies))
			s = sent{key: g.prefix + "-" + strconv.Itoa(g.n), body: g.bodies[i].Body}
			g.bodyOf[s.key] = i
			if len(g.recent) < maxRecent {
				g.recent = append(g.recent, s)
			} else {
				g.recent[g.rng.IntN(maxRecent)] = s
			}
		}
		g.mu.Unlock()
		t.Method = http.MethodPost
		t.URL = base + api.PathSubmissions + "?k=" + url.QueryEscape(s.key)
		t.Body = s.body
		t.Header = http.Header{
			"Content-Type":           {api.ContentTypeJSON},
			api.HeaderIdempotencyKey: {s.key},
		}
		return nil
	}
}

// Step is one constant-rate run against one target and what came of it.
type Step struct {
	Target   string
	Rate     int // offered requests per second
	Duration time.Duration

	Requests int
	// Sent is the rate the generator achieved; below Rate when the load
	// generator itself could not keep up (it shares the machine).
	Sent float64
	// Throughput is 2xx answers per second.
	Throughput    float64
	P50, P99, Max time.Duration
	// Status counts answers by status code; "error" counts requests
	// without an answer (timeouts, refused or reset connections).
	Status map[string]int
	// Shed counts 429 and 503 answers with Retry-After; ShedBare those
	// without it.
	Shed, ShedBare int
	// Errors holds up to five distinct transport errors.
	Errors []string
	// Acked maps the key of every 2xx to the case (or row) it answered.
	Acked map[string]string
}

// Success is the share of requests answered 2xx.
func (s *Step) Success() float64 {
	if s.Requests == 0 {
		return 0
	}
	ok := 0
	for code, n := range s.Status {
		if strings.HasPrefix(code, "2") {
			ok += n
		}
	}
	return float64(ok) / float64(s.Requests)
}

// Sustained reports whether the target kept up with the step's rate:
// (nearly) every request answered 2xx, the throughput within 5 % of the
// rate, and the 99th percentile within slo.
func (s *Step) Sustained(slo time.Duration) bool {
	return s.Success() >= 0.999 && s.Throughput >= 0.95*float64(s.Rate) && s.P99 <= slo
}

// GeneratorLimited reports whether the load generator sent less than 95 %
// of the rate: then the step says little about the target.
func (s *Step) GeneratorLimited() bool { return s.Sent < 0.95*float64(s.Rate) }

// attack runs one step: rate requests per second for d, open loop (a
// request goes out on schedule whether or not earlier ones were answered).
func attack(ctx context.Context, name, base string, g *generator, rate int, d, timeout time.Duration) *Step {
	atk := vegeta.NewAttacker(
		vegeta.Timeout(timeout),
		vegeta.KeepAlive(true),
		vegeta.Connections(10000),
		vegeta.MaxBody(4096),
		vegeta.Redirects(vegeta.NoFollow),
	)
	stop := context.AfterFunc(ctx, func() { atk.Stop() })
	defer stop()
	st := &Step{Target: name, Rate: rate, Duration: d, Status: map[string]int{}, Acked: map[string]string{}}
	var m vegeta.Metrics
	errs := map[string]bool{}
	for res := range atk.Attack(g.targeter(base), vegeta.Rate{Freq: rate, Per: time.Second}, d, name) {
		m.Add(res)
		st.Requests++
		code := strconv.Itoa(int(res.Code))
		if res.Code == 0 {
			code = "error"
			if e := transportError(res.Error); !errs[e] && len(errs) < 5 {
				errs[e] = true
				st.Errors = append(st.Errors, e)
			}
		}
		st.Status[code]++
		switch {
		case res.Code >= 200 && res.Code < 300:
			var c struct{ ID string }
			if json.Unmarshal(res.Body, &c) == nil && c.ID != "" {
				st.Acked[keyOf(res.URL)] = c.ID
			}
		case res.Code == http.StatusTooManyRequests || res.Code == http.StatusServiceUnavailable:
			if res.Headers.Get("Retry-After") != "" {
				st.Shed++
			} else {
				st.ShedBare++
			}
		}
	}
	m.Close()
	st.Sent = m.Rate
	st.Throughput = m.Throughput
	st.P50, st.P99, st.Max = m.Latencies.P50, m.Latencies.P99, m.Latencies.Max
	sort.Strings(st.Errors)
	return st
}

// keyOf is the idempotency key a request carried in its query.
func keyOf(u string) string {
	pu, err := url.Parse(u)
	if err != nil {
		return ""
	}
	return pu.Query().Get("k")
}

// transportError shortens an error to its kind: vegeta's errors carry the
// URL and the addresses, which differ per request.
func transportError(e string) string {
	for _, kind := range []string{"timeout", "connection refused", "connection reset", "broken pipe", "EOF", "too many open files"} {
		if strings.Contains(e, kind) {
			return kind
		}
	}
	if i := strings.LastIndex(e, ": "); i >= 0 {
		return e[i+2:]
	}
	return e
}

func (s *Step) String() string {
	return fmt.Sprintf("%s at %d/s: %d requests, %.0f/s 2xx, p50 %v, p99 %v, %v",
		s.Target, s.Rate, s.Requests, s.Throughput, s.P50, s.P99, s.Status)
}
