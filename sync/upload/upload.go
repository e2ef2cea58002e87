// Package upload sends files to the backend with the tus 1.0 resumable
// upload protocol (core, creation, creation-with-upload, termination). An
// upload survives a cut connection and a killed app: the caller persists the
// upload's URL and confirmed offset after every step, and the next attempt
// asks the server where it stands (HEAD) and goes on from there, so that no
// byte is sent twice beyond the one chunk that was in flight.
package upload

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/transport"
)

const tusVersion = "1.0.0"

// File is one file to upload and where its upload stands.
type File struct {
	Name   string
	Type   string
	SHA256 string // hex; travels in Upload-Metadata, the server checks it
	Data   []byte
	// URL is the upload's URL from an earlier attempt, "" for a new one.
	URL string
}

// Progress is reported after every step the server confirmed.
type Progress struct {
	URL    string
	Offset int64
	Size   int64
}

// Error is a failed upload step. It unwraps to the *citizen.Error that
// classifies it (transient or not).
type Error struct {
	Network    bool // no answer came
	Status     int
	RetryAfter time.Duration
	Err        *citizen.Error
}

func (e *Error) Error() string {
	if e.Status == 0 {
		return "upload: " + e.Err.Error()
	}
	return fmt.Sprintf("upload: HTTP %d: %s", e.Status, e.Err.Error())
}

func (e *Error) Unwrap() error { return e.Err }

// Client uploads to one tus endpoint. It is safe for concurrent use.
type Client struct {
	endpoint string // absolute URL of the creation endpoint, ending in "/"
	http     *http.Client
	header   http.Header // sent with every request
	chunks   *Chunker

	mu    sync.Mutex
	token string // the device credential, sent as a bearer token
	// cautious holds the files (by SHA-256) whose creation with data
	// failed without telling us the upload's URL: the bytes that went are
	// lost to us, so such a file is created empty next time and its bytes
	// go by PATCH, whose progress survives a cut. A link that drops more
	// often than a chunk takes would otherwise send the first chunk again
	// and again.
	cautious map[string]bool
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient replaces the HTTP client (timeouts, transports in tests).
func WithHTTPClient(c *http.Client) Option { return func(cl *Client) { cl.http = c } }

// WithTransport replaces the HTTP transport (default: transport.Shared,
// the connection pool the portal client uses too).
func WithTransport(t http.RoundTripper) Option {
	return func(cl *Client) {
		c := *cl.http
		c.Transport = t
		cl.http = &c
	}
}

// WithTimeout bounds each request (default 2 min): a chunk must go through
// in that time, so it should exceed the largest chunk's sending time on the
// slowest link the app is used on.
func WithTimeout(d time.Duration) Option {
	return func(cl *Client) {
		c := *cl.http
		c.Timeout = d
		cl.http = &c
	}
}

// WithHeader adds a header to every request.
func WithHeader(k, v string) Option { return func(cl *Client) { cl.header.Set(k, v) } }

// SetToken makes every later request carry the device's credential, as
// the portal client does: the backend gives an upload to the device that
// created it, and only that device may resume, end or attach it. Uploads
// created without it are anonymous and reached only without it. An
// Authorization header set by WithHeader is replaced.
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
}

// WithChunker sets the chunk size policy (default: adaptive, see Chunker).
func WithChunker(c *Chunker) Option { return func(cl *Client) { cl.chunks = c } }

