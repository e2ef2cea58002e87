// Package portal is the app's client of the municipal portal API
// (api/openapi.yaml), on github.com/go-resty/resty/v2. It turns every answer
// into either a result or a classified error: transient (network, timeouts,
// 408, 425, 429, 5xx, a garbled answer) for the sync engine to retry, or
// permanent (other 4xx) for the citizen to act on.
package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/go-resty/resty/v2"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/transport"
)

// maxBody bounds what the client reads of any answer: the catalog and the
// largest form are far below it, and a misbehaving server cannot exhaust
// the phone's memory.
const maxBody = 8 << 20

// Client talks to one backend. It is safe for concurrent use.
type Client struct {
	rc *resty.Client

	mu    sync.Mutex
	token string // the device credential, sent as a bearer token
}

// Option configures a Client.
type Option func(*resty.Client)

// WithTimeout bounds each request (default 30 s).
func WithTimeout(d time.Duration) Option { return func(c *resty.Client) { c.SetTimeout(d) } }

// WithTransport replaces the HTTP transport (default: transport.Shared, the
// connection pool the uploader uses too).
func WithTransport(t http.RoundTripper) Option { return func(c *resty.Client) { c.SetTransport(t) } }

// New returns a client of the backend at baseURL ("http://127.0.0.1:8080").
func New(baseURL string, opts ...Option) *Client {
	rc := resty.New().
		SetTransport(transport.Shared()).
		SetBaseURL(strings.TrimRight(baseURL, "/")).
		SetTimeout(30*time.Second).
		SetResponseBodyLimit(maxBody).
		SetHeader("User-Agent", "Rathaus-App/1").
		SetHeader("Accept", api.ContentTypeJSON+", "+api.ContentTypeProblem).
		SetDisableWarn(true)
	for _, o := range opts {
		o(rc)
	}
	return &Client{rc: rc}
}

// BaseURL returns the backend's address.
func (c *Client) BaseURL() string { return c.rc.BaseURL }

// SetToken makes every later request carry the device's credential.
func (c *Client) SetToken(token string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.token = token
}

// Token returns the device credential in use ("" for none).
func (c *Client) Token() string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.token
}

// r starts a request with the context and the device credential.
func (c *Client) r(ctx context.Context) *resty.Request {
	req := c.rc.R().SetContext(ctx)
	if t := c.Token(); t != "" {
		req.SetAuthToken(t)
	}
	return req
}

// MaxRetryAfter is the longest wait a Retry-After header can ask for; see
// transport.MaxRetryAfter.
const MaxRetryAfter = transport.MaxRetryAfter

// ResponseError is a failed exchange with the backend: whether no answer
// came at all (Network), its status, the problem details if the server sent
// some, and how long it asked us to wait. It unwraps to the *citizen.Error
// that classifies it.
type ResponseError struct {
	Network    bool
	Status     int
	Problem    *api.Problem
	RetryAfter time.Duration
	Err        *citizen.Error
}

func (e *ResponseError) Error() string {
	if e.Status == 0 {
		return e.Err.Error()
	}
	return fmt.Sprintf("HTTP %d: %s", e.Status, e.Err.Error())
}

func (e *ResponseError) Unwrap() error { return e.Err }

// Health asks the backend's cheap health probe.
func (c *Client) Health(ctx context.Context) error {
	resp, err := c.r(ctx).Get(api.PathHealth)
	if err != nil {
		return networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return statusError(resp)
	}
	return nil
}

// Catalog fetches the catalog unless it is unchanged since etag. It returns
// the new catalog and ETag, or changed=false on 304.
func (c *Client) Catalog(ctx context.Context, etag string) (cat api.Catalog, newETag string, changed bool, err error) {
	req := c.r(ctx)
	if etag != "" {
		req.SetHeader("If-None-Match", etag)
	}
	resp, err := req.Get(api.PathCatalog)
	if err != nil {
		return cat, "", false, networkError(ctx, err)
	}
	switch resp.StatusCode() {
	case http.StatusNotModified:
		return cat, etag, false, nil
	case http.StatusOK:
	default:
		return cat, "", false, statusError(resp)
	}
	if err := decode(resp, &cat); err != nil {
		return cat, "", false, err
	}
	if cat.Municipality.Name == "" || len(cat.Services) == 0 {
		return cat, "", false, garbled(resp.StatusCode(), errors.New("catalog without municipality or services"))
	}
	return cat, resp.Header().Get("ETag"), true, nil
}

// Form fetches one immutable form version and returns its raw definition;
// the caller compiles it (and refuses it if it is malformed).
func (c *Client) Form(ctx context.Context, ref api.FormRef) ([]byte, error) {
	resp, err := c.r(ctx).
		SetPathParams(map[string]string{"id": ref.ID, "version": strconv.Itoa(ref.Version)}).
		Get(api.PathForms + "{id}/{version}")
	if err != nil {
		return nil, networkError(ctx, err)
	}
	if resp.StatusCode() != http.StatusOK {
		return nil, statusError(resp)
	}
	body := resp.Body()
	if !utf8.Valid(body) || !json.Valid(body) {
		return nil, garbled(resp.StatusCode(), errors.New("form definition is not JSON"))
	}
	return body, nil
}

