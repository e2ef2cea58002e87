package server_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server/servertest"
)

// BenchmarkUploadHead is one HEAD of an unfinished upload through the real
// backend over loopback: what finding out where to resume costs, with the
// ownership check (the upload's record, and for a device its credential).
func BenchmarkUploadHead(b *testing.B) {
	be := servertest.New(b)
	c := &http.Client{}
	do := func(method, path string, h http.Header, body []byte) *http.Response {
		req, err := http.NewRequest(method, be.URL+path, bytes.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		req.Header = h
		res, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		res.Body.Close()
		return res
	}
	req, _ := http.NewRequest(http.MethodPost, be.URL+api.PathDevices, strings.NewReader(`{"platform":"linux","app_version":"bench"}`))
	res, err := c.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	var d api.Device
	if err := json.NewDecoder(res.Body).Decode(&d); err != nil {
		b.Fatal(err)
	}
	res.Body.Close()
	f := newFile(10, 60)
	for _, tt := range []struct{ name, auth string }{{"anonymous", ""}, {"device", "Bearer " + d.Token}} {
		h := http.Header{"Tus-Resumable": {"1.0.0"}}
		if tt.auth != "" {
			h.Set("Authorization", tt.auth)
		}
		create := h.Clone()
		create.Set("Upload-Length", "10")
		create.Set("Upload-Metadata", f.meta())
		create.Set("Content-Type", "application/offset+octet-stream")
		res := do(http.MethodPost, api.PathUploads, create, f.data[:5])
		loc := res.Header.Get("Location")
		if res.StatusCode != http.StatusCreated || loc == "" {
			b.Fatalf("create: %d", res.StatusCode)
		}
		path := strings.TrimPrefix(loc, be.URL)
		b.Run(tt.name, func(b *testing.B) {
			for b.Loop() {
				if res := do(http.MethodHead, path, h, nil); res.StatusCode != http.StatusOK || res.Header.Get("Upload-Offset") != "5" {
					b.Fatalf("HEAD = %d, offset %q", res.StatusCode, res.Header.Get("Upload-Offset"))
				}
			}
		})
	}
}
