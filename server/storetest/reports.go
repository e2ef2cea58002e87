package storetest

import (
	"context"
	"errors"
	"reflect"
	"slices"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/open311"
)

func newReport(code, token string, at time.Time) open311.NewReport {
	lat, long := 50.9401, 6.9602
	return open311.NewReport{
		Token: token, ServiceCode: code, Description: "Laterne aus",
		Lat: &lat, Long: &long, Address: "Domstraße 4", AddressID: "domstrasse-4",
		MediaURL:   "https://example.org/a.jpg",
		Attributes: map[string][]string{"fehlerart": {"aus"}, "art": {"hausmuell", "elektro"}},
		Private:    open311.Private{Email: "erika@example.org", FirstName: "Erika", Phone: "0221 1"},
		Source:     "app", Requested: at,
	}
}

func mustReport(t *testing.T, s server.Store, key string, r open311.NewReport) api.Report {
	t.Helper()
	got, replayed, err := s.CreateReport(context.Background(), key, hash("r"), r)
	if err != nil || replayed {
		t.Fatalf("CreateReport(%q) = replayed %v, err %v; want a new report", key, replayed, err)
	}
	return got
}

func ids(reps []api.Report) []string {
	out := []string{}
	for _, r := range reps {
		out = append(out, r.ID)
	}
	return out
}

