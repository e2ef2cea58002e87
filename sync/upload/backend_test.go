package upload_test

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"rathaus/api"
	"rathaus/server/servertest"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// TestBackendUploadsOfTheDevice runs the client against the real backend:
// with the device's credential its uploads are the device's; a cut upload
// resumes with the same credential (as after a restart, in a new client),
// while another device, or a client without one, finds nothing to resume
// and starts a new upload of its own.
func TestBackendUploadsOfTheDevice(t *testing.T) {
	b := servertest.New(t)
	ctx := context.Background()
	register := func() api.Device {
		t.Helper()
		d, err := portal.New(b.URL).RegisterDevice(ctx, api.DeviceRequest{Platform: "linux", AppVersion: "test"})
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	devA, devB := register(), register()
	client := func(token string) *upload.Client {
		c := upload.New(b.URL, fixedChunks(64<<10))
		c.SetToken(token)
		return c
	}
	record := func(uploadURL string) (device, filename string) {
		t.Helper()
		u, err := b.DB.Upload(ctx, upload.ID(uploadURL))
		if err != nil {
			t.Fatalf("the backend's record of %s: %v", uploadURL, err)
		}
		return u.Device, u.Filename
	}

	// A's first attempt stops after two chunks (the app was killed).
	f := file("../Belege/quittung.jpg", 300<<10)
	rec := &recorder{}
	stop := errors.New("killed")
	steps := 0
	_, err := client(devA.Token).Upload(ctx, f, func(p upload.Progress) error {
		if steps++; steps == 2 {
			return stop
		}
		return rec.save(p)
	})
	if !errors.Is(err, stop) || rec.last.URL == "" || rec.last.Offset == 0 {
		t.Fatalf("first attempt: %v, progress %+v; want it stopped with its URL and offset saved", err, rec.last)
	}
	if dev, name := record(rec.last.URL); dev != devA.ID || name != "quittung.jpg" {
		t.Errorf("record: device %q, filename %q; want %s and the file's name without its folder", dev, name, devA.ID)
	}

	for _, tt := range []struct {
		name    string
		token   string
		resumes bool
		device  string
	}{
		{"device B", devB.Token, false, devB.ID},
		{"no credential", "", false, ""},
		{"device A again", devA.Token, true, devA.ID},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := f
			g.URL = rec.last.URL
			got, err := client(tt.token).Upload(ctx, g, (&recorder{}).save)
			if err != nil {
				t.Fatal(err)
			}
			if (got == rec.last.URL) != tt.resumes {
				t.Errorf("upload %s, first attempt's %s; want resumed %v", got, rec.last.URL, tt.resumes)
			}
			if dev, _ := record(got); dev != tt.device {
				t.Errorf("the upload is device %q's, want %q's", dev, tt.device)
			}
			r, err := http.NewRequest(http.MethodHead, got, nil)
			if err != nil {
				t.Fatal(err)
			}
			r.Header.Set("Tus-Resumable", "1.0.0")
			if tt.token != "" {
				r.Header.Set("Authorization", "Bearer "+tt.token)
			}
			res, err := http.DefaultClient.Do(r)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK || res.Header.Get("Upload-Offset") != res.Header.Get("Upload-Length") {
				t.Errorf("HEAD of the finished upload: %d, offset %s of %s", res.StatusCode, res.Header.Get("Upload-Offset"), res.Header.Get("Upload-Length"))
			}
		})
	}
	// B's own upload is not A's to end: Terminate finds nothing (404).
	bURL, err := client(devB.Token).Upload(ctx, file("b.jpg", 10<<10), (&recorder{}).save)
	if err != nil {
		t.Fatal(err)
	}
	if err := client(devA.Token).Terminate(ctx, bURL); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DB.Upload(ctx, upload.ID(bURL)); err != nil {
		t.Errorf("B's upload after A tried to end it: %v", err)
	}
	if err := client(devB.Token).Terminate(ctx, bURL); err != nil {
		t.Fatal(err)
	}
	if _, err := b.DB.Upload(ctx, upload.ID(bURL)); err == nil {
		t.Error("B's upload is still there after B ended it")
	}
}
