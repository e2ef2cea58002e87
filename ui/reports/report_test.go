package reports

import (
	"bytes"
	"context"
	"encoding/xml"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/driver/mobile"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server/open311"
	"rathaus/ui/internal/uitest"
	"rathaus/ui/kit"
)

// rig is the report screen on a device with the real backend over
// loopback, in fyne's test driver.
type rig struct {
	*uitest.Device
	win    fyne.Window
	screen *Screen
}

func newRig(t *testing.T) *rig {
	t.Helper()
	test.NewTempApp(t)
	r := &rig{Device: uitest.NewDevice(t)}
	services, err := assets.DemoReportServices()
	if err != nil {
		t.Fatal(err)
	}
	streets, err := assets.DemoStreets()
	if err != nil {
		t.Fatal(err)
	}
	r.win = test.NewWindow(nil)
	r.win.Resize(fyne.NewSize(480, 900))
	r.screen = New(Deps{Store: r.Store, Sync: r.Engine, Services: services, Streets: streets, Window: r.win})
	r.win.SetContent(r.screen.Content())
	return r
}

// fill chooses the street light category, its fault, and the place by
// the street directory, typed as a citizen would.
func (r *rig) fill(t *testing.T, query, pick string) {
	t.Helper()
	s := r.screen
	s.category.SetSelectedIndex(0) // Street light out
	radios := uitest.All[*kit.RadioList](s.attrsBox)
	if len(radios) != 1 {
		t.Fatalf("attribute inputs: %d radio lists, want the fault's", len(radios))
	}
	radios[0].SetSelected("is out")
	test.Type(s.description, "Lamp dark since Monday")
	test.Type(s.search, query)
	test.Tap(buttonStarting(t, s.results, pick))
	if s.where == nil || s.where.address == "" {
		t.Fatalf("no place after picking %q: %s", pick, s.placeMsg.Text)
	}
}

// buttonStarting is the first visible button below o whose text begins
// with prefix (an address with its district).
func buttonStarting(t *testing.T, o fyne.CanvasObject, prefix string) *widget.Button {
	t.Helper()
	for _, b := range uitest.Buttons(o) {
		if strings.HasPrefix(b.Text, prefix) {
			return b
		}
	}
	t.Fatalf("no visible button %q… below; text: %s", prefix, uitest.Text(o))
	return nil
}

func jpegPhoto(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 90, 255})
		}
	}
	var b bytes.Buffer
	if err := jpeg.Encode(&b, img, nil); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func get(t *testing.T, url string) string {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 {
		t.Fatalf("GET %s = %d: %s", url, resp.StatusCode, b)
	}
	return string(b)
}