func testReports(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()

	t.Run("created and read back by id and token", func(t *testing.T) {
		s := open(t)
		in := newReport("strassenbeleuchtung", "tok-1", created)
		got := mustReport(t, s, "", in)
		want := api.Report{
			ID: got.ID, ServiceCode: in.ServiceCode, Description: in.Description, Status: api.ReportOpen,
			Lat: in.Lat, Long: in.Long, Address: in.Address, AddressID: in.AddressID, MediaURL: in.MediaURL,
			Attributes: in.Attributes, Requested: created, Updated: created,
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("CreateReport = %+v, want %+v", got, want)
		}
		if _, err := parseID(got.ID); err != nil {
			t.Errorf("id %q: %v", got.ID, err)
		}
		byID, found, err := s.Report(ctx, got.ID)
		if err != nil || !found || !reflect.DeepEqual(byID, want) {
			t.Errorf("Report(%s) = %+v, %v, %v; want %+v", got.ID, byID, found, err, want)
		}
		byToken, found, err := s.ReportByToken(ctx, "tok-1")
		if err != nil || !found || !reflect.DeepEqual(byToken, want) {
			t.Errorf("ReportByToken = %+v, %v, %v; want %+v", byToken, found, err, want)
		}
		second := mustReport(t, s, "", newReport("schlagloch", "tok-2", created))
		if second.ID == got.ID {
			t.Errorf("two reports share the id %s", got.ID)
		}
	})

	t.Run("an address only, no attributes", func(t *testing.T) {
		s := open(t)
		in := newReport("baum", "tok-a", created)
		in.Lat, in.Long, in.Attributes, in.MediaURL = nil, nil, nil, ""
		got := mustReport(t, s, "", in)
		if got.Lat != nil || got.Long != nil || got.Attributes != nil || got.Address != in.Address {
			t.Errorf("CreateReport = %+v, want no position, no attributes, the address", got)
		}
	})

	t.Run("unknown ids and tokens", func(t *testing.T) {
		s := open(t)
		got := mustReport(t, s, "", newReport("baum", "tok-u", created))
		for _, id := range []string{"0", "-1", "0" + got.ID, got.ID + "0", "x", "", " " + got.ID, "99999999999999999999"} {
			if _, found, err := s.Report(ctx, id); found || err != nil {
				t.Errorf("Report(%q) = found %v, err %v; want not found", id, found, err)
			}
		}
		if _, found, err := s.ReportByToken(ctx, "tok-x"); found || err != nil {
			t.Errorf("ReportByToken(unknown) = found %v, err %v; want not found", found, err)
		}
	})

	t.Run("idempotency key per device", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_r1")
		addDevice(t, s, "d_r2")
		in := newReport("baum", "tok-k1", created)
		in.Device = "d_r1"
		first := mustReport(t, s, "key-1", in)
		in.Token = "tok-k2" // a retry makes a new token; the first report stays
		again, replayed, err := s.CreateReport(ctx, "key-1", hash("r"), in)
		if err != nil || !replayed || !reflect.DeepEqual(again, first) {
			t.Errorf("repeat = %+v, replayed %v, err %v; want the first report replayed", again, replayed, err)
		}
		if _, _, err := s.CreateReport(ctx, "key-1", hash("other"), in); !errors.Is(err, server.ErrKeyReused) {
			t.Errorf("same key, other request: err %v, want ErrKeyReused", err)
		}
		other := in
		other.Device, other.Token = "d_r2", "tok-k3"
		if got := mustReport(t, s, "key-1", other); got.ID == first.ID {
			t.Errorf("another device's key found the first device's report")
		}
		all, err := s.Reports(ctx, open311.Filter{})
		if err != nil || len(all) != 2 {
			t.Errorf("Reports = %v, %v; want 2", ids(all), err)
		}
	})

	t.Run("filters", func(t *testing.T) {
		s := open(t)
		day := func(n int) time.Time { return created.Add(time.Duration(n) * 24 * time.Hour) }
		a := mustReport(t, s, "", newReport("baum", "f1", day(0)))
		b := mustReport(t, s, "", newReport("schlagloch", "f2", day(1)))
		c := mustReport(t, s, "", newReport("baum", "f3", day(2)))
		if _, ok, err := s.SetReportStatus(ctx, b.ID, api.ReportClosed, "erledigt", day(3)); !ok || err != nil {
			t.Fatalf("SetReportStatus = %v, %v", ok, err)
		}
		for _, tc := range []struct {
			name string
			f    open311.Filter
			want []string
		}{
			{"all, newest first", open311.Filter{}, []string{c.ID, b.ID, a.ID}},
			{"ids override the rest", open311.Filter{IDs: []string{a.ID, c.ID, "nope"}, ServiceCodes: []string{"schlagloch"}}, []string{c.ID, a.ID}},
			{"ids none valid", open311.Filter{IDs: []string{"nope"}}, []string{}},
			{"service code", open311.Filter{ServiceCodes: []string{"baum"}}, []string{c.ID, a.ID}},
			{"codes", open311.Filter{ServiceCodes: []string{"baum", "schlagloch"}}, []string{c.ID, b.ID, a.ID}},
			{"unknown code", open311.Filter{ServiceCodes: []string{"x"}}, []string{}},
			{"status closed", open311.Filter{Statuses: []string{api.ReportClosed}}, []string{b.ID}},
			{"status open", open311.Filter{Statuses: []string{api.ReportOpen}}, []string{c.ID, a.ID}},
			{"range inclusive", open311.Filter{From: day(1), To: day(2)}, []string{c.ID, b.ID}},
			{"range, other zone", open311.Filter{From: day(1).In(time.FixedZone("CET", 3600)), To: day(1).Add(time.Nanosecond)}, []string{b.ID}},
			{"from only", open311.Filter{From: day(2)}, []string{c.ID}},
			{"to only", open311.Filter{To: day(0)}, []string{a.ID}},
			{"limit", open311.Filter{Limit: 2}, []string{c.ID, b.ID}},
			{"all at once", open311.Filter{ServiceCodes: []string{"baum"}, Statuses: []string{api.ReportOpen}, From: day(1), To: day(5)}, []string{c.ID}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, err := s.Reports(ctx, tc.f)
				if err != nil {
					t.Fatal(err)
				}
				if !slices.Equal(ids(got), tc.want) {
					t.Errorf("Reports = %v, want %v", ids(got), tc.want)
				}
			})
		}
	})

	t.Run("status", func(t *testing.T) {
		s := open(t)
		r := mustReport(t, s, "", newReport("baum", "s1", created))
		at := created.Add(time.Hour)
		got, ok, err := s.SetReportStatus(ctx, r.ID, api.ReportClosed, "Ast entfernt", at)
		if err != nil || !ok || got.Status != api.ReportClosed || got.StatusNotes != "Ast entfernt" || !got.Updated.Equal(at) || !got.Requested.Equal(created) {
			t.Errorf("SetReportStatus = %+v, %v, %v", got, ok, err)
		}
		if _, ok, err := s.SetReportStatus(ctx, "424242", api.ReportClosed, "", at); ok || err != nil {
			t.Errorf("SetReportStatus(unknown) = %v, %v; want not found", ok, err)
		}
	})

	t.Run("status change in the device's feed", func(t *testing.T) {
		s := open(t)
		addDevice(t, s, "d_r1")
		addDevice(t, s, "d_r2")
		in := newReport("baum", "s2", created)
		in.Device = "d_r1"
		r := mustReport(t, s, "k1", in)
		mustReport(t, s, "", newReport("baum", "s3", created)) // an Open311 client's: no one to tell
		at := created.Add(2 * time.Hour)
		steps := []struct{ step, notes, status string }{
			{api.StatusInspection, "Ortstermin Montag", api.ReportOpen},
			{api.StatusClosed, "Ast entfernt", api.ReportClosed},
		}
		for _, st := range steps {
			got, ok, err := s.SetReportStatus(ctx, r.ID, st.step, st.notes, at)
			if err != nil || !ok || got.Status != st.status || got.StatusNotes != st.notes {
				t.Fatalf("SetReportStatus(%s) = %+v, %v, %v", st.step, got, ok, err)
			}
		}
		var seen []api.ReportUpdate
		feed, _, err := s.Changes(ctx, server.Device{ID: "d_r1"}, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range feed {
			if c.Kind == api.ChangeReport && c.Report != nil {
				seen = append(seen, *c.Report)
			}
		}
		if len(seen) != len(steps) {
			t.Fatalf("report changes of d_r1 = %+v, want %d", seen, len(steps))
		}
		for i, st := range steps {
			u := seen[i]
			if u.Report.ID != r.ID || u.Report.Status != st.status || u.Event.Status != st.step ||
				u.Event.Note.In("de") != st.notes || !u.Event.At.Equal(at) {
				t.Errorf("change %d = %+v, want step %s, status %s, note %q at %v", i, u, st.step, st.status, st.notes, at)
			}
		}
		other, _, err := s.Changes(ctx, server.Device{ID: "d_r2"}, 0, 100)
		for _, c := range other {
			if c.Kind == api.ChangeReport {
				t.Errorf("d_r2 sees %+v of another device's report", c)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
	})

	t.Run("history: the receipt and every step with its message", func(t *testing.T) {
		s := open(t)
		r := mustReport(t, s, "", newReport("baum", "h1", created))
		other := mustReport(t, s, "", newReport("baum", "h2", created))
		got, ok, err := s.ReportHistory(ctx, r.ID)
		if err != nil || !ok || len(got) != 1 || got[0].Status != api.StatusReceived || !got[0].At.Equal(created) || got[0].Note != nil {
			t.Fatalf("history of a new report = %+v, %v, %v; want its receipt", got, ok, err)
		}
		steps := []struct{ step, notes string }{
			{api.StatusInReview, ""},
			{api.StatusInspection, "Ortstermin Montag"},
			{api.StatusInReview, ""}, // back a step: kept, in order
			{api.StatusClosed, "Ast entfernt"},
		}
		for i, st := range steps {
			if _, ok, err := s.SetReportStatus(ctx, r.ID, st.step, st.notes, created.Add(time.Duration(i+1)*time.Hour)); !ok || err != nil {
				t.Fatalf("SetReportStatus(%s) = %v, %v", st.step, ok, err)
			}
		}
		got, ok, err = s.ReportHistory(ctx, r.ID)
		if err != nil || !ok || len(got) != len(steps)+1 {
			t.Fatalf("history = %+v, %v, %v; want the receipt and %d steps", got, ok, err, len(steps))
		}
		for i, st := range steps {
			ev := got[i+1]
			if ev.Status != st.step || ev.Note.In("de") != st.notes || !ev.At.Equal(created.Add(time.Duration(i+1)*time.Hour)) {
				t.Errorf("step %d = %+v; want %s %q", i+1, ev, st.step, st.notes)
			}
		}
		if got, ok, err := s.ReportHistory(ctx, other.ID); err != nil || !ok || len(got) != 1 {
			t.Errorf("history of the other report = %+v, %v, %v; want its receipt only", got, ok, err)
		}
		for _, id := range []string{"424242", "x", "0"} {
			if got, ok, err := s.ReportHistory(ctx, id); ok || err != nil || got != nil {
				t.Errorf("ReportHistory(%q) = %+v, %v, %v; want not found", id, got, ok, err)
			}
		}
	})

	t.Run("photos and votes", func(t *testing.T) {
		s := open(t)
		addUpload(t, s, "u_p1", created, true)
		addUpload(t, s, "u_p2", created, true)
		in := newReport("schlagloch", "p1", created)
		in.Photos = []string{"u_p1", "u_p2"}
		r := mustReport(t, s, "", in)
		if r.Photos != 2 || r.Votes != 0 {
			t.Errorf("report = %d photos, %d votes; want 2, 0", r.Photos, r.Votes)
		}
		for n, want := range map[int]string{1: "u_p1", 2: "u_p2"} {
			if got, ok, err := s.ReportPhoto(ctx, r.ID, n); got != want || !ok || err != nil {
				t.Errorf("ReportPhoto(%d) = %q, %v, %v; want %s", n, got, ok, err, want)
			}
		}
		if _, ok, err := s.ReportPhoto(ctx, r.ID, 3); ok || err != nil {
			t.Errorf("ReportPhoto(3) = %v, %v; want none", ok, err)
		}
		// A photo is kept: the janitor passes it by, and it cannot be deleted.
		expired, err := s.ExpiredUploads(ctx, created.Add(48*time.Hour))
		if err != nil || slices.Contains(expired, "u_p1") {
			t.Errorf("ExpiredUploads = %v, %v; want no photo of a report", expired, err)
		}
		if err := s.DeleteUpload(ctx, "u_p1"); !errors.Is(err, server.ErrUploadInUse) {
			t.Errorf("DeleteUpload(photo) = %v, want ErrUploadInUse", err)
		}
		// One photo serves one report.
		again := newReport("schlagloch", "p2", created)
		again.Photos = []string{"u_p1"}
		if _, _, err := s.CreateReport(ctx, "", hash("r"), again); !errors.As(err, new(*server.AttachmentError)) {
			t.Errorf("a second report took the first one's photo")
		}
		for _, voter := range []string{"d_1", "d_2", "d_1"} {
			if _, ok, err := s.VoteReport(ctx, r.ID, voter); !ok || err != nil {
				t.Fatalf("VoteReport(%s) = %v, %v", voter, ok, err)
			}
		}
		got, _, err := s.Report(ctx, r.ID)
		if err != nil || got.Votes != 2 {
			t.Errorf("votes = %d, %v; want 2 (one per voter)", got.Votes, err)
		}
		if _, ok, err := s.VoteReport(ctx, "424242", "d_1"); ok || err != nil {
			t.Errorf("VoteReport(unknown) = %v, %v; want not found", ok, err)
		}
	})

	t.Run("open311 keys", func(t *testing.T) {
		s := open(t)
		secret, k := open311.NewKey("fixmystreet", created)
		if added, err := s.AddOpen311Key(ctx, k); !added || err != nil {
			t.Fatalf("AddOpen311Key = %v, %v", added, err)
		}
		_, again := open311.NewKey("fixmystreet", created)
		if added, err := s.AddOpen311Key(ctx, again); added || err != nil {
			t.Errorf("AddOpen311Key(same name) = %v, %v; want not added", added, err)
		}
		if name, ok, err := s.Open311Key(ctx, open311.HashKey(secret)); name != "fixmystreet" || !ok || err != nil {
			t.Errorf("Open311Key = %q, %v, %v", name, ok, err)
		}
		if _, ok, err := s.Open311Key(ctx, open311.HashKey("wrong")); ok || err != nil {
			t.Errorf("Open311Key(wrong) = %v, %v; want not found", ok, err)
		}
		revokedAt := created.Add(time.Hour)
		if ok, err := s.RevokeOpen311Key(ctx, "fixmystreet", revokedAt); !ok || err != nil {
			t.Errorf("RevokeOpen311Key = %v, %v", ok, err)
		}
		if ok, err := s.RevokeOpen311Key(ctx, "fixmystreet", revokedAt.Add(time.Hour)); !ok || err != nil {
			t.Errorf("RevokeOpen311Key again = %v, %v", ok, err)
		}
		if ok, err := s.RevokeOpen311Key(ctx, "nobody", revokedAt); ok || err != nil {
			t.Errorf("RevokeOpen311Key(unknown) = %v, %v; want not found", ok, err)
		}
		if _, ok, _ := s.Open311Key(ctx, open311.HashKey(secret)); ok {
			t.Errorf("a revoked key still opens")
		}
		keys, err := s.Open311Keys(ctx)
		if err != nil || len(keys) != 1 || keys[0].Name != "fixmystreet" || !keys[0].Created.Equal(created) ||
			!keys[0].Revoked.Equal(revokedAt) || !slices.Equal(keys[0].Hash, k.Hash) {
			t.Errorf("Open311Keys = %+v, %v; want the key, revoked at %v (the first time)", keys, err, revokedAt)
		}
	})
}

func parseID(id string) (int, error) {
	var n int
	for _, c := range id {
		if c < '0' || c > '9' {
			return 0, errors.New("not a decimal number")
		}
		n = n*10 + int(c-'0')
	}
	if id == "" || id[0] == '0' {
		return 0, errors.New("not a positive number without leading zeros")
	}
	return n, nil
}
