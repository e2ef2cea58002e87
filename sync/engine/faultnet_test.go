package engine_test

import (
	"bufio"
	"bytes"
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/jpeg"
	"io"
	"math"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	toxiproxy "github.com/Shopify/toxiproxy/v2"
	"github.com/rs/zerolog"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/photo"
	"rathaus/app/store"
	"rathaus/assets/demotest"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// faultNet is the way from the app to the backend in the fault suite:
//
//	engine (portal + upload clients) -> toxiproxy (TCP faults) ->
//	handler wrapper (HTTP faults, counting upload bytes) -> the real backend
//
// Both clients talk to the proxy's address; tusd builds its Location
// headers from the Host the client sent, so resumed uploads go through the
// proxy too.
type faultNet struct {
	t       testing.TB
	backend *servertest.Backend
	proxy   *toxiproxy.Proxy
	URL     string // the proxy's address, for the app

	// applied counts the faults that hit a request; replays the answers
	// to submissions that the backend replayed from an earlier attempt
	// (Idempotency-Replayed).
	applied, replays atomic.Int64

	mu       sync.Mutex
	hook     faultHook
	received map[string]int64  // upload request body bytes read by the backend, by file SHA-256
	shaOf    map[string]string // upload id -> file SHA-256
	mounted  map[string]http.Handler
	counters []requestCounter
}

// requestCounter counts the requests that match, faults or not.
type requestCounter struct {
	match func(*http.Request) bool
	n     *atomic.Int64
}

// faultHook sees every request before the backend. It may answer the
// request itself, or serve it through next and then break the answer; it
// returns false to let the request through untouched.
type faultHook func(w http.ResponseWriter, r *http.Request, next http.Handler) bool

// quietToxiproxy silences toxiproxy's global logger (its toxics log
// through zerolog's global one).
var quietToxiproxy sync.Once

func newFaultNet(t testing.TB, backend *servertest.Backend) *faultNet {
	t.Helper()
	quietToxiproxy.Do(func() { zerolog.SetGlobalLevel(zerolog.Disabled) })
	srv := toxiproxy.NewServer(toxiproxy.NewMetricsContainer(nil), zerolog.Nop())
	p := toxiproxy.NewProxy(srv, "backend", "127.0.0.1:0", strings.TrimPrefix(backend.URL, "http://"))
	if err := p.Start(); err != nil {
		t.Fatalf("toxiproxy: %v", err)
	}
	t.Cleanup(p.Stop)
	n := newCountingNet(t, backend)
	n.proxy, n.URL = p, "http://"+p.Listen
	return n
}

// newCountingNet wraps the backend's handler to count upload bytes (and
// take HTTP-level faults), without a proxy: URL is the backend's own.
func newCountingNet(t testing.TB, backend *servertest.Backend) *faultNet {
	n := &faultNet{t: t, backend: backend, URL: backend.URL,
		received: map[string]int64{}, shaOf: map[string]string{}}
	backend.SetHandler(n)
	return n
}

func (n *faultNet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	real := n.backend.Handler()
	n.mu.Lock()
	if h := n.mounted[r.URL.Path]; h != nil {
		real = h
	}
	for _, c := range n.counters {
		if c.match(r) {
			c.n.Add(1)
		}
	}
	n.mu.Unlock()
	if isUpload(r) {
		sha := n.fileOf(r)
		r.Body = &tally{ReadCloser: r.Body, add: func(k int) {
			n.mu.Lock()
			n.received[sha] += int64(k)
			n.mu.Unlock()
		}}
	}
	if isSubmission(r) {
		w = &replayWatch{ResponseWriter: w, n: n}
	}
	n.mu.Lock()
	hook := n.hook
	n.mu.Unlock()
	if hook != nil && hook(w, r, real) {
		return
	}
	real.ServeHTTP(w, r)
}

// replayWatch counts the answers the backend marks as replayed.
type replayWatch struct {
	http.ResponseWriter
	n    *faultNet
	seen bool
}

func (w *replayWatch) WriteHeader(code int) {
	if !w.seen && w.Header().Get(api.HeaderReplayed) == "true" {
		w.n.replays.Add(1)
	}
	w.seen = true
	w.ResponseWriter.WriteHeader(code)
}

func (w *replayWatch) Write(b []byte) (int, error) {
	if !w.seen {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (w *replayWatch) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	return w.ResponseWriter.(http.Hijacker).Hijack()
}

// fileOf names the file an upload request carries: from its metadata when
// it creates the upload, else from the backend's record of the upload.
func (n *faultNet) fileOf(r *http.Request) string {
	if r.Method == http.MethodPost {
		for _, kv := range strings.Split(r.Header.Get("Upload-Metadata"), ",") {
			k, v, _ := strings.Cut(strings.TrimSpace(kv), " ")
			if k == api.MetaSHA256 {
				b, _ := base64.StdEncoding.DecodeString(v)
				return string(b)
			}
		}
		return "?"
	}
	id := upload.ID(r.URL.Path)
	n.mu.Lock()
	sha, ok := n.shaOf[id]
	n.mu.Unlock()
	if ok {
		return sha
	}
	u, err := n.backend.DB.Upload(r.Context(), id)
	if err != nil {
		return "?"
	}
	n.mu.Lock()
	n.shaOf[id] = u.SHA256
	n.mu.Unlock()
	return u.SHA256
}

// mount serves a path of the backend with h, behind the faults: a test's
// own endpoint (an outgoing kind that only the test knows).
func (n *faultNet) mount(path string, h http.Handler) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.mounted == nil {
		n.mounted = map[string]http.Handler{}
	}
	n.mounted[path] = h
}

// count returns a counter of the requests that match, from now on.
func (n *faultNet) count(match func(*http.Request) bool) *atomic.Int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	c := requestCounter{match: match, n: &atomic.Int64{}}
	n.counters = append(n.counters, c)
	return c.n
}

