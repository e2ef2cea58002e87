package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/assets"
)

// testScaleOutUpload: a device's upload begun on process A is held by a
// PATCH whose client stalls; a HEAD on process B asks A to let go (the lock
// holds between the processes), gets the offset A reached, and the client
// finishes the upload on B. Another device finds it on neither process.
// The device's case that uses it goes through either, once.
func testScaleOutUpload(t *testing.T, c *client, a, b, lb, shared string) {
	register := func(base string) api.Device {
		r := c.must(t, http.MethodPost, base+api.PathDevices, nil, []byte(`{"platform":"linux","app_version":"scale-out"}`), http.StatusCreated)
		var d api.Device
		if err := json.Unmarshal(r.body, &d); err != nil {
			t.Fatal(err)
		}
		return d
	}
	owner, other := register(a), register(b)
	// About 240 KB that start as a JPEG does (the backend checks that).
	file := append([]byte{0xFF, 0xD8, 0xFF}, bytes.Repeat([]byte("Schlagloch vor der Bäckerei. "), 8<<10)...)
	sum := sha256.Sum256(file)
	hexSum := hex.EncodeToString(sum[:])
	const first, stalled = 64 << 10, 32 << 10
	tusAs := func(d api.Device, h http.Header) http.Header {
		h.Set("Tus-Resumable", "1.0.0")
		h.Set("Authorization", "Bearer "+d.Token)
		return h
	}
	tus := func(h http.Header) http.Header { return tusAs(owner, h) }
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

	// Once A has written those bytes (the file store writes as they
	// come), B's HEAD waits until A lets go, then answers what A stored.
	for deadline := time.Now().Add(30 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if fi, err := os.Stat(filepath.Join(shared, "uploads", id)); err == nil && fi.Size() >= first+stalled {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("A did not write the bytes of the stalled PATCH within 30 s")
		}
	}
	head := c.must(t, http.MethodHead, b+api.PathUploads+id, tus(http.Header{}), nil, http.StatusOK)
	offset, _ := strconv.Atoi(head.header.Get("Upload-Offset"))
	if offset != first+stalled {
		t.Fatalf("B's offset = %d, want what A received, %d", offset, first+stalled)
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
	head = c.must(t, http.MethodHead, a+api.PathUploads+id, tus(http.Header{}), nil, http.StatusOK)
	if got := head.header.Get("Upload-Offset"); got != strconv.Itoa(len(file)) {
		t.Errorf("A sees offset %s, want the whole file, %d", got, len(file))
	}
	for _, base := range []string{a, b} {
		c.must(t, http.MethodHead, base+api.PathUploads+id, tusAs(other, http.Header{}), nil, http.StatusNotFound)
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
	header := bearer(other.Token)
	header.Set(api.HeaderIdempotencyKey, "scale-upload")
	c.must(t, http.MethodPost, lb+api.PathSubmissions, header, body2, http.StatusUnprocessableEntity)
	header = bearer(owner.Token)
	header.Set(api.HeaderIdempotencyKey, "scale-upload")
	made := c.must(t, http.MethodPost, lb+api.PathSubmissions, header, body2, http.StatusCreated)
	// A retry (the balancer sends it to the other process) gets the case;
	// a second case naming the upload does not.
	if again := c.must(t, http.MethodPost, lb+api.PathSubmissions, header, body2, http.StatusCreated); !bytes.Equal(again.body, made.body) {
		t.Errorf("the retry got %s, want the first case %s", again.body, made.body)
	}
	header.Set(api.HeaderIdempotencyKey, "scale-upload-2")
	c.must(t, http.MethodPost, lb+api.PathSubmissions, header, body2, http.StatusUnprocessableEntity)
	// The case keeps its upload, whichever process is asked to end it.
	for _, base := range []string{a, b} {
		c.must(t, http.MethodDelete, base+api.PathUploads+id, tus(http.Header{}), nil, http.StatusConflict)
	}
}
