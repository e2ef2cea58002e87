package storetest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server"
)

func addUpload(t *testing.T, s server.Store, id string, at time.Time, finished bool) server.Upload {
	t.Helper()
	ctx := context.Background()
	u := server.Upload{ID: id, Size: 100, SHA256: fmt.Sprintf("%064x", len(id)), Filename: id + ".jpg", Filetype: "image/jpeg", Created: at}
	if err := s.CreateUpload(ctx, u); err != nil {
		t.Fatalf("CreateUpload: %v", err)
	}
	if finished {
		if err := s.FinishUpload(ctx, id, at.Add(time.Minute)); err != nil {
			t.Fatalf("FinishUpload: %v", err)
		}
		u.Finished = at.Add(time.Minute)
	}
	return u
}

func testUploads(t *testing.T, open func(t *testing.T) Store) {
	t.Run("owner", func(t *testing.T) { testUploadOwner(t, open(t)) })
	t.Run("bytes held", func(t *testing.T) { testUploadBytesHeld(t, open(t)) })
	t.Run("records", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		u := addUpload(t, s, "u_1", created, false)
		got, err := s.Upload(ctx, "u_1")
		if err != nil || got != u {
			t.Fatalf("Upload = %+v, %v; want %+v", got, err, u)
		}
		if err := s.CreateUpload(ctx, u); err == nil {
			t.Error("a second upload with the same id was stored")
		}
		for i, at := range []time.Time{created.Add(time.Hour), created.Add(2 * time.Hour)} {
			if err := s.FinishUpload(ctx, "u_1", at); err != nil {
				t.Fatalf("FinishUpload %d: %v", i, err)
			}
		}
		if got, _ := s.Upload(ctx, "u_1"); !got.Finished.Equal(created.Add(time.Hour)) {
			t.Errorf("finished = %v, want the first time %v", got.Finished, created.Add(time.Hour))
		}
		if _, err := s.Upload(ctx, "u_none"); !errors.Is(err, server.ErrNotFound) {
			t.Errorf("Upload of an unknown id: %v, want ErrNotFound", err)
		}
		if err := s.FinishUpload(ctx, "u_none", created); !errors.Is(err, server.ErrNotFound) {
			t.Errorf("FinishUpload of an unknown id: %v, want ErrNotFound", err)
		}
	})

	t.Run("a case links its attachments", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		done := addUpload(t, s, "u_done", created, true)
		addUpload(t, s, "u_open", created, false)
		att := func(u server.Upload) server.CaseAttachment {
			return server.CaseAttachment{Pointer: "/photo", Upload: u.ID, Size: u.Size, SHA256: u.SHA256}
		}
		good := att(done)
		tests := []struct {
			name string
			atts []server.CaseAttachment
			want server.AttachmentReason
		}{
			{"missing", []server.CaseAttachment{good, {Pointer: "/b", Upload: "u_none", Size: 1, SHA256: "x"}}, server.AttachmentMissing},
			{"unfinished", []server.CaseAttachment{{Pointer: "/b", Upload: "u_open", Size: 100, SHA256: done.SHA256}}, server.AttachmentUnfinished},
			{"size differs", []server.CaseAttachment{{Pointer: "/b", Upload: "u_done", Size: 99, SHA256: done.SHA256}}, server.AttachmentMismatch},
			{"hash differs", []server.CaseAttachment{{Pointer: "/b", Upload: "u_done", Size: 100, SHA256: "00"}}, server.AttachmentMismatch},
		}
		for i, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c := newCase(fmt.Sprintf("c_%d", i))
				c.Attachments = tt.atts
				_, _, err := s.CreateCase(ctx, "k", hash("a"), c)
				ae, ok := errors.AsType[*server.AttachmentError](err)
				if !ok || ae.Reason != tt.want || ae.Pointer != "/b" {
					t.Fatalf("err = %v, want an AttachmentError at /b: %s", err, tt.want)
				}
				if _, found, _ := s.ReplayCase(ctx, "", "k", hash("a")); found {
					t.Error("the key was stored for a case that was not made")
				}
			})
		}
		if n, _ := s.CountCases(ctx); n != 0 {
			t.Fatalf("cases = %d, want 0", n)
		}

		c := newCase("c_ok")
		c.Attachments = []server.CaseAttachment{good}
		if _, _, err := s.CreateCase(ctx, "k", hash("a"), c); err != nil {
			t.Fatalf("CreateCase with a good attachment: %v", err)
		}
		for _, tt := range []struct {
			id   string
			want error
		}{{"u_done", server.ErrUploadInUse}, {"u_open", nil}, {"u_open", server.ErrNotFound}, {"u_none", server.ErrNotFound}} {
			if err := s.DeleteUpload(ctx, tt.id); !errors.Is(err, tt.want) {
				t.Errorf("DeleteUpload(%s) = %v, want %v", tt.id, err, tt.want)
			}
		}
		if _, err := s.Upload(ctx, "u_done"); err != nil {
			t.Errorf("the upload a case uses: %v, want it kept", err)
		}
	})

	t.Run("expired", func(t *testing.T) {
		ctx := context.Background()
		s := open(t)
		old, recent := created.Add(-48*time.Hour), created.Add(-time.Hour)
		addUpload(t, s, "u_old_open", old, false)
		addUpload(t, s, "u_old_done", old, true)
		used := addUpload(t, s, "u_old_used", old, true)
		addUpload(t, s, "u_new_open", recent, false)
		addUpload(t, s, "u_new_done", recent, true)
		c := newCase("c_1")
		c.Attachments = []server.CaseAttachment{{Pointer: "/a", Upload: used.ID, Size: used.Size, SHA256: used.SHA256}}
		if _, _, err := s.CreateCase(ctx, "k", hash("a"), c); err != nil {
			t.Fatal(err)
		}
		got, err := s.ExpiredUploads(ctx, created.Add(-24*time.Hour))
		slices.Sort(got)
		if want := []string{"u_old_done", "u_old_open"}; err != nil || !slices.Equal(got, want) {
			t.Errorf("ExpiredUploads = %v, %v; want %v", got, err, want)
		}
	})
}

