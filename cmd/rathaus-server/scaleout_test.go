package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server/postgres"
	"rathaus/server/postgres/pgtest"
)

// TestScaleOutOnPostgres runs two rathaus-server processes on one
// PostgreSQL database and one upload folder, behind a round-robin
// balancer, as a municipality scales the backend out.
func TestScaleOutOnPostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two processes")
	}
	dbURL := pgtest.URL(t)
	shared := t.TempDir()
	const staff = "staff-token-of-the-scale-out-test"
	env := []string{"RATHAUS_DB=" + dbURL, "RATHAUS_STAFF_TOKEN=" + staff}
	a := startProcess(t, env, "--addr", "127.0.0.1:0", "--data", shared)
	b := startProcess(t, env, "--addr", "127.0.0.1:0", "--data", shared)
	lb := roundRobin(t, a.base, b.base)
	c := &client{http: &http.Client{Timeout: time.Minute, Transport: &http.Transport{MaxIdleConnsPerHost: 64}}}

	t.Run("submissions, case numbers and feeds", func(t *testing.T) {
		testScaleOutSubmissions(t, c, lb.URL, dbURL, staff)
		if n := lb.served.Load(); n < 100 {
			t.Errorf("the balancer passed on %d requests, want them all", n)
		}
	})
	t.Run("an upload moves from one process to the other", func(t *testing.T) {
		testScaleOutUpload(t, c, a.base, b.base, lb.URL)
	})
}

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

