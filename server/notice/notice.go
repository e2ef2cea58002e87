// Package notice makes the official notice (Bescheid) of a decided case as
// a PDF: the town's letterhead, the case number, the date and the
// decision, in German, the language of the town hall's acts. It uses
// github.com/signintech/gopdf with the Go fonts (golang.org/x/image's
// gofont, embedded), so that it needs no font of the machine.
package notice

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/signintech/gopdf"
	"golang.org/x/image/font/gofont/gobold"
	"golang.org/x/image/font/gofont/goregular"

	"rathaus/api"
	"rathaus/server/casework"
)

// Notice is what a notice says.
type Notice struct {
	Town     api.Municipality
	Number   string    // the case number
	Service  string    // the service's title
	Decided  time.Time // the day of the decision
	Decision string    // the decision, as the clerk wrote it
	Clerk    string    // who decided
}

// Margins and sizes on A4, in points.
const (
	left   = 70.0
	right  = 525.0
	bottom = 770.0
)

// PDF renders the notice. The same notice gives the same bytes.
func PDF(n Notice) ([]byte, error) {
	if n.Number == "" || strings.TrimSpace(n.Decision) == "" {
		return nil, errors.New("notice: a notice needs a case number and a decision")
	}
	pdf := &gopdf.GoPdf{}
	pdf.Start(gopdf.Config{PageSize: *gopdf.PageSizeA4})
	pdf.SetInfo(gopdf.PdfInfo{Title: "Bescheid " + n.Number, Author: n.Town.Name, Creator: "Rathaus",
		CreationDate: n.Decided})
	if err := pdf.AddTTFFontData("regular", goregular.TTF); err != nil {
		return nil, fmt.Errorf("notice: font: %w", err)
	}
	if err := pdf.AddTTFFontData("bold", gobold.TTF); err != nil {
		return nil, fmt.Errorf("notice: font: %w", err)
	}
	pdf.AddPage()
	w := writer{pdf: pdf}

	// Letterhead.
	w.font("bold", 16)
	w.at(left, 60)
	w.line("Stadt " + n.Town.Name)
	w.font("regular", 9)
	for _, s := range []string{n.Town.Address, join(" · ", prefix("Tel. ", n.Town.Phone), n.Town.Email, n.Town.Website)} {
		if s != "" {
			w.line(s)
		}
	}
	pdf.SetLineWidth(0.8)
	pdf.Line(left, w.y+6, right, w.y+6)
	w.y += 30

	w.font("regular", 10)
	w.right(fmt.Sprintf("%s, %s", n.Town.Name, n.Decided.Format("02.01.2006")))
	w.line("Aktenzeichen: " + n.Number)
	w.line("Leistung: " + n.Service)
	w.y += 20

	w.font("bold", 14)
	w.line("Bescheid")
	w.y += 6
	w.font("regular", 11)
	for _, para := range strings.Split(strings.TrimSpace(n.Decision), "\n") {
		if err := w.wrapped(strings.TrimSpace(para)); err != nil {
			return nil, err
		}
		w.y += 4
	}
	w.y += 24
	w.line("Mit freundlichen Grüßen")
	w.line("Im Auftrag")
	w.y += 4
	w.line(n.Clerk)
	w.y += 30
	w.font("regular", 8)
	if err := w.wrapped("Dieser Bescheid wurde elektronisch erstellt und ist ohne Unterschrift gültig. " +
		"Gegen diesen Bescheid kann innerhalb eines Monats nach Bekanntgabe Widerspruch erhoben werden, " +
		"schriftlich oder zur Niederschrift bei der Stadt " + n.Town.Name + "."); err != nil {
		return nil, err
	}
	return pdf.GetBytesPdf(), nil
}

// writer writes lines down the page.
type writer struct {
	pdf  *gopdf.GoPdf
	y    float64
	size float64
}

func (w *writer) font(family string, size float64) {
	_ = w.pdf.SetFont(family, "", size)
	w.size = size
}

func (w *writer) at(x, y float64) { w.pdf.SetXY(x, y); w.y = y }

func (w *writer) line(s string) {
	w.pdf.SetXY(left, w.y)
	_ = w.pdf.Text(s)
	w.y += w.size * 1.4
}

// right writes s flush right on the current line, without moving on.
func (w *writer) right(s string) {
	width, _ := w.pdf.MeasureTextWidth(s)
	w.pdf.SetXY(right-width, w.y)
	_ = w.pdf.Text(s)
}

// wrapped writes s broken into lines of the text's width, on new pages
// as needed.
func (w *writer) wrapped(s string) error {
	if s == "" {
		w.y += w.size * 1.4
		return nil
	}
	lines, err := w.split(s, right-left)
	if err != nil {
		return fmt.Errorf("notice: %w", err)
	}
	for _, l := range lines {
		if w.y > bottom {
			w.pdf.AddPage()
			w.y = 60
		}
		w.line(l)
	}
	return nil
}

// split breaks s into lines no wider than width, between words (gopdf's
// SplitText breaks inside them); a word wider than a line stands alone.
func (w *writer) split(s string, width float64) ([]string, error) {
	var lines []string
	cur := ""
	for _, word := range strings.Fields(s) {
		try := word
		if cur != "" {
			try = cur + " " + word
		}
		tw, err := w.pdf.MeasureTextWidth(try)
		if err != nil {
			return nil, err
		}
		if tw > width && cur != "" {
			lines, cur = append(lines, cur), word
			continue
		}
		cur = try
	}
	if cur != "" {
		lines = append(lines, cur)
	}
	return lines, nil
}

func prefix(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func join(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// ErrNotDecided: the case has no decision, so no notice.
var ErrNotDecided = errors.New("notice: the case is not decided")

// ForCase is the notice of a decided case: its last decision, by the
// clerk the audit log names for it.
func ForCase(f casework.File, audit []casework.AuditEntry, town api.Municipality, service string) (Notice, error) {
	n := Notice{Town: town, Number: f.Number, Service: service}
	found := false
	for _, ev := range f.History {
		if ev.Status == api.StatusDecided {
			n.Decided, n.Decision, found = ev.At, ev.Note.In("de"), true
		}
	}
	if !found || strings.TrimSpace(n.Decision) == "" {
		return Notice{}, ErrNotDecided
	}
	for _, e := range audit {
		if e.After.Status == api.StatusDecided && e.Before.Status != api.StatusDecided {
			n.Clerk = e.Actor
		}
	}
	return n, nil
}