// New returns a client of the tus endpoint at base + api.PathUploads.
func New(base string, opts ...Option) *Client {
	c := &Client{
		endpoint: strings.TrimRight(base, "/") + api.PathUploads,
		http:     &http.Client{Transport: transport.Shared(), Timeout: 2 * time.Minute},
		header:   http.Header{},
		chunks:   NewChunker(),
		cautious: map[string]bool{},
	}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Upload sends f, resuming at the server's offset when f.URL is set, and
// calls save after every confirmed step so the caller can persist where the
// upload stands. It returns the finished upload's URL.
func (c *Client) Upload(ctx context.Context, f File, save func(Progress) error) (string, error) {
	size := int64(len(f.Data))
	u, offset := f.URL, int64(-1)
	if u != "" {
		var err error
		offset, err = c.head(ctx, u, size)
		if err != nil {
			var ue *Error
			if !errors.As(err, &ue) || (ue.Status != http.StatusNotFound && ue.Status != http.StatusGone) {
				return "", err
			}
			u = "" // expired or removed on the server: start over
		}
	}
	if u == "" {
		var err error
		u, offset, err = c.create(ctx, f)
		if err != nil {
			return "", err
		}
		if err := save(Progress{URL: u, Offset: offset, Size: size}); err != nil {
			return "", err
		}
	}
	for offset < size {
		n := c.chunks.Size()
		end := min(offset+n, size)
		start := time.Now()
		next, err := c.patch(ctx, u, offset, f.Data[offset:end])
		if err != nil {
			var ue *Error
			if errors.As(err, &ue) && ue.Status == http.StatusConflict {
				// Our offset was stale (a step was confirmed but its
				// answer lost): ask where the server stands.
				if next, err = c.head(ctx, u, size); err != nil {
					return "", err
				}
				offset = next
				continue
			}
			return "", err
		}
		c.chunks.Observe(next-offset, time.Since(start))
		offset = next
		if err := save(Progress{URL: u, Offset: offset, Size: size}); err != nil {
			return "", err
		}
	}
	return u, nil
}

// ID returns the upload id of an upload URL: its last path segment.
func ID(uploadURL string) string {
	u := strings.TrimRight(uploadURL, "/")
	return u[strings.LastIndexByte(u, '/')+1:]
}

// Terminate removes an unfinished upload from the server (termination
// extension); removing one that is gone already is not an error.
func (c *Client) Terminate(ctx context.Context, uploadURL string) error {
	resp, err := c.do(ctx, http.MethodDelete, uploadURL, nil, nil)
	if err != nil {
		return err
	}
	resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusNoContent, http.StatusNotFound, http.StatusGone:
		return nil
	}
	return statusError(resp)
}

// create starts an upload, carrying the first chunk along (creation with
// upload), which saves a round trip for a small file. A file whose earlier
// creation failed after its bytes went is created empty (see cautious).
func (c *Client) create(ctx context.Context, f File) (string, int64, error) {
	size := int64(len(f.Data))
	c.mu.Lock()
	cautious := c.cautious[f.SHA256]
	c.mu.Unlock()
	h := http.Header{}
	h.Set("Upload-Length", strconv.FormatInt(size, 10))
	// The backend takes a file's name only, never a path or control
	// characters; what the device calls the file may hold those.
	h.Set("Upload-Metadata", metadata(map[string]string{
		api.MetaFilename: api.SafeFilename(f.Name), api.MetaFiletype: f.Type, api.MetaSHA256: f.SHA256,
	}))
	var first []byte
	if !cautious {
		first = f.Data[:min(c.chunks.Size(), size)]
		h.Set("Content-Type", "application/offset+octet-stream")
	}
	start := time.Now()
	resp, err := c.do(ctx, http.MethodPost, c.endpoint, h, first)
	if err == nil && resp.StatusCode != http.StatusCreated {
		err = statusError(resp)
		resp.Body.Close()
	}
	if err != nil {
		if len(first) > 0 {
			c.mu.Lock()
			c.cautious[f.SHA256] = true
			c.mu.Unlock()
		}
		return "", 0, err
	}
	defer resp.Body.Close()
	c.mu.Lock()
	delete(c.cautious, f.SHA256)
	c.mu.Unlock()
	loc, err := c.resolve(resp.Header.Get("Location"))
	if err != nil {
		return "", 0, garbled(resp.StatusCode, err)
	}
	offset, err := offsetOf(resp)
	if err != nil {
		offset = 0 // the server took the upload but not the body: send it by PATCH
	}
	c.chunks.Observe(offset, time.Since(start))
	return loc, offset, nil
}

func (c *Client) head(ctx context.Context, u string, size int64) (int64, error) {
	start := time.Now()
	resp, err := c.do(ctx, http.MethodHead, u, nil, nil)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	c.chunks.ObserveRTT(time.Since(start))
	if resp.StatusCode != http.StatusOK && resp.StatusCode != http.StatusNoContent {
		return 0, statusError(resp)
	}
	off, err := offsetOf(resp)
	if err != nil || off > size {
		return 0, garbled(resp.StatusCode, fmt.Errorf("offset %d of %d bytes: %v", off, size, err))
	}
	return off, nil
}