// setHook installs an HTTP-level fault (nil: none).
func (n *faultNet) setHook(h faultHook) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.hook = h
}

// toxic adds a toxiproxy toxic to the link; it acts on open connections
// too.
func (n *faultNet) toxic(name, typ, stream string, attrs map[string]any) {
	b, err := json.Marshal(map[string]any{"name": name, "type": typ, "stream": stream, "toxicity": 1.0, "attributes": attrs})
	if err != nil {
		panic(err)
	}
	if _, err := n.proxy.Toxics.AddToxicJson(bytes.NewReader(b)); err != nil {
		n.t.Errorf("toxiproxy: add %s: %v", name, err)
	}
}

// heal removes every fault, TCP and HTTP.
func (n *faultNet) heal() {
	n.setHook(nil)
	if n.proxy != nil {
		n.proxy.Toxics.ResetToxics(context.Background())
	}
}

// receivedFor returns the upload bytes the backend read for a file.
func (n *faultNet) receivedFor(sha string) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.received[sha]
}

type tally struct {
	io.ReadCloser
	add func(int)
}

func (c *tally) Read(p []byte) (int, error) {
	k, err := c.ReadCloser.Read(p)
	c.add(k)
	return k, err
}

func isUpload(r *http.Request) bool {
	return strings.HasPrefix(r.URL.Path, api.PathUploads) && (r.Method == http.MethodPost || r.Method == http.MethodPatch)
}

func isSubmission(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == api.PathSubmissions
}

// HTTP-level faults, for hooks.