// testScaleOutSubmissions: devices submit at once, each submission sent
// twice at once (a retry racing the first attempt), so that the two copies
// usually reach different processes, while every device follows its
// changes feed. Then staff move cases on and two devices of one account
// edit one draft at once.
func testScaleOutSubmissions(t *testing.T, c *client, lb, dbURL, staff string) {
	ctx := context.Background()
	services := plainServices(t)
	var devices []api.Device
	for range 4 {
		a := c.must(t, http.MethodPost, lb+api.PathDevices, nil, []byte(`{"platform":"linux","app_version":"scale-out"}`), http.StatusCreated)
		var d api.Device
		if err := json.Unmarshal(a.body, &d); err != nil {
			t.Fatal(err)
		}
		devices = append(devices, d)
	}
	// The first two belong to one citizen.
	store, err := postgres.Open(ctx, dbURL)
	if err != nil {
		t.Fatal(err)
	}
	if err := store.LinkDevices(ctx, "acc-1", devices[0].ID, devices[1].ID); err != nil {
		t.Fatal(err)
	}

	var done atomic.Bool
	var followers sync.WaitGroup
	followed := make([][]api.Change, len(devices))
	followErrs := make([]error, len(devices))
	for i, d := range devices {
		followers.Go(func() {
			followed[i], followErrs[i] = follow(t, c, lb, d.Token, 7, &done)
		})
	}

	// Who sent what: per scope (a device's id, "" for anonymous), the case
	// each key made.
	const perDevice = 10
	type sent struct {
		scope, key string
		caseID     string
		number     string
	}
	var mu sync.Mutex
	var all []sent
	var errs []error
	fail := func(err error) {
		mu.Lock()
		errs = append(errs, err)
		mu.Unlock()
	}
	var submitters sync.WaitGroup
	senders := append(slices.Clone(devices), api.Device{}) // and an anonymous one
	for i, d := range senders {
		submitters.Go(func() {
			for j := range perDevice {
				svc := services[(i+j)%len(services)]
				key := fmt.Sprintf("scale-%d-%d", i, j)
				body := submission(t, svc, nil)
				header := bearer(d.Token)
				header.Set(api.HeaderIdempotencyKey, key)
				var pair [2]answer
				var pairErr [2]error
				var wg sync.WaitGroup
				for k := range pair {
					wg.Go(func() { pair[k], pairErr[k] = c.do(t, http.MethodPost, lb+api.PathSubmissions, header, body) })
				}
				wg.Wait()
				var cases [2]api.Case
				replays := 0
				for k := range pair {
					switch {
					case pairErr[k] != nil:
						fail(pairErr[k])
						return
					case pair[k].code != http.StatusCreated || json.Unmarshal(pair[k].body, &cases[k]) != nil:
						fail(fmt.Errorf("submission %s = %d %s, want 201 and a case", key, pair[k].code, pair[k].body))
						return
					case pair[k].header.Get(api.HeaderReplayed) == "true":
						replays++
					}
				}
				if cases[0].ID != cases[1].ID || cases[0].Number != cases[1].Number || replays != 1 {
					fail(fmt.Errorf("key %s: cases %s (%s) and %s (%s), %d replays; want one case, one replay",
						key, cases[0].ID, cases[0].Number, cases[1].ID, cases[1].Number, replays))
					return
				}
				mu.Lock()
				all = append(all, sent{d.ID, key, cases[0].ID, cases[0].Number})
				mu.Unlock()
			}
		})
	}
	submitters.Wait()
	if len(errs) > 0 {
		done.Store(true)
		followers.Wait()
		t.Fatalf("%d submissions failed, the first: %v", len(errs), errs[0])
	}

	// Staff move every third case on, through either process.
	staffHeader := bearer(staff)
	moved := map[string]bool{}
	for i, s := range all {
		if i%3 == 0 {
			c.must(t, http.MethodPost, lb+api.PathStaffCases+s.caseID+"/status", staffHeader, []byte(`{"status":"in_review"}`), http.StatusOK)
			moved[s.caseID] = true
		}
	}
	// The account's two devices edit one draft at once.
	var drafts sync.WaitGroup
	draftErrs := make([]error, 2)
	for i := range 2 {
		drafts.Go(func() {
			body := fmt.Sprintf(`{"id":"draft-1","service":"hundesteuer","form":{"id":"hundesteuer","version":2},"fields":{"f%d":{"value":"x","clock":%q}}}`,
				i, api.HLC{Wall: time.Now().UnixMilli(), Device: devices[i].ID}.String())
			a, err := c.do(t, http.MethodPut, lb+api.PathDrafts+"draft-1", bearer(devices[i].Token), []byte(body))
			if err == nil && a.code != http.StatusOK {
				err = fmt.Errorf("PUT draft from %s = %d %s", devices[i].ID, a.code, a.body)
			}
			draftErrs[i] = err
		})
	}
	drafts.Wait()
	for _, err := range draftErrs {
		if err != nil {
			t.Fatal(err)
		}
	}
	done.Store(true)
	followers.Wait()
	for _, err := range followErrs {
		if err != nil {
			t.Fatal(err)
		}
	}

	// One case per key, and case numbers without duplicates or gaps.
	if n, err := store.CountCases(ctx); err != nil || n != len(senders)*perDevice {
		t.Errorf("cases in the database = %d, %v; want one per key, %d", n, err, len(senders)*perDevice)
	}
	var numbers []string
	for _, s := range all {
		numbers = append(numbers, s.number)
	}
	slices.Sort(numbers)
	year := time.Now().UTC().Year()
	for i, n := range numbers {
		if want := fmt.Sprintf("%04d-%06d", year, i+1); n != want {
			t.Fatalf("case numbers %v: [%d] = %s, want %s", numbers, i, n, want)
		}
	}

	// Each device's feed is complete and in order, and what it saw while
	// following it, in pages, is that feed.
	for i, d := range devices {
		final, err := follow(t, c, lb, d.Token, 1000, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(seqsOf(followed[i]), seqsOf(final)) {
			t.Errorf("%s followed %v, but its feed is %v", d.ID, seqsOf(followed[i]), seqsOf(final))
		}
		if !slices.IsSorted(seqsOf(final)) {
			t.Errorf("%s: the feed is out of order: %v", d.ID, seqsOf(final))
		}
		mine := map[string]bool{d.ID: true}
		if i < 2 {
			mine = map[string]bool{devices[0].ID: true, devices[1].ID: true}
		}
		var want, got []string
		for _, s := range all {
			if mine[s.scope] {
				want = append(want, s.caseID+" received")
				if moved[s.caseID] {
					want = append(want, s.caseID+" in_review")
				}
			}
		}
		drafts := 0
		for _, ch := range final {
			switch {
			case ch.Case != nil:
				got = append(got, ch.Case.ID+" "+ch.Case.Status)
			case ch.Draft != nil:
				drafts++
			}
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(got, want) {
			t.Errorf("%s: case changes %v,\nwant %v", d.ID, got, want)
		}
		// Each of the account's devices hears of the other's copy.
		if wantDrafts := map[bool]int{true: 1, false: 0}[i < 2]; drafts != wantDrafts {
			t.Errorf("%s: %d draft changes, want %d", d.ID, drafts, wantDrafts)
		}
	}
	store.Close()
}

// follow reads a device's changes feed from the start, limit at a time, as
// the app does. With done it goes on polling until done is set and a poll
// after that found nothing new; without, it stops at the end.
func follow(t *testing.T, c *client, lb, token string, limit int, done *atomic.Bool) ([]api.Change, error) {
	out := []api.Change{}
	cursor := ""
	for {
		last := done == nil || done.Load()
		a, err := c.do(t, http.MethodGet, fmt.Sprintf("%s%s?since=%s&limit=%d", lb, api.PathChanges, cursor, limit), bearer(token), nil)
		if err != nil {
			return nil, err
		}
		var page api.Changes
		if a.code != http.StatusOK || json.Unmarshal(a.body, &page) != nil {
			return nil, fmt.Errorf("changes = %d %s", a.code, a.body)
		}
		out = append(out, page.Changes...)
		cursor = page.Cursor
		switch {
		case page.More:
		case last:
			return out, nil
		case len(page.Changes) == 0:
			time.Sleep(5 * time.Millisecond)
		}
	}
}

func seqsOf(cs []api.Change) []int64 {
	out := []int64{}
	for _, c := range cs {
		out = append(out, c.Seq)
	}
	return out
}

// testScaleOutUpload: an upload begun on process A is held by a PATCH
// whose client stalls; a HEAD on process B asks A to let go (the lock
// holds between the processes), gets the offset A reached, and the client
// finishes the upload on B. The case that uses it goes through either.
func testScaleOutUpload(t *testing.T, c *client, a, b, lb string) {
	file := bytes.Repeat([]byte("Schlagloch vor der Bäckerei. "), 8<<10) // about 240 KB
	sum := sha256.Sum256(file)
	hexSum := hex.EncodeToString(sum[:])
	const first, stalled = 64 << 10, 32 << 10
	tus := func(h http.Header) http.Header {
		h.Set("Tus-Resumable", "1.0.0")
		return h
	}
	meta := "filename " + b64("IMG_4471.jpg") + ",filetype " + b64("image/jpeg") + ",sha256 " + b64(hexSum)
	created := c.must(t, http.MethodPost, a+api.PathUploads, tus(http.Header{
		"Upload-Length": {strconv.Itoa(len(file))}, "Upload-Metadata": {meta},
		"Content-Type": {"application/offset+octet-stream"}}), file[:first], http.StatusCreated)
	loc := created.header.Get("Location")
	id := loc[strings.LastIndex(loc, "/")+1:]
	if got := created.header.Get("Upload-Offset"); got != strconv.Itoa(first) {
		t.Fatalf("offset after the creation = %s, want %d", got, first)
	}

	// A PATCH on A sends some bytes, then its client stalls.
	body, w := io.Pipe()
	req, err := http.NewRequest(http.MethodPatch, a+api.PathUploads+id, body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header = tus(http.Header{"Upload-Offset": {strconv.Itoa(first)}, "Content-Type": {"application/offset+octet-stream"}})
	req.ContentLength = int64(len(file) - first)
	patchDone := make(chan error, 1)
	go func() {
		res, err := c.http.Do(req)
		if err == nil {
			res.Body.Close()
		}
		patchDone <- err
	}()
	if _, err := w.Write(file[first : first+stalled]); err != nil {
		t.Fatal(err)
	}
	defer w.Close()

	// B's HEAD waits until A lets go, then answers what A stored. Until A
	// has the bytes, B may answer the offset before them: ask again.
	var offset int
	for deadline := time.Now().Add(30 * time.Second); offset < first+stalled; {
		head := c.must(t, http.MethodHead, b+api.PathUploads+id, tus(http.Header{}), nil, http.StatusOK)
		offset, _ = strconv.Atoi(head.header.Get("Upload-Offset"))
		if time.Now().After(deadline) {
			t.Fatalf("B's offset stayed %d, want %d", offset, first+stalled)
		}
	}
	// The stalled PATCH ended because B asked for the lock: with locks in
	// each process's memory only, it would still be waiting for its client.
	select {
	case <-patchDone:
	case <-time.After(30 * time.Second):
		t.Fatal("the stalled PATCH on A is still running after B took the upload over")
	}

	done := c.must(t, http.MethodPatch, b+api.PathUploads+id, tus(http.Header{
		"Upload-Offset": {strconv.Itoa(offset)}, "Content-Type": {"application/offset+octet-stream"}}), file[offset:], http.StatusNoContent)
	if got := done.header.Get("Upload-Offset"); got != strconv.Itoa(len(file)) {
		t.Fatalf("offset after the last PATCH on B = %s, want %d", got, len(file))
	}
	head := c.must(t, http.MethodHead, a+api.PathUploads+id, tus(http.Header{}), nil, http.StatusOK)
	if got := head.header.Get("Upload-Offset"); got != strconv.Itoa(len(file)) {
		t.Errorf("A sees offset %s, want the whole file, %d", got, len(file))
	}

	cat, err := assets.DemoCatalog()
	if err != nil {
		t.Fatal(err)
	}
	var report api.Service
	for _, svc := range cat.Services {
		if svc.ID == "maengelmelder" {
			report = svc
		}
	}
	body2 := submission(t, report, func(data map[string]any) {
		data["photo"] = api.Attachment{Upload: id, Name: "IMG_4471.jpg", Type: "image/jpeg", Size: int64(len(file)), SHA256: hexSum}
	})
	header := http.Header{api.HeaderIdempotencyKey: {"scale-upload"}}
	c.must(t, http.MethodPost, lb+api.PathSubmissions, header, body2, http.StatusCreated)
	// The case keeps its upload, whichever process is asked to end it.
	for _, base := range []string{a, b} {
		c.must(t, http.MethodDelete, base+api.PathUploads+id, tus(http.Header{}), nil, http.StatusConflict)
	}
}

// TestMainOnPostgres: with --db the data goes to PostgreSQL, the uploads
// to the data folder, and the log names the database without its password.
func TestMainOnPostgres(t *testing.T) {
	dbURL := pgtest.URL(t)
	u, err := url.Parse(dbURL)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), "not-checked-by-trust-auth")
	var logs bytes.Buffer
	m := NewMain(&logs)
	m.Addr, m.DataDir, m.DB, m.StaffToken = "127.0.0.1:0", t.TempDir(), u.String(), "a-staff-token-for-tests"
	if err := m.Open(); err != nil {
		t.Fatalf("Open: %v", err)
	}
	if got := getHealth(t, m.URL()); got != http.StatusOK {
		t.Errorf("healthz = %d, want 200", got)
	}
	checkUploadsAndStaff(t, m.URL(), m.StaffToken)
	if err := m.Close(context.Background()); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if strings.Contains(logs.String(), "not-checked-by-trust-auth") {
		t.Errorf("the log shows the database password: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "postgres://rathaus:xxxxx@") {
		t.Errorf("the log %q does not name the database", logs.String())
	}
	if _, err := os.Stat(filepath.Join(m.DataDir, dbFile)); !os.IsNotExist(err) {
		t.Errorf("a SQLite file was made beside PostgreSQL: %v", err)
	}
	if entries, _ := os.ReadDir(filepath.Join(m.DataDir, uploadDir)); len(entries) == 0 {
		t.Error("the upload is not in the data folder")
	}
}