func (c *Client) patch(ctx context.Context, u string, offset int64, chunk []byte) (int64, error) {
	h := http.Header{}
	h.Set("Upload-Offset", strconv.FormatInt(offset, 10))
	h.Set("Content-Type", "application/offset+octet-stream")
	resp, err := c.do(ctx, http.MethodPatch, u, h, chunk)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent {
		return 0, statusError(resp)
	}
	next, err := offsetOf(resp)
	if err != nil || next <= offset || next > offset+int64(len(chunk)) {
		return 0, garbled(resp.StatusCode, fmt.Errorf("offset after PATCH: %d (sent %d from %d): %v", next, len(chunk), offset, err))
	}
	return next, nil
}

func (c *Client) do(ctx context.Context, method, u string, h http.Header, body []byte) (*http.Response, error) {
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, u, rd)
	if err != nil {
		return nil, err
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	for k, v := range h {
		req.Header[k] = v
	}
	c.mu.Lock()
	token := c.token
	c.mu.Unlock()
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Tus-Resumable", tusVersion)
	resp, err := c.http.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if ce, ok := errors.AsType[*citizen.Error](err); ok && !ce.Transient {
			// Refused on this side (an insecure connection): not a lost
			// network, and no use trying again by itself.
			return nil, &Error{Err: ce}
		}
		if ce := transport.Untrusted(err); ce != nil {
			return nil, &Error{Network: true, Err: ce}
		}
		return nil, &Error{Network: true, Err: citizen.Transient(citizen.EUNAVAILABLE, "The town hall's server cannot be reached.", err)}
	}
	return resp, nil
}

// resolve makes a Location header absolute against the endpoint.
func (c *Client) resolve(loc string) (string, error) {
	if loc == "" {
		return "", errors.New("no Location in the answer")
	}
	base, err := url.Parse(c.endpoint)
	if err != nil {
		return "", err
	}
	ref, err := url.Parse(loc)
	if err != nil {
		return "", err
	}
	return base.ResolveReference(ref).String(), nil
}

func offsetOf(resp *http.Response) (int64, error) {
	v := resp.Header.Get("Upload-Offset")
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("bad Upload-Offset %q", v)
	}
	return n, nil
}

// metadata encodes the Upload-Metadata header: key and base64 value pairs,
// in a stable order.
func metadata(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, k+" "+base64.StdEncoding.EncodeToString([]byte(m[k])))
	}
	return strings.Join(parts, ",")
}

func garbled(status int, err error) error {
	return &Error{Status: status, Err: citizen.Transient(citizen.EUNAVAILABLE, "The server's answer could not be read.", err)}
}

// statusError classifies a failed step as the portal client does: an
// unexpected 2xx or 3xx, 408, 425, 429 and 5xx are worth retrying; a
// refused file (wrong checksum, too large, bad metadata) is not.
func statusError(resp *http.Response) error {
	st := resp.StatusCode
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	cause := fmt.Errorf("%s: %s", resp.Status, strings.TrimSpace(string(body)))
	e := &Error{Status: st}
	switch {
	case st < 400:
		// A success or redirect the step did not expect (a hotspot's
		// login page, a proxy's 204): unreadable, not a refusal.
		e.Err = citizen.Transient(citizen.EUNAVAILABLE, "The server's answer could not be read.", cause)
	case st == http.StatusRequestTimeout || st == http.StatusTooEarly || st == http.StatusTooManyRequests || st >= 500:
		e.RetryAfter = transport.RetryAfter(resp.Header.Get("Retry-After"), time.Now())
		e.Err = citizen.Transient(citizen.EUNAVAILABLE, "The town hall's server is busy; the app tries again by itself.", cause)
	case st == http.StatusRequestEntityTooLarge:
		e.Err = &citizen.Error{Code: citizen.EINVALID, Message: "The file is larger than the 10 MB allowed.", Err: cause}
	case st == http.StatusNotFound || st == http.StatusGone || st == http.StatusConflict:
		// Handled by the caller (start over, ask for the offset).
		e.Err = citizen.Transient(citizen.EUNAVAILABLE, "The upload has to start over.", cause)
	default:
		e.Err = &citizen.Error{Code: citizen.EREJECTED, Message: "The town hall's server refused the file.", Err: cause}
	}
	return e
}