// kill drops the client's connection with a reset, as a dying link does.
func kill(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// loseAnswer lets the backend do the request (commit included) and drops
// the connection before any of the answer went out.
func loseAnswer(w http.ResponseWriter, r *http.Request, next http.Handler) {
	next.ServeHTTP(&discard{header: http.Header{}}, r)
	kill(w)
}

// cutAnswer lets the backend do the request, then sends the first half of
// its answer (status line, headers, part of the body) and drops the
// connection: cut mid response, so that no client retries it by itself as
// it may a request that got no byte of an answer.
func cutAnswer(w http.ResponseWriter, r *http.Request, next http.Handler) {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	var buf bytes.Buffer
	res := rec.Result()
	res.ContentLength = int64(rec.Body.Len())
	_ = res.Write(&buf)
	conn, bw, err := w.(http.Hijacker).Hijack()
	if err != nil {
		return
	}
	head := bytes.Index(buf.Bytes(), []byte("\r\n\r\n")) + 4
	_, _ = bw.Write(buf.Bytes()[:head+(buf.Len()-head)/2])
	_ = bw.Flush()
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	conn.Close()
}

// cutRequest lets the backend read only the first k bytes of the body,
// then drops the connection: a link dying mid request.
func cutRequest(w http.ResponseWriter, r *http.Request, next http.Handler, k int64) {
	r.Body = io.NopCloser(io.LimitReader(r.Body, k))
	r.ContentLength = -1
	next.ServeHTTP(&discard{header: http.Header{}}, r)
	kill(w)
}

// answer sends a status with a problem body and, if set, Retry-After.
func answer(w http.ResponseWriter, status int, retryAfter string) {
	if retryAfter != "" {
		w.Header().Set("Retry-After", retryAfter)
	}
	w.Header().Set("Content-Type", api.ContentTypeProblem)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(api.Problem{Title: http.StatusText(status), Status: status})
}

// faultTimeout bounds every request of the fault suite's clients, so that
// a black-holed request fails within a test's patience.
const faultTimeout = 3 * time.Second

// newFaultDevice is a device whose real portal and upload clients reach
// the backend through the fault net.
func newFaultDevice(t testing.TB, n *faultNet, opts ...engine.Option) *rig {
	t.Helper()
	r := device(t, n.backend, opts...)
	r.clients = func() (engine.Portal, engine.Uploader) {
		return portal.New(n.URL, portal.WithTimeout(faultTimeout)), upload.New(n.URL, upload.WithTimeout(faultTimeout))
	}
	r.open(t)
	return r
}

// Submissions of the fault suite: demo forms, some with files.

// fileRec is a file a submission carries.
type fileRec struct {
	sha  string
	size int64
}

// queued is a submission the test queued on a device.
type queued struct {
	draftID string
	service string
	files   []fileRec
}

// submissionKinds are the demo services the suite sends, with the
// attachment fields each one fills ("" for none): a photo (image/jpeg) or a
// document (application/pdf).
var submissionKinds = []struct {
	service string
	files   map[string]string // field -> media type
}{
	{"maengelmelder", map[string]string{"photo": "image/jpeg"}},
	{"hundesteuer", nil},
	{"bewohnerparkausweis", map[string]string{"registration_photo": "image/jpeg", "use_confirmation": "application/pdf"}},
	{"meldebescheinigung", nil},
	{"gewerbeanmeldung", nil},
	{"sperrmuell", nil},
}

// queueSubmission fills the demo example of kind k on the device, attaches
// its files through the store as the app does (photos through the
// downscaler), submits it and returns what was queued. fileSize is the
// size the files are made about (photos: a JPEG of roughly that size).
func queueSubmission(tb testing.TB, r *rig, k int, fileSize int, seed uint64) queued {
	tb.Helper()
	kind := submissionKinds[k%len(submissionKinds)]
	ctx := context.Background()
	svc := demotest.Service(tb, kind.service)
	values := demotest.Example(tb, svc.Form.ID)
	dropAttachments(values)
	d := citizen.NewDraft(svc, r.clock.Now())
	d.Values = values
	if err := r.store.CreateDraft(ctx, d); err != nil {
		tb.Fatal(err)
	}
	q := queued{draftID: d.ID, service: svc.ID}
	for field, typ := range kind.files {
		var data []byte
		name := "Nachweis.pdf"
		if typ == "image/jpeg" {
			data, name = photoBytes(tb, fileSize, seed), "IMG_"+field+".jpg"
		} else {
			data = pdfBytes(fileSize/2, seed)
		}
		seed++
		att, err := r.store.AddAttachment(ctx, d.ID, name, typ, data)
		if err != nil {
			tb.Fatal(err)
		}
		var v map[string]any
		b, _ := json.Marshal(att)
		_ = json.Unmarshal(b, &v)
		values[field] = v
		q.files = append(q.files, fileRec{sha: att.SHA256, size: att.Size})
	}
	if err := r.store.SaveDraft(ctx, d.ID, values, 0); err != nil {
		tb.Fatal(err)
	}
	if _, err := r.store.Submit(ctx, d.ID, nil); err != nil {
		tb.Fatal(err)
	}
	return q
}

// dropAttachments removes the example's placeholder files (they name no
// upload); the suite attaches real ones.
func dropAttachments(v map[string]any) {
	for k, x := range v {
		switch x := x.(type) {
		case map[string]any:
			if _, ok := x["sha256"]; ok {
				delete(v, k)
				continue
			}
			dropAttachments(x)
		}
	}
}

var (
	basePhotoMu sync.Mutex
	basePhotos  = map[int][]byte{}
)

// photoBytes returns a JPEG of about size bytes that compresses like a
// photo (smooth colour fields and sensor noise), as the app's downscaler
// writes it; each seed gives different bytes (a comment segment with the
// seed), so that every file has its own SHA-256.
func photoBytes(tb testing.TB, size int, seed uint64) []byte {
	tb.Helper()
	basePhotoMu.Lock()
	base, ok := basePhotos[size]
	basePhotoMu.Unlock()
	if !ok {
		// About 0.157 bytes per pixel after the downscaler at quality 80.
		px := float64(size) / 0.157
		w := int(math.Sqrt(px * 4 / 3))
		h := w * 3 / 4
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, photoImage(w, h, uint64(size)), &jpeg.Options{Quality: 92}); err != nil {
			tb.Fatal(err)
		}
		res, err := photo.Downscale(buf.Bytes(), photo.Options{})
		if err != nil {
			tb.Fatal(err)
		}
		base = res.JPEG
		basePhotoMu.Lock()
		basePhotos[size] = base
		basePhotoMu.Unlock()
	}
	// SOI, then a COM segment naming the seed, then the rest.
	com := []byte("rathaus test photo " + strconv.FormatUint(seed, 10))
	out := make([]byte, 0, len(base)+len(com)+4)
	out = append(out, base[:2]...)
	out = append(out, 0xFF, 0xFE, byte((len(com)+2)>>8), byte(len(com)+2))
	out = append(out, com...)
	return append(out, base[2:]...)
}

