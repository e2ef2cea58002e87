package notice_test

import (
	"bytes"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/notice"
)

func TestPDF(t *testing.T) {
	n := notice.Notice{
		Town:     api.Municipality{Name: "Musterstadt", Address: "Rathausplatz 1, 51147 Musterstadt", Phone: "+49 2203 1234-0"},
		Number:   "2026-000042",
		Service:  "Mängelmelder",
		Decided:  time.Date(2026, 12, 7, 10, 0, 0, 0, time.UTC),
		Decision: "Das Schlagloch wird bis Freitag geschlossen.\n\nDie Straßenmeisterei ist beauftragt. " + string(bytes.Repeat([]byte("Weiterer Text. "), 400)),
		Clerk:    "Anna Amt",
	}
	b, err := notice.PDF(n)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("%PDF-")) || !bytes.Contains(b, []byte("%%EOF")) {
		t.Fatalf("not a PDF: %.40q", b)
	}
	if !bytes.Contains(b, []byte("/Count 2")) && !bytes.Contains(b, []byte("/Count 3")) {
		t.Errorf("a long decision does not go on to a second page")
	}
	again, err := notice.PDF(n)
	if err != nil || !bytes.Equal(again, b) {
		t.Errorf("the same notice twice gives other bytes (err %v)", err)
	}
	if _, err := notice.PDF(notice.Notice{Number: "2026-000042"}); err == nil {
		t.Error("a notice without a decision was made")
	}
}
