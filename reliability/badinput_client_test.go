package reliability

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// clientCall runs a client call and wraps its error as a case's result.
func clientCall(f func(t *testing.T, r *rig) error) func(t *testing.T, r *rig) result {
	return func(t *testing.T, r *rig) result { return result{client: true, err: f(t, r)} }
}

func sampleSubmission() api.SubmissionRequest {
	return api.SubmissionRequest{Service: "hundesteuer", Form: api.FormRef{ID: "hundesteuer", Version: 2}, Data: json.RawMessage(`{}`)}
}

// clientCases are the bad input the app's clients meet: answers of the
// backend, or of whatever answers in its place.
func clientCases(t *testing.T) []badInput {
	t.Helper()
	ctx := context.Background()
	html := []byte("<html><body><form>Bitte melden Sie sich am Hotspot an.</form></body></html>")
	busy := want{code: citizen.EUNAVAILABLE, transient: true}
	unreadable := want{code: citizen.EUNAVAILABLE, transient: true}
	refused := want{code: citizen.EREJECTED}
	// against a fake server answering h
	viaFake := func(h http.HandlerFunc, call func(c *portal.Client) error) func(t *testing.T, r *rig) result {
		return clientCall(func(t *testing.T, r *rig) error { return call(portal.New(fake(t, h))) })
	}
	submitTo := func(c *portal.Client) error { _, err := c.Submit(ctx, "k", sampleSubmission()); return err }
	changesOf := func(c *portal.Client) error { _, err := c.Changes(ctx, "", 100); return err }
	uploadTo := func(h http.HandlerFunc, f upload.File) func(t *testing.T, r *rig) result {
		return clientCall(func(t *testing.T, r *rig) error {
			base := fake(t, h)
			if f.URL != "" {
				f.URL = base + f.URL
			}
			_, err := upload.New(base).Upload(ctx, f, func(upload.Progress) error { return nil })
			return err
		})
	}
	small := func(data string) upload.File {
		sum := sha256.Sum256([]byte(data))
		return upload.File{Name: "foto.jpg", Type: "image/jpeg", SHA256: hex.EncodeToString(sum[:]), Data: []byte(data)}
	}
	// with device A's credential against the real backend
	real := func(call func(c *portal.Client) error) func(t *testing.T, r *rig) result {
		return clientCall(func(t *testing.T, r *rig) error {
			c := portal.New(r.b.URL)
			c.SetToken(r.a.Token)
			return call(c)
		})
	}
	dayAhead := time.Now().Add(24 * time.Hour).UTC().Format(http.TimeFormat)

	return []badInput{
		{name: "portal: the catalog answered by a hotspot's login page", send: viaFake(reply(200, "text/html", html),
			func(c *portal.Client) error { _, _, _, err := c.Catalog(ctx, ""); return err }), want: unreadable},
		{name: "portal: a case answered in garbage", send: viaFake(reply(201, api.ContentTypeJSON, []byte("\x00\x01garbage")), submitTo), want: unreadable},
		{name: "portal: a submission answered 204 by a proxy", send: viaFake(reply(204, "", nil), submitTo), want: unreadable},
		{name: "portal: an answer of 20 MB", send: viaFake(reply(201, api.ContentTypeJSON, bytes.Repeat([]byte(" "), 20<<20)), submitTo), want: unreadable},
		{name: "portal: a change without its case", send: viaFake(reply(200, api.ContentTypeJSON,
			[]byte(`{"changes":[{"seq":1,"kind":"case"}],"cursor":"1"}`)), changesOf), want: unreadable},
		{name: "portal: a changes page in invalid UTF-8", send: viaFake(reply(200, api.ContentTypeJSON,
			[]byte("{\"changes\":[],\"cursor\":\"\xff\"}")), changesOf), want: unreadable},
		{name: "portal: a form definition in HTML", send: viaFake(reply(200, "text/html", html), func(c *portal.Client) error {
			_, err := c.Form(ctx, api.FormRef{ID: "hundesteuer", Version: 2})
			return err
		}), want: unreadable},
		{name: "portal: a device without a token", send: viaFake(reply(201, api.ContentTypeJSON, []byte(`{"id":"d_1"}`)), func(c *portal.Client) error {
			_, err := c.RegisterDevice(ctx, api.DeviceRequest{Platform: "linux"})
			return err
		}), want: unreadable},
		{name: "portal: a merged draft with another id", send: viaFake(reply(200, api.ContentTypeJSON, []byte(`{"id":"other","fields":{}}`)), func(c *portal.Client) error {
			_, err := c.PutDraft(ctx, api.DraftCopy{ID: "mine"})
			return err
		}), want: unreadable},
		{name: "portal: a wait until a day from now (clock skew)", send: viaFake(reply(503, "text/plain", []byte("maintenance"), "Retry-After", dayAhead), submitTo),
			want: want{code: citizen.EUNAVAILABLE, transient: true, check: func(t *testing.T, r *rig, res result) []string {
				var re *portal.ResponseError
				if !errors.As(res.err, &re) || re.RetryAfter > portal.MaxRetryAfter {
					return []string{fmt.Sprintf("the app would wait %v", re.RetryAfter)}
				}
				return nil
			}}},
		{name: "portal: field errors that are garbage", send: viaFake(reply(422, api.ContentTypeProblem, []byte(`{"title":"x","status":422,"errors":"all of them"}`)), submitTo),
			want: refused},
		{name: "portal: an HTML 500", send: viaFake(reply(500, "text/html", []byte("<h1>Internal Server Error</h1>")), submitTo), want: busy},
		{name: "portal, backend: an unknown form version", send: real(func(c *portal.Client) error {
			s := sampleSubmission()
			s.Form.Version = 99
			_, err := c.Submit(ctx, "c-version", s)
			return err
		}), want: refused},
		{name: "portal, backend: a field the town hall refuses", send: real(func(c *portal.Client) error {
			_, err := c.Submit(ctx, "c-invalid", api.SubmissionRequest{Service: "sperrmuell", Form: api.FormRef{ID: "sperrmuell", Version: 1},
				Data: json.RawMessage(`{"volume_m3":-1}`)})
			return err
		}), want: want{code: citizen.EINVALID}},
		{name: "portal, backend: a garbage cursor", send: real(func(c *portal.Client) error { _, err := c.Changes(ctx, "abc", 10); return err }),
			want: refused},
		{name: "portal, backend: a draft clock a day ahead", send: real(func(c *portal.Client) error {
			_, err := c.PutDraft(ctx, api.DraftCopy{ID: "c-skew", Fields: map[string]api.DraftField{
				"a": {Value: json.RawMessage(`"x"`), Clock: api.HLC{Wall: time.Now().Add(25 * time.Hour).UnixMilli(), Device: "d_skew"}.String()}}})
			return err
		}), want: refused},
		{name: "upload: creation answered by a hotspot's login page", send: uploadTo(reply(200, "text/html", html), small("0123456789")), want: unreadable},
		{name: "upload: created without a Location", send: uploadTo(reply(201, "", nil, "Upload-Offset", "10"), small("0123456789")), want: unreadable},
		{name: "upload: an offset that is not a number", send: uploadTo(reply(200, "", nil, "Upload-Offset", "zehn"),
			upload.File{Name: "a.jpg", Type: "image/jpeg", SHA256: strings.Repeat("a", 64), Data: []byte("0123456789"), URL: "/v1/uploads/u_1"}),
			want: unreadable},
		{name: "upload: an HTML 502 from a proxy", send: uploadTo(reply(502, "text/html", []byte("<h1>Bad Gateway</h1>")), small("0123456789")), want: busy},
		{name: "upload, backend: a file whose checksum is wrong", send: clientCall(func(t *testing.T, r *rig) error {
			f := small("0123456789")
			f.SHA256 = strings.Repeat("c", 64)
			_, err := upload.New(r.b.URL, upload.WithHeader("Authorization", "Bearer "+r.a.Token)).Upload(ctx, f, func(upload.Progress) error { return nil })
			return err
		}), want: refused},
		{name: "upload, backend: a file of 11 MB", send: clientCall(func(t *testing.T, r *rig) error {
			f := small(strings.Repeat("x", 11<<20))
			_, err := upload.New(r.b.URL, upload.WithHeader("Authorization", "Bearer "+r.a.Token)).Upload(ctx, f, func(upload.Progress) error { return nil })
			return err
		}), want: want{code: citizen.EINVALID}},
	}
}