// photoImage is a w×h picture with smooth colour fields and per-pixel
// noise, which JPEG compresses about as well as a photo.
func photoImage(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := 0; y < h; y++ {
		fy := float64(y) / float64(h)
		for x := 0; x < w; x++ {
			fx := float64(x) / float64(w)
			r := 120 + 80*math.Sin(3*fx+1) + 30*math.Sin(17*fy)
			g := 110 + 70*math.Sin(2*fy+4*fx) + 20*math.Cos(23*fx)
			b := 100 + 90*fy + 25*math.Sin(29*fx*fy)
			n := rng.NormFloat64() * 7
			o := m.PixOffset(x, y)
			m.Pix[o] = uint8(max(0, min(255, r+n)))
			m.Pix[o+1] = uint8(max(0, min(255, g+n)))
			m.Pix[o+2] = uint8(max(0, min(255, b+n)))
			m.Pix[o+3] = 255
		}
	}
	return m
}

// pdfBytes is a document of size bytes: a PDF header, compressed-looking
// bytes, the trailer.
func pdfBytes(size int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	b := make([]byte, max(size, 64))
	for i := range b {
		b[i] = byte(rng.UintN(256))
	}
	copy(b, "%PDF-1.7\n")
	copy(b[len(b)-6:], "%%EOF\n")
	return b
}

// Invariants.