// TestReportOfflineThenSent: a report with a photo and a street address
// made offline, sent later, and visible to Open311 clients in JSON and
// XML; then a second one nearby offers the first for a "+1".
func TestReportOfflineThenSent(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	r.Backend.Stop() // offline from here

	r.fill(t, "Hauptstr 3", "Hauptstraße 3 (")
	r.screen.AddPhoto(jpegPhoto(t))
	test.Type(r.screen.email, "erika@example.org")
	test.Tap(uitest.ButtonIn(t, r.screen.Content(), "Send report"))
	if !r.screen.thanks.Visible() || !strings.Contains(r.screen.thanks.Text, "waits on this device") {
		t.Fatalf("after sending: %q (problem %q)", r.screen.thanks.Text, r.screen.problem.Text)
	}
	if r.screen.category.SelectedIndex() != -1 || len(r.screen.photos) != 0 {
		t.Errorf("the screen kept the report sent")
	}
	if err := r.Engine.Sync(ctx); err == nil {
		t.Errorf("a pass with the backend down succeeded")
	}
	r.screen.Refresh()
	if !strings.Contains(r.screen.waiting.Text, "waiting to be sent: 1") {
		t.Errorf("waiting = %q", r.screen.waiting.Text)
	}

	r.Backend.Start()
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	reps, err := r.Backend.DB.Reports(ctx, open311.Filter{})
	if err != nil || len(reps) != 1 {
		t.Fatalf("backend reports = %d, %v", len(reps), err)
	}
	rep := reps[0]
	if rep.Address != "Hauptstraße 3" || !strings.HasPrefix(rep.AddressID, "st001-") || rep.Photos != 1 ||
		rep.Attributes["fehlerart"][0] != "aus" || rep.Description != "Lamp dark since Monday" {
		t.Errorf("report at the backend = %+v", rep)
	}
	js := get(t, r.Backend.URL+api.PathOpen311+"requests.json")
	if !strings.Contains(js, `"service_request_id":"`+rep.ID+`"`) || !strings.Contains(js, `"address":"Hauptstraße 3"`) ||
		!strings.Contains(js, "/v1/reports/"+rep.ID+"/photos/1") || strings.Contains(js, "erika") {
		t.Errorf("requests.json = %s", js)
	}
	var doc struct {
		Requests []struct {
			ID       string `xml:"service_request_id"`
			Address  string `xml:"address"`
			MediaURL string `xml:"media_url"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal([]byte(get(t, r.Backend.URL+api.PathOpen311+"requests.xml")), &doc); err != nil ||
		len(doc.Requests) != 1 || doc.Requests[0].ID != rep.ID || doc.Requests[0].Address != "Hauptstraße 3" || doc.Requests[0].MediaURL == "" {
		t.Errorf("requests.xml = %+v, %v", doc, err)
	}
	r.screen.Refresh()
	if r.screen.waiting.Visible() {
		t.Errorf("still waiting: %q", r.screen.waiting.Text)
	}

	// The same light, reported again from next door: "is it one of these?"
	r.screen.Shown()
	if err := r.Engine.RefreshReports(ctx); err != nil {
		t.Fatal(err)
	}
	r.fill(t, "Hauptstraße 5", "Hauptstraße 5 (")
	test.Tap(uitest.ButtonIn(t, r.screen.Content(), "Send report"))
	if !r.screen.dupBox.Visible() || !strings.Contains(uitest.Text(r.screen.dupBox), "Is it one of these?") ||
		!strings.Contains(uitest.Text(r.screen.dupBox), "Lamp dark since Monday") {
		t.Fatalf("no duplicate offered: %s", uitest.Text(r.screen.dupBox))
	}
	if !r.screen.root.Shows(r.screen.dupBox) {
		t.Errorf("the offer is below the fold")
	}
	test.Tap(uitest.ButtonIn(t, r.screen.dupBox, "+1"))
	if !strings.Contains(r.screen.thanks.Text, "+1") {
		t.Errorf("after +1: %q", r.screen.thanks.Text)
	}
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	reps, _ = r.Backend.DB.Reports(ctx, open311.Filter{})
	if len(reps) != 1 || reps[0].Votes != 1 {
		t.Errorf("backend = %d reports, votes %d; want the one report with a +1", len(reps), reps[0].Votes)
	}
}

func TestReportRefusedOnScreen(t *testing.T) {
	r := newRig(t)
	s := r.screen
	send := func() string {
		test.Tap(uitest.ButtonIn(t, s.Content(), "Send report"))
		if !s.problem.Visible() {
			return ""
		}
		return s.problem.Text
	}
	if got := send(); !strings.Contains(got, "Choose a category") {
		t.Errorf("nothing filled: %q", got)
	}
	s.category.SetSelectedIndex(0)
	if got := send(); !strings.Contains(got, "Please answer: What is wrong with the light?") {
		t.Errorf("fault not chosen: %q", got)
	}
	uitest.All[*kit.RadioList](s.attrsBox)[0].SetSelected("flickers")
	if got := send(); !strings.Contains(got, "Give the place") || !s.root.Shows(s.problem) {
		t.Errorf("no place: %q (in view: %v)", got, s.root.Shows(s.problem))
	}
	test.Type(s.lat, "52.52")
	test.Type(s.long, "13.40")
	test.Tap(uitest.ButtonIn(t, s.Content(), "Use these coordinates"))
	if !strings.Contains(s.placeMsg.Text, "outside Musterstadt") || s.where != nil {
		t.Errorf("Berlin: %q", s.placeMsg.Text)
	}
	s.lat.SetText("north")
	test.Tap(uitest.ButtonIn(t, s.Content(), "Use these coordinates"))
	if !strings.Contains(s.problem.Text, "decimal degrees") {
		t.Errorf("letters as coordinates: %q", s.problem.Text)
	}
	s.lat.SetText("50,9413") // a German decimal comma
	s.long.SetText("6.9583")
	test.Tap(uitest.ButtonIn(t, s.Content(), "Use these coordinates"))
	if s.where == nil || !strings.Contains(s.placeMsg.Text, "50.94130, 6.95830") {
		t.Errorf("coordinates in town: %q", s.placeMsg.Text)
	}
	test.Type(s.email, "erika at home")
	if got := send(); !strings.Contains(got, "not an e-mail address") {
		t.Errorf("bad e-mail: %q", got)
	}
	s.email.SetText("")
	if got := send(); got != "" || !s.thanks.Visible() {
		t.Errorf("anonymous report: problem %q", got)
	}
	for range 3 {
		s.AddPhoto(jpegPhoto(t))
	}
	if !s.addPhoto.Disabled() {
		t.Errorf("a fourth photo can be added")
	}
	s.AddPhoto([]byte("not a photo at all"))
	if !strings.Contains(s.problem.Text, "at most 3") {
		t.Errorf("fourth photo: %q", s.problem.Text)
	}
}

// TestStreetSearchOnScreen: umlauts, "ue" and "ss" find the same street as
// the citizen types; a misspelling says what to do.
func TestStreetSearchOnScreen(t *testing.T) {
	r := newRig(t)
	s := r.screen
	for _, q := range []string{"Zülpicher", "Zuelpicher", "zulpicher"} {
		s.search.SetText("")
		test.Type(s.search, q)
		var labels []string
		for _, b := range uitest.Buttons(s.results) {
			labels = append(labels, b.Text)
		}
		if len(labels) == 0 || !strings.HasPrefix(labels[0], "Zülpicher") {
			t.Errorf("%q found %v", q, labels)
		}
	}
	s.search.SetText("")
	test.Type(s.search, "Xylophonweg")
	if !strings.Contains(uitest.Text(s.results), "No street of that name") {
		t.Errorf("unknown street: %q", uitest.Text(s.results))
	}
}

// TestEscapeClosesTheSuggestions: Escape (or the back key) in the street
// search closes the addresses listed under it and keeps what was typed;
// once they are closed it goes on to the window (back).
func TestEscapeClosesTheSuggestions(t *testing.T) {
	for _, key := range []fyne.KeyName{fyne.KeyEscape, mobile.KeyBack} {
		t.Run(string(key), func(t *testing.T) {
			r := newRig(t)
			s := r.screen
			backs := 0
			r.win.Canvas().SetOnTypedKey(func(ev *fyne.KeyEvent) {
				if ev.Name == key {
					backs++
				}
			})
			r.win.Canvas().Focus(s.search)
			test.Type(s.search, "Zülpicher")
			if len(uitest.Buttons(s.results)) == 0 {
				t.Fatal("no addresses listed")
			}
			s.search.TypedKey(&fyne.KeyEvent{Name: key})
			if got := len(s.results.Objects); got != 0 || backs != 0 {
				t.Errorf("after %s: %d suggestions, window got it %d times; want none, 0", key, got, backs)
			}
			if s.search.Text != "Zülpicher" {
				t.Errorf("the search holds %q, want what was typed", s.search.Text)
			}
			s.search.TypedKey(&fyne.KeyEvent{Name: key})
			if backs != 1 {
				t.Errorf("%s with nothing listed reached the window %d times, want 1", key, backs)
			}
		})
	}
}

// TestOpen311ReportOffered: a report an Open311 client posted with the
// town's address id (no coordinates) comes to the device with the public
// feed and is offered before a report of the same kind next door.
func TestOpen311ReportOffered(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	secret, k := open311.NewKey("client", time.Now())
	if _, err := r.Backend.DB.AddOpen311Key(ctx, k); err != nil {
		t.Fatal(err)
	}
	resp, err := http.PostForm(r.Backend.URL+api.PathOpen311+"requests.json", url.Values{"api_key": {secret},
		"service_code": {"strassenbeleuchtung"}, "address_id": {"st001-3"}, "attribute[fehlerart]": {"aus"},
		"description": {"gemeldet von außen"}})
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("Open311 POST = %v, %v", resp, err)
	}
	_ = resp.Body.Close()
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if err := r.Engine.RefreshReports(ctx); err != nil {
		t.Fatal(err)
	}
	r.fill(t, "Hauptstraße 5", "Hauptstraße 5 (")
	test.Tap(uitest.ButtonIn(t, r.screen.Content(), "Send report"))
	if !r.screen.dupBox.Visible() || !strings.Contains(uitest.Text(r.screen.dupBox), "gemeldet von außen") {
		t.Fatalf("the Open311 report is not offered: %s", uitest.Text(r.screen.dupBox))
	}
	test.Tap(uitest.ButtonIn(t, r.screen.dupBox, "No, send my report"))
	if err := r.Engine.Sync(ctx); err != nil {
		t.Fatal(err)
	}
	if reps, _ := r.Backend.DB.Reports(ctx, open311.Filter{}); len(reps) != 2 {
		t.Errorf("backend reports = %d, want 2: the citizen said it was another", len(reps))
	}
}
