package canary_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/app/photo"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/assets/demotest"
	"rathaus/server/reportwork"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
	"rathaus/ui/forms"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
	"rathaus/ui/polls"
	"rathaus/ui/reports"
)

// canaries are unique strings, one per kind of personal data.
type canaries map[string]string

func (c canaries) add(kind string) string {
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	s := fmt.Sprintf("CANARY-%s-%x", kind, b)
	c[kind] = s
	return s
}

// shapes are the forms in which a string could sit in a file: its bytes,
// UTF-16 either way round, and base64 (standard and URL) at each of the
// three alignments a string can have inside a longer value.
func shapes(s string) map[string][]byte {
	out := map[string][]byte{"raw": []byte(s)}
	u := utf16.Encode([]rune(s))
	le, be := make([]byte, 2*len(u)), make([]byte, 2*len(u))
	for i, r := range u {
		binary.LittleEndian.PutUint16(le[2*i:], r)
		binary.BigEndian.PutUint16(be[2*i:], r)
	}
	out["utf-16le"], out["utf-16be"] = le, be
	for shift := range 3 {
		enc := base64.StdEncoding.EncodeToString(append(make([]byte, shift), s...))
		start := 0
		if shift > 0 {
			start = 4 // the first group holds the bytes before the string
		}
		mid := enc[start : len(enc)-4] // the last group may hold the bytes after it
		out[fmt.Sprintf("base64@%d", shift)] = []byte(mid)
		out[fmt.Sprintf("base64url@%d", shift)] = []byte(strings.NewReplacer("+", "-", "/", "_").Replace(mid))
	}
	return out
}

// scan lists every hit of a canary, in any of its forms, in the files
// under dir and in the log.
func scan(t *testing.T, dir string, log []byte, cs canaries) (hits []string, files []string) {
	t.Helper()
	contents := servertest.Files(t, dir)
	for _, rel := range slices.Sorted(maps.Keys(contents)) {
		files = append(files, fmt.Sprintf("%s (%d bytes)", rel, len(contents[rel])))
	}
	contents["(log)"] = log
	for kind, s := range cs {
		for form, needle := range shapes(s) {
			for name, b := range contents {
				if bytes.Contains(b, needle) {
					hits = append(hits, fmt.Sprintf("%s (%s) in %s", kind, form, name))
				}
			}
		}
	}
	return hits, files
}

// picture is a small PNG with s written into it after its end, as a
// camera's metadata could carry a name.
func picture(t *testing.T, s string) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 32, 24))
	for x := range 32 {
		for y := range 24 {
			img.Set(x, y, color.RGBA{uint8(x * 8), uint8(y * 10), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	buf.WriteString(s)
	return buf.Bytes()
}

// TestScanFindsWhatIsThere: the scan is able to fail: a canary written
// raw, as UTF-16 and inside base64 at any alignment is found.
func TestScanFindsWhatIsThere(t *testing.T) {
	cs := canaries{}
	s := cs.add("control")
	for i, shape := range [][]byte{
		[]byte("x" + s + "y"),
		shapes(s)["utf-16le"],
		[]byte(base64.StdEncoding.EncodeToString([]byte("a" + s + "bc"))),
		[]byte(base64.URLEncoding.EncodeToString([]byte("ab" + s))),
		[]byte(base64.StdEncoding.EncodeToString([]byte(s))),
	} {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "f"), shape, 0o600); err != nil {
				t.Fatal(err)
			}
			if hits, _ := scan(t, dir, nil, cs); len(hits) == 0 {
				t.Errorf("%q: no hit", shape)
			}
		})
	}
}