// Submit sends a submission under its idempotency key and returns the case
// the backend made of it (now, or on an earlier attempt with the same key).
func (c *Client) Submit(ctx context.Context, key string, req api.SubmissionRequest) (api.Case, error) {
	var cs api.Case
	status, err := c.Call(ctx, http.MethodPost, api.PathSubmissions, key, req, &cs)
	if err != nil {
		return cs, err
	}
	if cs.Number == "" || cs.ID == "" {
		return cs, garbled(status, errors.New("case without id or number"))
	}
	return cs, nil
}

// Call sends body as JSON, under an idempotency key unless it is "", and
// decodes a 200 or 201 answer into out; any failure is classified as every
// request of the client. It is the request of an outgoing item: each kind's
// method (Submit, PutDraft, ...) checks what the answer must hold, with
// the status for its errors.
func (c *Client) Call(ctx context.Context, method, path, idempotencyKey string, body, out any) (status int, err error) {
	req := c.r(ctx).SetHeader("Content-Type", api.ContentTypeJSON).SetBody(body)
	if idempotencyKey != "" {
		req.SetHeader(api.HeaderIdempotencyKey, idempotencyKey)
	}
	resp, err := req.Execute(method, path)
	if err != nil {
		return 0, networkError(ctx, err)
	}
	if st := resp.StatusCode(); st != http.StatusCreated && st != http.StatusOK {
		return st, statusError(resp)
	}
	return resp.StatusCode(), decode(resp, out)
}

func decode(resp *resty.Response, v any) error {
	body := resp.Body()
	if !utf8.Valid(body) {
		return garbled(resp.StatusCode(), errors.New("answer is not valid UTF-8"))
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return garbled(resp.StatusCode(), err)
	}
	return nil
}

// garbled is a 2xx answer the app cannot read: a captive portal's login
// page, a proxy's error page, a cut body. Worth retrying: the next answer
// may be the real one.
func garbled(status int, err error) error {
	return &ResponseError{Status: status, Err: citizen.Transient(citizen.EUNAVAILABLE,
		"The server's answer could not be read.", err)}
}

func networkError(ctx context.Context, err error) error {
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if errors.Is(err, resty.ErrResponseBodyTooLarge) {
		// An answer came, just far too big: a misbehaving server, not a
		// lost connection.
		return &ResponseError{Err: citizen.Transient(citizen.EUNAVAILABLE, "The server's answer could not be read.", err)}
	}
	if ce, ok := errors.AsType[*citizen.Error](err); ok && !ce.Transient {
		// Refused on this side (an insecure connection, sync/transport):
		// not a lost network, and no use trying again by itself.
		return &ResponseError{Err: ce}
	}
	if ce := transport.Untrusted(err); ce != nil {
		// No answer that can be trusted: as offline, with why.
		return &ResponseError{Network: true, Err: ce}
	}
	return &ResponseError{Network: true, Err: citizen.Transient(citizen.EUNAVAILABLE, "The town hall's server cannot be reached.", err)}
}

// statusError classifies an unexpected status.
func statusError(resp *resty.Response) error {
	st := resp.StatusCode()
	e := &ResponseError{Status: st}
	ct := resp.Header().Get("Content-Type")
	if strings.HasPrefix(ct, api.ContentTypeProblem) || strings.HasPrefix(ct, api.ContentTypeJSON) {
		var p api.Problem
		// RFC 9457 makes every member optional; a title or field errors
		// are enough to call it a problem.
		if json.Unmarshal(resp.Body(), &p) == nil && (p.Status != 0 || p.Title != "" || len(p.Errors) > 0) {
			if p.Status == 0 {
				p.Status = st
			}
			e.Problem = &p
		}
	}
	cause := fmt.Errorf("%s", resp.Status())
	if e.Problem != nil {
		cause = e.Problem
	}
	switch {
	case st < 400:
		// A success or redirect the call did not expect (a 204 from a
		// proxy, a 3xx without Location): unreadable, not a refusal. A
		// submission may have been made; its retry, under the same key,
		// finds out.
		e.Err = citizen.Transient(citizen.EUNAVAILABLE, "The server's answer could not be read.", cause)
	case st == http.StatusRequestTimeout || st == http.StatusTooEarly || st == http.StatusTooManyRequests || st >= 500:
		e.RetryAfter = transport.RetryAfter(resp.Header().Get("Retry-After"), time.Now())
		msg := "The town hall's server is busy; the app tries again by itself."
		e.Err = citizen.Transient(citizen.EUNAVAILABLE, msg, cause)
	case st == http.StatusUnprocessableEntity && e.Problem != nil && len(e.Problem.Errors) > 0:
		e.Err = &citizen.Error{Code: citizen.EINVALID, Message: "The town hall found errors in the form. Please correct the marked fields.", Err: cause}
	case st == http.StatusNotFound:
		e.Err = &citizen.Error{Code: citizen.EREJECTED, Message: "The town hall no longer offers this form.", Err: cause}
	default:
		e.Err = &citizen.Error{Code: citizen.EREJECTED, Message: "The town hall did not accept this.", Err: cause}
	}
	return e
}
