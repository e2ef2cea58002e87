package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
	"rathaus/server/casework"
)

func caseworkOf(t *testing.T, s Store) casework.Store {
	t.Helper()
	cw, ok := s.Store.(casework.Store)
	if !ok {
		t.Fatalf("%T does not implement casework.Store", s.Store)
	}
	return cw
}

func testCasework(t *testing.T, open func(t *testing.T) Store) {
	t.Run("answer", func(t *testing.T) { testAnswer(t, open) })
	t.Run("list", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		cw := caseworkOf(t, s)
		day := func(d int) time.Time { return created.AddDate(0, 0, d) }
		for i, c := range []struct {
			service string
			at      time.Time
		}{{"hundesteuer", day(-10)}, {"hundesteuer", day(-1)}, {"anmeldung-wohnung", day(0)}} {
			nc := newCase(caseID(i + 1))
			nc.Service, nc.Created = c.service, c.at
			mustCreate(t, s, caseID(i+1), nc)
		}
		// The oldest is decided: not overdue, however old.
		setStatus(t, s, caseID(1), api.StatusDecided)
		tests := []struct {
			name  string
			q     casework.Query
			want  []string
			total int
		}{
			{"all, newest first", casework.Query{Limit: 10}, []string{caseID(3), caseID(2), caseID(1)}, 3},
			{"service", casework.Query{Service: "hundesteuer", Limit: 10}, []string{caseID(2), caseID(1)}, 2},
			{"services of an office", casework.Query{Services: []string{"anmeldung-wohnung", "nonesuch"}, Limit: 10}, []string{caseID(3)}, 1},
			{"an office without services", casework.Query{Services: []string{}, Limit: 10}, []string{}, 0},
			{"status", casework.Query{Status: api.StatusDecided, Limit: 10}, []string{caseID(1)}, 1},
			{"number", casework.Query{Number: "000002", Limit: 10}, []string{caseID(2)}, 1},
			{"search a number", casework.Query{Search: "000003", Limit: 10}, []string{caseID(3)}, 1},
			{"search the data", casework.Query{Search: "bELLo", Limit: 10}, []string{caseID(3), caseID(2), caseID(1)}, 3},
			{"search nothing found", casework.Query{Search: "Rex", Limit: 10}, []string{}, 0},
			{"from", casework.Query{From: day(-1), Limit: 10}, []string{caseID(3), caseID(2)}, 2},
			{"to", casework.Query{To: day(-1), Limit: 10}, []string{caseID(1)}, 1},
			{"overdue", casework.Query{OverdueBefore: day(0), Limit: 10}, []string{caseID(2)}, 1},
			{"page 2", casework.Query{Limit: 1, Offset: 1}, []string{caseID(2)}, 3},
			{"past the end", casework.Query{Limit: 10, Offset: 5}, []string{}, 3},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				p, err := cw.ListCases(ctx, tt.q)
				if err != nil {
					t.Fatal(err)
				}
				got := []string{}
				for _, c := range p.Cases {
					got = append(got, c.ID)
				}
				if !reflect.DeepEqual(got, tt.want) || p.Total != tt.total {
					t.Errorf("got %v of %d, want %v of %d", got, p.Total, tt.want, tt.total)
				}
			})
		}
	})

	t.Run("file", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		cw := caseworkOf(t, s)
		u := addUpload(t, s, "u_1", created, true)
		nc := newCase(caseID(1))
		nc.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: u.ID, Size: u.Size, SHA256: u.SHA256}}
		c := mustCreate(t, s, "k", nc)
		f, err := cw.CaseFile(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		wantAtt := []casework.Attachment{{Pointer: "/photo", Upload: "u_1", Filename: u.Filename, Filetype: u.Filetype, Size: u.Size, SHA256: u.SHA256}}
		if string(f.Data) != string(nc.Data) || f.Number != c.Number || !reflect.DeepEqual(f.Attachments, wantAtt) || f.Assignee != "" {
			t.Errorf("file = %+v, want data %s, number %s, attachments %+v", f, nc.Data, c.Number, wantAtt)
		}
		if _, err := cw.CaseFile(ctx, caseID(9)); !errors.Is(err, casework.ErrNoCase) {
			t.Errorf("unknown case: err = %v, want ErrNoCase", err)
		}
	})

	t.Run("act and audit", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		cw := caseworkOf(t, s)
		addDevice(t, s, "d1")
		c := mustCreate(t, s, "k", deviceCase(caseID(1), "d1"))
		mustCreate(t, s, "k2", newCase(caseID(2)))
		at := created.Add(time.Hour)
		anna := "anna"
		var seen casework.State
		if _, err := cw.Act(ctx, c.ID, casework.Action{Actor: "anna", At: at, What: casework.ActTake, Assignee: &anna},
			func(st casework.State) error { seen = st; return nil }); err != nil {
			t.Fatalf("take: %v", err)
		}
		if seen != (casework.State{Status: api.StatusReceived}) {
			t.Errorf("allow saw %+v, want received and nobody", seen)
		}
		ev := api.CaseEvent{Status: api.StatusInfoNeeded, At: at.Add(time.Minute), Note: api.Text{"de": "Bitte Foto", "en": "Photo please"},
			Fields: []string{"/photo", "/members/0/name"}}
		got, err := cw.Act(ctx, c.ID, casework.Action{Actor: "anna", At: ev.At, What: casework.ActMove, Event: &ev, Detail: "Bitte Foto"},
			func(st casework.State) error { seen = st; return nil })
		if err != nil {
			t.Fatalf("move: %v", err)
		}
		if seen != (casework.State{Status: api.StatusReceived, Assignee: "anna"}) {
			t.Errorf("allow saw %+v, want received and anna", seen)
		}
		if got.Status != api.StatusInfoNeeded || len(got.History) != 2 || !reflect.DeepEqual(got.History[1], ev) {
			t.Errorf("case after the move = %+v, want info_needed with the event %+v", got, ev)
		}
		if d := describe(feed(t, s, server.Device{ID: "d1"}, 0, 10)); d[len(d)-1] != "case "+c.ID+" info_needed" {
			t.Errorf("feed of the device = %v, want the move last", d)
		}
		refused := errors.New("no")
		if _, err := cw.Act(ctx, c.ID, casework.Action{Actor: "bob", At: at, What: casework.ActTake, Assignee: &anna},
			func(casework.State) error { return refused }); !errors.Is(err, refused) {
			t.Errorf("refused act: err = %v, want allow's", err)
		}
		if _, err := cw.Act(ctx, caseID(9), casework.Action{Actor: "bob", At: at, What: casework.ActNote},
			func(casework.State) error { return nil }); !errors.Is(err, casework.ErrNoCase) {
			t.Errorf("unknown case: err = %v, want ErrNoCase", err)
		}
		log, err := cw.AuditLog(ctx, c.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []casework.AuditEntry{
			{Case: c.ID, Number: c.Number, Actor: "anna", At: at, What: casework.ActTake,
				Before: casework.State{Status: api.StatusReceived}, After: casework.State{Status: api.StatusReceived, Assignee: "anna"}},
			{Case: c.ID, Number: c.Number, Actor: "anna", At: ev.At, What: casework.ActMove, Detail: "Bitte Foto",
				Before: casework.State{Status: api.StatusReceived, Assignee: "anna"}, After: casework.State{Status: api.StatusInfoNeeded, Assignee: "anna"}},
		}
		for i := range log {
			if i > 0 && log[i].Seq <= log[i-1].Seq {
				t.Errorf("audit seqs %d, %d do not increase", log[i-1].Seq, log[i].Seq)
			}
			log[i].Seq = 0
		}
		if !reflect.DeepEqual(log, want) {
			t.Errorf("audit log = %+v\nwant %+v", log, want)
		}
		all, err := cw.AuditLog(ctx, "")
		if err != nil || len(all) != 2 {
			t.Errorf("whole audit log = %d entries, %v; want 2 (the other case has none)", len(all), err)
		}
		f, err := cw.CaseFile(ctx, c.ID)
		if err != nil || f.Assignee != "anna" || f.Device != "d1" {
			t.Errorf("file's assignee = %q, device %q, %v; want anna, d1", f.Assignee, f.Device, err)
		}
	})
}