// checkInvariants checks, after a scenario healed and the device synced
// until nothing was pending, what must hold whatever the faults were:
//   - every queued draft is sent, with its case number, and its case is
//     mirrored on the device;
//   - the backend has exactly one case per idempotency key (and no case
//     without one), the case the device was told, with every file the
//     submission named linked to its finished upload;
//   - the backend has as many cases as the device has sent submissions;
//   - PRAGMA integrity_check is ok on both databases;
//   - no file's bytes reached the backend twice beyond one chunk.
func checkInvariants(t testing.TB, n *faultNet, dev *rig, subs []queued) {
	t.Helper()
	ctx := context.Background()
	srv := openReadOnly(t, n.backend.DBPath)
	cli := dev.store.DB()

	for _, db := range []struct {
		name string
		db   *sql.DB
	}{{"device", cli}, {"backend", srv}} {
		var res string
		if err := db.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&res); err != nil || res != "ok" {
			t.Errorf("%s database: integrity_check = %q, %v; want ok", db.name, res, err)
		}
	}

	// The device's side: sent submissions, their keys and case numbers.
	deviceID, _ := dev.store.SyncValue(ctx, store.KeyDeviceID)
	type sentItem struct{ key, draft, number string }
	var sent []sentItem
	rows, err := cli.QueryContext(ctx, `SELECT idempotency_key, draft_id FROM outbox WHERE kind = 'submission' AND state = 'done'`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s sentItem
		if err := rows.Scan(&s.key, &s.draft); err != nil {
			t.Fatal(err)
		}
		sent = append(sent, s)
	}
	rows.Close()
	for i, s := range sent { // the number is sealed in the device's mirror: read it as the app does
		if d, err := dev.store.Draft(ctx, s.draft); err == nil {
			sent[i].number = d.CaseNumber
		}
	}
	mirrored := map[string]string{} // case number -> draft
	cases, err := dev.store.Cases(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		mirrored[c.Number] = c.DraftID
	}
	for _, q := range subs {
		d, err := dev.store.Draft(ctx, q.draftID)
		if err != nil {
			t.Errorf("draft %s (%s): %v; want it kept", q.draftID, q.service, err)
			continue
		}
		if d.State != citizen.DraftSent || d.CaseNumber == "" {
			t.Errorf("draft %s (%s) = %s %q; want sent with a case number", q.draftID, q.service, d.State, d.CaseNumber)
			continue
		}
		if mirrored[d.CaseNumber] != q.draftID {
			t.Errorf("case %s of draft %s not mirrored on the device (cases: %v)", d.CaseNumber, q.draftID, mirrored)
		}
	}

	// The backend's side.
	var nCases, nKeys, nOrphans, nShared int
	q := func(query string, dst *int) {
		t.Helper()
		if err := srv.QueryRowContext(ctx, query).Scan(dst); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	q("SELECT count(*) FROM cases", &nCases)
	q("SELECT count(*) FROM idempotency_keys", &nKeys)
	q("SELECT count(*) FROM cases WHERE id NOT IN (SELECT case_id FROM idempotency_keys)", &nOrphans)
	q("SELECT count(*) FROM (SELECT case_id FROM idempotency_keys GROUP BY case_id HAVING count(*) > 1)", &nShared)
	if nCases != nKeys || nOrphans != 0 || nShared != 0 {
		t.Errorf("backend: %d cases, %d idempotency keys, %d cases without a key, %d cases under several keys; want one case per key",
			nCases, nKeys, nOrphans, nShared)
	}
	if nCases != len(sent) {
		t.Errorf("backend cases = %d, device sent submissions = %d; want equal", nCases, len(sent))
	}
	for _, s := range sent {
		var number string
		err := srv.QueryRowContext(ctx, `SELECT c.number FROM idempotency_keys k JOIN cases c ON c.id = k.case_id
			WHERE k.scope = ? AND k.key = ?`, deviceID, s.key).Scan(&number)
		if err != nil || number != s.number {
			t.Errorf("backend case under key %s = %q, %v; want %q, the number the device holds", s.key, number, err, s.number)
		}
	}

	// Files: linked to their case, finished, as sent; each one's bytes
	// arrived once, give or take the one chunk a cut may cost.
	for _, sub := range subs {
		d, err := dev.store.Draft(ctx, sub.draftID)
		if err != nil || d.CaseNumber == "" {
			continue // reported above
		}
		got := map[string]int64{}
		rows, err := srv.QueryContext(ctx, `SELECT u.sha256, u.size, coalesce(u.finished, 0) FROM case_attachments a
			JOIN cases c ON c.id = a.case_id JOIN uploads u ON u.id = a.upload_id WHERE c.number = ?`, d.CaseNumber)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var sha string
			var size, finished int64
			if err := rows.Scan(&sha, &size, &finished); err != nil {
				t.Fatal(err)
			}
			if finished == 0 {
				t.Errorf("case %s links an unfinished upload of %s", d.CaseNumber, sha[:8])
			}
			got[sha] = size
		}
		rows.Close()
		if len(got) != len(sub.files) {
			t.Errorf("case %s (%s) links %d files, want %d", d.CaseNumber, sub.service, len(got), len(sub.files))
		}
		for _, f := range sub.files {
			if got[f.sha] != f.size {
				t.Errorf("case %s: file %s linked with %d bytes, want %d", d.CaseNumber, f.sha[:8], got[f.sha], f.size)
			}
			chunk := min(f.size, upload.NewChunker().Min)
			if r := n.receivedFor(f.sha); r < f.size || r-f.size > chunk {
				t.Errorf("file %s (%d bytes): the backend read %d upload bytes for it; want between %d and %d (at most one chunk again)",
					f.sha[:8], f.size, r, f.size, f.size+chunk)
			}
		}
	}
}

func openReadOnly(t testing.TB, path string) *sql.DB {
	t.Helper()
	db, err := sql.Open("sqlite3", "file:"+path+"?mode=ro&_busy_timeout=5000")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// converge syncs until nothing is pending any more (a pass may leave work
// when a fault cut it short), at most passes times.
func converge(t testing.TB, r *rig, passes int) {
	t.Helper()
	ctx := context.Background()
	var err error
	for i := 0; i < passes; i++ {
		r.clock.Advance(time.Hour) // past any Retry-After and backoff
		if err = r.engine.Sync(ctx); err == nil {
			if pending := pendingItems(t, r); pending == 0 {
				return
			}
		}
	}
	t.Fatalf("still %d items pending after %d passes (last: %v)", pendingItems(t, r), passes, err)
}

func pendingItems(t testing.TB, r *rig) int {
	t.Helper()
	var n int
	if err := r.store.DB().QueryRow(`SELECT count(*) FROM outbox WHERE state = 'pending'`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