// TestCanaryScan (S1): the citizen fills in a form (text, an attachment,
// a drawn signature), reports a problem (description, e-mail, photo),
// answers a poll in free text and answers the town hall's question on
// the case; the town hall writes to the citizen on the case and the
// report and decides with a notice. All of it goes through the real
// backend over loopback, so that the mirror of cases, the reports'
// timelines and the notices fill too. Then the data folder (the
// database, its WAL and shared memory as they are, with no checkpoint;
// the key file; anything else) and the app's log hold none of the
// canaries in any form; nor after a checkpoint, nor after closing.
//
// Driven with fyne's test driver: the form's text field (typed on its
// form screen, which saves as the citizen leaves it), the report (category,
// description, coordinates, photo, e-mail on the report screen) and the
// poll's free text (on the poll screen). Through the store calls the
// screens make, as their widgets cannot be reached from outside their
// packages or need a file dialog: the form's other values, its attachment
// (a file dialog) and its drawn signature (from the form's example: strokes
// carry no text), and the answer to the town hall's question
// (ReopenToAnswer, SaveDraft, Submit). An appointment booking takes no name
// in this app (its payload is service, office and slot; the ticket is
// sealed), so it carries no canary.
func TestCanaryScan(t *testing.T) {
	logs := servertest.CaptureLog(t)

	ctx := context.Background()
	b := servertest.New(t)
	dir := t.TempDir()
	keys, err := secrets.Open(dir, "rathaus-canary", secrets.WithKeyring(secrets.NoKeyring))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "rathaus.db")
	st, err := store.Open(ctx, path, keys)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := assets.SeedDemo(ctx, st); err != nil {
		t.Fatal(err)
	}
	eng := engine.New(st, portal.New(b.URL, portal.WithTimeout(10*time.Second)), upload.New(b.URL), keys)
	syncNow := func(what string) {
		t.Helper()
		if err := eng.Sync(ctx); err != nil {
			t.Fatalf("sync after %s: %v", what, err)
		}
	}
	cs := canaries{}

	// A form with text, an attachment and a signature.
	svc := demotest.Service(t, "anmeldung-wohnung")
	d := citizen.NewDraft(svc, time.Now())
	if err := st.CreateDraft(ctx, d); err != nil {
		t.Fatal(err)
	}
	data := demotest.Example(t, svc.Form.ID)
	data["person"].(map[string]any)["family_name"] = cs.add("form-name")
	data["last_german_address"] = cs.add("form-address")
	if err := st.SaveDraft(ctx, d.ID, data, 0); err != nil {
		t.Fatal(err)
	}
	data["landlord_name"] = typeOnForm(t, st, eng, d.ID, "landlord_name", cs.add("form-text"))
	att, err := st.AddAttachment(ctx, d.ID, cs.add("file-name")+".pdf", "application/pdf",
		[]byte("%PDF-1.4\n% "+cs.add("file-content")+"\n%%EOF\n"))
	if err != nil {
		t.Fatal(err)
	}
	data["landlord_confirmation"] = att
	if err := st.SaveDraft(ctx, d.ID, data, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Submit(ctx, d.ID, data); err != nil {
		t.Fatal(err)
	}

	// A report with a description, an e-mail address and a photo, made on
	// the report screen. The screen downscales the photo (which drops
	// whatever followed the image's end): the photo's canary is a piece
	// of the JPEG the device keeps until the report is sent.
	shot := picture(t, "")
	small, err := photo.Downscale(shot, photo.Options{})
	if err != nil {
		t.Fatal(err)
	}
	cs["report-photo"] = string(small.JPEG[len(small.JPEG)/2 : len(small.JPEG)/2+48])
	reportOnScreen(t, st, eng, cs.add("report-description"), cs.add("report-email")+"@example.org", shot, small.JPEG)

	// A poll's free-text answer, typed on the poll screen.
	answerPoll(t, st, eng, cs.add("poll-text"))
	syncNow("sending")

	// The town hall asks about the case and writes on the report.
	cases, err := st.Cases(ctx)
	if err != nil || len(cases) != 1 {
		t.Fatalf("cases = %+v, %v; want the one sent", cases, err)
	}
	msg := cs.add("town-message")
	b.SetCaseStatusFields(cases[0].ID, api.StatusInfoNeeded, api.Text{"de": msg, "en": msg}, []string{"/landlord_name"})
	mine, err := st.MyReports(ctx)
	if err != nil || len(mine) != 1 || mine[0].ReportID == "" {
		t.Fatalf("my reports = %+v, %v; want the one sent", mine, err)
	}
	if _, err := reportwork.New(b.DB, nil).Advance(ctx, mine[0].ReportID, api.StatusInspection, cs.add("report-town-note")); err != nil {
		t.Fatal(err)
	}
	syncNow("the town hall's question")

	// The citizen answers the question.
	if err := st.ReopenToAnswer(ctx, d.ID); err != nil {
		t.Fatal(err)
	}
	data["landlord_name"] = cs.add("answer")
	if err := st.SaveDraft(ctx, d.ID, data, 2); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Submit(ctx, d.ID, data); err != nil {
		t.Fatal(err)
	}
	syncNow("the answer")

	// The town hall decides, with a notice.
	decided := cs.add("decision-note")
	b.SetCaseStatus(cases[0].ID, api.StatusDecided, api.Text{"de": decided, "en": decided})
	syncNow("the decision")

	// The app has it all, readable: the scan below is about how, not
	// whether, it is kept.
	cases, err = st.Cases(ctx)
	if err != nil || len(cases) != 1 || cases[0].Number == "" || !hasNote(cases[0].History, msg) || !hasNote(cases[0].History, decided) {
		t.Fatalf("the mirrored case = %+v, %v; want its number and the town's messages", cases, err)
	}
	if !cases[0].Notice {
		t.Errorf("the decided case has no notice on the device; want the notice fetched (sealed)")
	}
	mine, err = st.MyReports(ctx)
	if err != nil || len(mine) != 1 || !hasNote(mine[0].History, cs["report-town-note"]) {
		t.Fatalf("my report = %+v, %v; want the town's note in its timeline", mine, err)
	}
	if feed, _, err := st.ReportFeed(ctx); err != nil || !feedHas(feed, cs["report-description"]) {
		t.Fatalf("the cached feed = %+v, %v; want the citizen's report in it", feed, err)
	}
	items, err := st.Outbox(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range items {
		if it.State != citizen.OutboxDone {
			t.Errorf("outbox item %s (%s) is %s; want everything sent", it.DraftID, it.Kind, it.State)
		}
	}

	// The case number the town hall gave is personal too (it names the
	// citizen's case at the town hall): the mirror and the draft keep it
	// sealed.
	if d, err := st.Draft(ctx, d.ID); err != nil || d.CaseNumber != cases[0].Number {
		t.Fatalf("the sent draft = %+v, %v; want case number %q", d, err, cases[0].Number)
	}
	cs["case-number"] = cases[0].Number

	check := func(when string) {
		t.Helper()
		hits, files := scan(t, dir, logs.Bytes(), cs)
		if len(hits) > 0 {
			t.Errorf("%s: %d hits:\n%s", when, len(hits), strings.Join(hits, "\n"))
		}
		t.Logf("%s: scanned %s and %d bytes of log", when, strings.Join(files, ", "), len(logs.Bytes()))
	}
	check("with the WAL as it is")
	if _, err := st.DB().ExecContext(ctx, `PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	check("after a checkpoint")
	st.Close()
	check("after closing")
}

// typeOnForm opens the draft's form screen at the step of the text field
// key, types text into it as the citizen would, and leaves the screen
// (which saves). It returns what the draft then holds in the field.
func typeOnForm(t *testing.T, st *store.Store, eng *engine.Engine, draftID, key, text string) any {
	t.Helper()
	ctx := context.Background()
	test.NewTempApp(t)
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(480, 900))
	d, err := st.Draft(ctx, draftID)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := st.Form(ctx, d.Form)
	if err != nil {
		t.Fatal(err)
	}
	var f api.Form
	if err := json.Unmarshal(raw, &f); err != nil {
		t.Fatal(err)
	}
	d.Step = -1
	for i, step := range f.Steps {
		for _, fd := range step.Fields {
			if fd.Key == key {
				d.Step = i
			}
		}
	}
	if d.Step < 0 {
		t.Fatalf("no field %s in form %s", key, d.Form.ID)
	}
	before, _ := d.Values[key].(string)
	area := forms.New(forms.Deps{Store: st, Sync: eng, Catalog: demoCatalog{t}, Nav: stay{}, Window: w})
	fs, err := area.FormScreen(d)
	if err != nil {
		t.Fatal(err)
	}
	w.SetContent(fs.Content())
	fs.Shown()
	var field *kit.Entry
	for _, e := range uitest.All[*kit.Entry](fs.Content()) {
		if e.Text == before {
			field = e
		}
	}
	if field == nil {
		t.Fatalf("no field holding %q on the step of %s: %q", before, key, uitest.Text(fs.Content()))
	}
	field.SetText("")
	test.Type(field, text)
	fs.Left()
	if d, err = st.Draft(ctx, draftID); err != nil || d.Values[key] != text {
		t.Fatalf("after typing: the draft holds %v, %v; want %q", d.Values[key], err, text)
	}
	return d.Values[key]
}

// demoCatalog finds the demo town's services for the forms area.
type demoCatalog struct{ t *testing.T }

func (c demoCatalog) Service(id string) (api.Service, bool) { return demotest.Service(c.t, id), true }

// stay is a navigator that stays on the screen shown.
type stay struct{}

func (stay) OpenDraft(*citizen.Draft) {}
func (stay) ShowSubmitted(string)     {}
func (stay) Back()                    {}

// reportOnScreen makes a street light report on the report screen: the
// category and its fault, the description, the coordinates, a photo and
// the e-mail address, then "Send report".
func reportOnScreen(t *testing.T, st *store.Store, eng *engine.Engine, description, email string, shot, kept []byte) {
	t.Helper()
	test.NewTempApp(t)
	services, err := assets.DemoReportServices()
	if err != nil {
		t.Fatal(err)
	}
	streets, err := assets.DemoStreets()
	if err != nil {
		t.Fatal(err)
	}
	w := test.NewWindow(nil)
	defer w.Close()
	w.Resize(fyne.NewSize(480, 900))
	s := reports.New(reports.Deps{Store: st, Sync: eng, Services: services, Streets: streets, Window: w})
	w.SetContent(s.Content())
	uitest.All[*kit.Select](s.Content())[0].SetSelectedIndex(0) // Street light out
	uitest.All[*kit.RadioList](s.Content())[0].SetSelected("is out")
	test.Type(entry(t, s.Content(), "What is wrong? (optional)"), description)
	test.Type(entry(t, s.Content(), "Latitude, e.g. 50.9413"), "50.9413")
	test.Type(entry(t, s.Content(), "Longitude, e.g. 6.9583"), "6.9583")
	test.Tap(uitest.ButtonIn(t, s.Content(), "Use these coordinates"))
	s.AddPhoto(shot)
	test.Type(entry(t, s.Content(), "E-mail for feedback (optional)"), email)
	test.Tap(uitest.ButtonIn(t, s.Content(), "Send report"))
	items, err := st.ReportItems(context.Background())
	if err != nil || len(items) != 1 {
		t.Fatalf("queued reports = %d, %v; want the one sent: %q", len(items), err, uitest.Text(s.Content()))
	}
	photos, err := st.ReportPhotos(context.Background(), items[0].DraftID)
	if err != nil || len(photos) != 1 {
		t.Fatalf("the report's photos = %d, %v; want 1", len(photos), err)
	}
	if data, err := st.ReportPhotoData(context.Background(), photos[0].ID); err != nil || !bytes.Equal(data, kept) {
		t.Fatalf("the photo kept = %d bytes, %v; want the downscaled JPEG the scan looks for", len(data), err)
	}
}

// entry is the text field below o with the placeholder given.
func entry(t *testing.T, o fyne.CanvasObject, placeholder string) *kit.Entry {
	t.Helper()
	for _, e := range uitest.All[*kit.Entry](o) {
		if e.PlaceHolder == placeholder {
			return e
		}
	}
	t.Fatalf("no field %q", placeholder)
	return nil
}

// answerPoll answers the market-square poll on the poll screen, with text
// in its free-text field.
func answerPoll(t *testing.T, st *store.Store, eng *engine.Engine, text string) {
	t.Helper()
	test.NewTempApp(t)
	s := polls.New(polls.Deps{Store: st, Sync: eng})
	w := test.NewWindow(s.Content())
	defer w.Close()
	s.Shown()
	answer := waitForButton(t, s.Content(), "Answer")
	test.Tap(answer) // the first poll's: the market square
	uitest.All[*kit.RadioList](s.Content())[0].SetSelected("Weekly market and festivals")
	entries := uitest.All[*kit.Entry](s.Content())
	if len(entries) != 1 {
		t.Fatalf("the poll's form has %d text fields; want its comment", len(entries))
	}
	test.Type(entries[0], text)
	test.Tap(uitest.ButtonIn(t, s.Content(), "Send answer"))
	if got := uitest.Text(s.Content()); !strings.Contains(got, "Your answer is saved") {
		t.Fatalf("after sending the poll's answer: %q", got)
	}
}

// waitForButton waits for the screen to show a button (the screen fetches
// in the background).
func waitForButton(t *testing.T, o fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		var found *widget.Button
		fyne.DoAndWait(func() {
			for _, b := range uitest.Buttons(o) {
				if b.Text == text {
					found = b
					return
				}
			}
		})
		if found != nil {
			return found
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("no button %q came: %q", text, uitest.Text(o))
	return nil
}

func hasNote(events []api.CaseEvent, s string) bool {
	for _, e := range events {
		for _, v := range e.Note {
			if v == s {
				return true
			}
		}
	}
	return false
}

func feedHas(feed api.ReportFeed, description string) bool {
	for _, r := range feed.Reports {
		if r.Description == description {
			return true
		}
	}
	return false
}