func testAnswer(t *testing.T, open func(t *testing.T) Store) {
	ctx := context.Background()
	s := open(t)
	cw := caseworkOf(t, s)
	addDevice(t, s, "d1")
	addDevice(t, s, "d2")
	upload := func(id, device string) server.Upload {
		t.Helper()
		u := server.Upload{ID: id, Size: 100, SHA256: fmt.Sprintf("%064x", len(id)+7), Filename: id + ".jpg", Filetype: "image/jpeg", Created: created, Device: device}
		if err := s.CreateUpload(ctx, u); err != nil {
			t.Fatal(err)
		}
		if err := s.FinishUpload(ctx, id, created); err != nil {
			t.Fatal(err)
		}
		return u
	}
	first, second, foreign := upload("u_first", "d1"), upload("u_second", "d1"), upload("u_foreign", "d2")
	nc := deviceCase(caseID(1), "d1")
	nc.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: first.ID, Size: first.Size, SHA256: first.SHA256}}
	c := mustCreate(t, s, "k1", nc)
	att := func(p string, u server.Upload) casework.AnswerAttachment {
		return casework.AnswerAttachment{Pointer: p, Upload: u.ID, Size: u.Size, SHA256: u.SHA256}
	}
	ev := api.CaseEvent{Status: api.StatusInReview, At: created.Add(2 * time.Hour), Note: api.Text{"de": "Ergänzt", "en": "Added"}}
	a := casework.Answer{Case: c.ID, Device: "d1", Data: []byte(`{"dog_name":"Bello","more":"ja"}`), At: ev.At,
		Attachments: []casework.AnswerAttachment{att("/photo", first), att("/more", second)}}

	if _, _, err := cw.Answer(ctx, "k2", hash("answer"), a, ev); !errors.As(err, new(*casework.MoveError)) {
		t.Fatalf("an answer nobody asked for: err = %v, want a MoveError", err)
	}
	info := api.CaseEvent{Status: api.StatusInfoNeeded, At: created.Add(time.Hour), Note: api.Text{"de": "Mehr", "en": "More"}}
	if _, err := cw.Act(ctx, c.ID, casework.Action{Actor: "anna", At: info.At, What: casework.ActMove, Event: &info},
		func(casework.State) error { return nil }); err != nil {
		t.Fatal(err)
	}
	other := a
	other.Device = "d2"
	if _, _, err := cw.Answer(ctx, "k2", hash("answer"), other, ev); !errors.Is(err, casework.ErrNoCase) {
		t.Errorf("another device's answer: err = %v, want ErrNoCase", err)
	}
	bad := a
	bad.Attachments = []casework.AnswerAttachment{att("/photo", foreign)}
	if _, _, err := cw.Answer(ctx, "k2", hash("bad"), bad, ev); !errors.As(err, new(*server.AttachmentError)) {
		t.Errorf("an answer with another device's upload: err = %v, want an AttachmentError", err)
	}
	if f, err := cw.CaseFile(ctx, c.ID); err != nil || len(f.Attachments) != 1 || f.Status != api.StatusInfoNeeded {
		t.Errorf("after a refused answer: %d attachments, %s, %v; want the case as it was", len(f.Attachments), f.Status, err)
	}
	if u, err := s.Upload(ctx, first.ID); err != nil || u.Case != c.ID {
		t.Errorf("after a refused answer the case's upload belongs to %q (%v), want the case", u.Case, err)
	}
	got, replayed, err := cw.Answer(ctx, "k2", hash("answer"), a, ev)
	if err != nil || replayed {
		t.Fatalf("answer: replayed %v, err %v", replayed, err)
	}
	if got.ID != c.ID || got.Number != c.Number || got.Status != api.StatusInReview || len(got.History) != 3 || !reflect.DeepEqual(got.History[2], ev) {
		t.Errorf("the answered case = %+v, want the same case in review with 3 events", got)
	}
	again, replayed, err := cw.Answer(ctx, "k2", hash("answer"), a, ev)
	if err != nil || !replayed || len(again.History) != 3 {
		t.Errorf("the answer again: replayed %v, %d events, err %v; want the case as it is", replayed, len(again.History), err)
	}
	if _, _, err := cw.Answer(ctx, "k2", hash("something else"), a, ev); !errors.Is(err, server.ErrKeyReused) {
		t.Errorf("the key with another answer: err = %v, want ErrKeyReused", err)
	}
	f, err := cw.CaseFile(ctx, c.ID)
	if err != nil {
		t.Fatal(err)
	}
	if string(f.Data) != string(a.Data) || len(f.Attachments) != 2 {
		t.Errorf("the case's data %s with %d attachments, want the answer's with 2", f.Data, len(f.Attachments))
	}
	log, _ := cw.AuditLog(ctx, c.ID)
	if last := log[len(log)-1]; last.Actor != casework.Citizen || last.What != casework.ActAnswer || last.After.Status != api.StatusInReview {
		t.Errorf("the audit log ends with %+v, want the citizen's answer", last)
	}
	if d := describe(feed(t, s, server.Device{ID: "d1"}, 0, 10)); d[len(d)-1] != "case "+c.ID+" in_review" {
		t.Errorf("feed = %v, want the answer last", d)
	}
}