// testUploadOwner: an upload is its device's, or anonymous; a case takes
// only uploads of its own device (anonymous ones for an anonymous case),
// and each upload serves one case.
func testUploadOwner(t *testing.T, s server.Store) {
	ctx := context.Background()
	addDevice(t, s, "d_a")
	addDevice(t, s, "d_b")
	owned := func(id, device string) server.Upload {
		t.Helper()
		u := server.Upload{ID: id, Size: 100, SHA256: fmt.Sprintf("%064x", len(id)), Filename: id + ".jpg",
			Filetype: "image/jpeg", Created: created, Device: device}
		if err := s.CreateUpload(ctx, u); err != nil {
			t.Fatalf("CreateUpload: %v", err)
		}
		if err := s.FinishUpload(ctx, id, created); err != nil {
			t.Fatalf("FinishUpload: %v", err)
		}
		u.Finished = created
		return u
	}
	ua, anon := owned("u_a", "d_a"), owned("u_anon", "")
	if got, err := s.Upload(ctx, "u_a"); err != nil || got != ua {
		t.Fatalf("Upload = %+v, %v; want %+v", got, err, ua)
	}
	if got, err := s.Upload(ctx, "u_anon"); err != nil || got != anon {
		t.Fatalf("Upload = %+v, %v; want %+v", got, err, anon)
	}
	if err := s.CreateUpload(ctx, server.Upload{ID: "u_x", SHA256: "x", Filename: "x", Filetype: "x", Created: created, Device: "d_none"}); err == nil {
		t.Error("an upload of a device that does not exist was recorded")
	}
	n := 0
	try := func(key, device string, u server.Upload) (api.Case, bool, error) {
		n++
		c := deviceCase(fmt.Sprintf("c_%d", n), device)
		c.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: u.ID, Size: u.Size, SHA256: u.SHA256}}
		return s.CreateCase(ctx, key, hash(key), c)
	}
	refused := func(t *testing.T, want server.AttachmentReason, key, device string, u server.Upload) {
		t.Helper()
		_, _, err := try(key, device, u)
		if ae, ok := errors.AsType[*server.AttachmentError](err); !ok || ae.Reason != want || ae.Pointer != "/photo" {
			t.Errorf("CreateCase = %v, want an AttachmentError at /photo: %s", err, want)
		}
	}
	t.Run("another device's upload", func(t *testing.T) { refused(t, server.AttachmentMissing, "b-1", "d_b", ua) })
	t.Run("a device's upload, anonymously", func(t *testing.T) { refused(t, server.AttachmentMissing, "anon-1", "", ua) })
	t.Run("an anonymous upload, by a device", func(t *testing.T) { refused(t, server.AttachmentMissing, "a-0", "d_a", anon) })

	first, _, err := try("a-1", "d_a", ua)
	if err != nil {
		t.Fatalf("CreateCase with the device's own upload: %v", err)
	}
	if got, _ := s.Upload(ctx, "u_a"); got.Case != first.ID {
		t.Errorf("Upload.Case = %q, want %s", got.Case, first.ID)
	}
	t.Run("a second case", func(t *testing.T) { refused(t, server.AttachmentInUse, "a-2", "d_a", ua) })
	t.Run("the first case again, under its key", func(t *testing.T) {
		c, replayed, err := try("a-1", "d_a", ua)
		if err != nil || !replayed || c.ID != first.ID {
			t.Errorf("replay = %s, %v, %v; want %s replayed", c.ID, replayed, err, first.ID)
		}
	})
	t.Run("an anonymous case takes an anonymous upload once", func(t *testing.T) {
		if _, _, err := try("anon-2", "", anon); err != nil {
			t.Fatalf("CreateCase: %v", err)
		}
		refused(t, server.AttachmentInUse, "anon-3", "", anon)
	})
	t.Run("one upload at two places of one case", func(t *testing.T) {
		u := owned("u_twice", "d_a")
		c := deviceCase("c_twice", "d_a")
		c.Attachments = []server.CaseAttachment{{Pointer: "/a", Upload: u.ID, Size: u.Size, SHA256: u.SHA256},
			{Pointer: "/b", Upload: u.ID, Size: u.Size, SHA256: u.SHA256}}
		_, _, err := s.CreateCase(ctx, "twice", hash("twice"), c)
		if ae, ok := errors.AsType[*server.AttachmentError](err); !ok || ae.Reason != server.AttachmentInUse || ae.Pointer != "/b" {
			t.Errorf("CreateCase = %v, want the upload in use at /b", err)
		}
		if got, _ := s.Upload(ctx, u.ID); got.Case != "" {
			t.Errorf("Upload.Case = %q after the refused case, want none", got.Case)
		}
	})
	if got, err := s.CountCases(ctx); err != nil || got != 2 {
		t.Errorf("CountCases = %d, %v; want 2", got, err)
	}
}

