package store_test

import (
	"bytes"
	"context"
	"testing"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/store"
)

// TestQueueReport: a report and its photos are queued together, the
// photos sealed in the file; the answer clears them and remembers the
// report's id.
func TestQueueReport(t *testing.T) {
	ctx := context.Background()
	f := MustOpen(t)
	lat, long := 50.94, 6.96
	photo := bytes.Repeat([]byte("RAW-PHOTO-BYTES "), 500)
	p := &citizen.ReportPayload{Request: api.ReportRequest{ServiceCode: "schlagloch", Description: "tief", Lat: &lat, Long: &long,
		Email: "erika@example.org"}}
	it, err := f.QueueReport(ctx, p, []store.NewReportPhoto{{Type: "image/jpeg", Data: photo}})
	if err != nil {
		t.Fatal(err)
	}
	if it.Kind != citizen.OutboxReport || it.DraftID == "" {
		t.Fatalf("item = %+v", it)
	}
	photos, err := f.ReportPhotos(ctx, it.DraftID)
	if err != nil || len(photos) != 1 || photos[0].Size != int64(len(photo)) || photos[0].Uploaded {
		t.Fatalf("photos = %+v, %v", photos, err)
	}
	if got, err := f.ReportPhotoData(ctx, photos[0].ID); err != nil || !bytes.Equal(got, photo) {
		t.Errorf("photo data = %d bytes, %v", len(got), err)
	}
	items, err := f.ReportItems(ctx)
	if err != nil || len(items) != 1 || items[0].Payload.(*citizen.ReportPayload).Request.Email != "erika@example.org" {
		t.Fatalf("outbox = %+v, %v", items, err)
	}
	f.notOnDisk(t, "the photo or the email", "RAW-PHOTO-BYTES", "erika@example.org")
	if _, err := f.QueueReport(ctx, p, make([]store.NewReportPhoto, 4)); citizen.ErrorCode(err) != citizen.EINVALID {
		t.Errorf("four photos: %v, want EINVALID", err)
	}

	rep := api.Report{ID: "17", ServiceCode: "schlagloch", Status: api.ReportOpen, Lat: &lat, Long: &long}
	if err := f.ReportSent(ctx, it, rep); err != nil {
		t.Fatal(err)
	}
	if left, _ := f.ReportPhotos(ctx, it.DraftID); len(left) != 0 {
		t.Errorf("photos left after sending: %d", len(left))
	}
	mine, err := f.MyReports(ctx)
	if err != nil || len(mine) != 1 || mine[0].ReportID != "17" || mine[0].ServiceCode != "schlagloch" {
		t.Errorf("my reports = %+v, %v", mine, err)
	}
	feed, _, err := f.ReportFeed(ctx)
	if err != nil || len(feed.Reports) != 1 || feed.Reports[0].ID != "17" {
		t.Errorf("cached feed = %+v, %v; want the report sent", feed, err)
	}
}
