package engine_test

import (
	"bytes"
	"context"
	"net/http"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
	"rathaus/server/open311"
)

// Reports in the kinds' fault table (kinds_test.go): one with a photo, one
// without, each a report the backend holds once, with its photo.
type reportsUnderTest struct {
	queued map[string]string // local id -> description
	photos map[string][]byte // local id -> the photo queued, if any
}

func (*reportsUnderTest) kind() citizen.OutboxKind { return citizen.OutboxReport }

func (*reportsUnderTest) open(t *testing.T, n *faultNet) *rig { return newFaultDevice(t, n) }

func (k *reportsUnderTest) queue(t *testing.T, dev *rig, i int) {
	t.Helper()
	lat, long := 50.9405+float64(i)/1000, 6.9601
	p := &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "strassenbeleuchtung",
		Description: []string{"Laterne aus", "Laterne flackert"}[i%2], Lat: &lat, Long: &long,
		Attributes: map[string][]string{"fehlerart": {[]string{"aus", "flackert"}[i%2]}}}}
	var photos []store.NewReportPhoto
	var photo []byte
	if i%2 == 1 {
		photo = bytes.Repeat([]byte{0xff, 0xd8, byte(i)}, 40000) // 120 KB, a few chunks
		photos = append(photos, store.NewReportPhoto{Type: "image/jpeg", Data: photo})
	}
	it, err := dev.store.QueueReport(context.Background(), p, photos)
	if err != nil {
		t.Fatal(err)
	}
	if k.queued == nil {
		k.queued, k.photos = map[string]string{}, map[string][]byte{}
	}
	k.queued[it.DraftID], k.photos[it.DraftID] = p.Request.Description, photo
}

func (*reportsUnderTest) sends(r *http.Request) bool {
	return r.Method == http.MethodPost && r.URL.Path == api.PathReports
}

func (*reportsUnderTest) held(t *testing.T, dev *rig) int {
	t.Helper()
	reps, err := dev.backend.DB.Reports(context.Background(), open311.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	return len(reps)
}

// check: each report the device knows as sent is at the backend as
// queued, with its photo's bytes, and its photos are gone from the device.
func (k *reportsUnderTest) check(t *testing.T, n *faultNet, dev *rig) {
	t.Helper()
	ctx := context.Background()
	mine, err := dev.store.MyReports(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range mine {
		rep, found, err := dev.backend.DB.Report(ctx, m.ReportID)
		if err != nil || !found {
			t.Errorf("report %s (local %s) at the backend: %v, %v", m.ReportID, m.LocalID, found, err)
			continue
		}
		if rep.Description != k.queued[m.LocalID] {
			t.Errorf("report %s = %q, want %q", rep.ID, rep.Description, k.queued[m.LocalID])
		}
		want := k.photos[m.LocalID]
		if (want != nil) != (rep.Photos == 1) {
			t.Errorf("report %s has %d photos, want %v", rep.ID, rep.Photos, want != nil)
		}
		if want != nil {
			resp, err := http.Get(dev.backend.URL + api.PathReports + "/" + rep.ID + "/photos/1")
			if err != nil {
				t.Fatal(err)
			}
			var got bytes.Buffer
			_, _ = got.ReadFrom(resp.Body)
			_ = resp.Body.Close()
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("photo of report %s: %d bytes, want the %d queued", rep.ID, got.Len(), len(want))
			}
		}
		if left, _ := dev.store.ReportPhotos(ctx, m.LocalID); len(left) != 0 {
			t.Errorf("report %s sent, but %d photos still on the device", rep.ID, len(left))
		}
	}
	if len(mine) != len(k.queued) {
		t.Errorf("my reports = %d, want %d", len(mine), len(k.queued))
	}
}

// TestReportVote: a "+1" goes out as a vote, once per device, and the
// public feed is cached for offline use.
func TestReportVote(t *testing.T) {
	ctx := context.Background()
	dev := newRig(t)
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	lat, long := 50.94, 6.96
	first := &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "baum", Lat: &lat, Long: &long}}
	if _, err := dev.store.QueueReport(ctx, first, nil); err != nil {
		t.Fatal(err)
	}
	if err := dev.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	other := newRigOn(t, dev.backend)
	if err := other.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := other.engine.RefreshReports(ctx); err != nil {
		t.Fatal(err)
	}
	feed, at, err := other.store.ReportFeed(ctx)
	if err != nil || len(feed.Reports) != 1 || at.IsZero() {
		t.Fatalf("cached feed = %+v at %v, %v; want the one report", feed, at, err)
	}
	near := citizen.Nearby(feed.Reports, "baum", 50.9402, 6.9601)
	if len(near) != 1 {
		t.Fatalf("nearby = %v, want the report 25 m away", near)
	}
	vote := &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "baum"}, Vote: near[0].ID}
	for range 2 { // the citizen taps twice: two items, one vote
		if _, err := other.store.QueueReport(ctx, vote, nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := other.engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	rep, _, err := dev.backend.DB.Report(ctx, near[0].ID)
	if err != nil || rep.Votes != 1 {
		t.Errorf("votes = %d, %v; want 1", rep.Votes, err)
	}
	if n := len(doneOf(t, other, citizen.OutboxReport)); n != 2 {
		t.Errorf("items done = %d, want 2", n)
	}
	if reps, _ := dev.backend.DB.Reports(ctx, open311.Filter{}); len(reps) != 1 {
		t.Errorf("backend reports = %d, want 1: a +1 is no new report", len(reps))
	}
}