// testUploadBytesHeld: a device holds the bytes of its uploads that no
// case uses, finished or not; another device's, anonymous ones and those
// a case took are not counted.
func testUploadBytesHeld(t *testing.T, s server.Store) {
	ctx := context.Background()
	addDevice(t, s, "d_a")
	addDevice(t, s, "d_b")
	held := func(device string) int64 {
		t.Helper()
		n, err := s.UploadBytesHeld(ctx, device)
		if err != nil {
			t.Fatalf("UploadBytesHeld(%s): %v", device, err)
		}
		return n
	}
	if got := held("d_a"); got != 0 {
		t.Errorf("held by a device without uploads = %d, want 0", got)
	}
	add := func(id, device string, size int64, finished bool) server.Upload {
		t.Helper()
		u := server.Upload{ID: id, Size: size, SHA256: fmt.Sprintf("%064x", len(id)), Filename: id + ".jpg",
			Filetype: "image/jpeg", Created: created, Device: device}
		if err := s.CreateUpload(ctx, u); err != nil {
			t.Fatalf("CreateUpload: %v", err)
		}
		if finished {
			if err := s.FinishUpload(ctx, id, created); err != nil {
				t.Fatalf("FinishUpload: %v", err)
			}
		}
		return u
	}
	add("u_a1", "d_a", 3<<20, false)
	used := add("u_a2", "d_a", 5<<20, true)
	add("u_a3", "d_a", 7, true)
	add("u_b1", "d_b", 11<<20, true)
	add("u_anon", "", 13<<20, true)
	if got, want := held("d_a"), int64(3<<20+5<<20+7); got != want {
		t.Errorf("held by d_a = %d, want %d (finished or not)", got, want)
	}
	c := deviceCase("c_held", "d_a")
	c.Attachments = []server.CaseAttachment{{Pointer: "/photo", Upload: used.ID, Size: used.Size, SHA256: used.SHA256}}
	if _, _, err := s.CreateCase(ctx, "held", hash("held"), c); err != nil {
		t.Fatalf("CreateCase: %v", err)
	}
	if got, want := held("d_a"), int64(3<<20+7); got != want {
		t.Errorf("held by d_a once a case took an upload = %d, want %d", got, want)
	}
	if err := s.DeleteUpload(ctx, "u_a1"); err != nil {
		t.Fatal(err)
	}
	if got := held("d_a"); got != 7 {
		t.Errorf("held by d_a after a delete = %d, want 7", got)
	}
	if got := held("d_b"); got != 11<<20 {
		t.Errorf("held by d_b = %d, want %d", got, 11<<20)
	}
	if got := held("d_none"); got != 0 {
		t.Errorf("held by an unknown device = %d, want 0", got)
	}
}
