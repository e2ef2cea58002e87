package console_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/casework"
	"rathaus/server/console"
	"rathaus/server/reportwork"
	"rathaus/server/servertest"
)

// town is the real backend on loopback with the console mounted, as
// cmd/rathaus-server mounts it.
type town struct {
	*servertest.Backend
	uploads string
	cw      casework.Store
}

func newTown(t *testing.T, secure bool, opts ...func(*console.Config)) *town {
	t.Helper()
	uploads := filepath.Join(t.TempDir(), "uploads")
	b := servertest.New(t, servertest.WithConfig(func(c *server.Config) { c.UploadDir = uploads }))
	cw, ok := b.DB.(casework.Store)
	if !ok {
		t.Fatalf("%T keeps no casework", b.DB)
	}
	cfg := console.Config{Casework: casework.New(cw, nil), Forms: b.Server, StaffToken: b.StaffToken, Reports: reportwork.New(b.DB, nil),
		UploadDir: uploads, Secure: secure, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	rs, err := assets.DemoReportServices()
	if err != nil {
		t.Fatal(err)
	}
	cfg.ReportServices = rs
	for _, o := range opts {
		o(&cfg)
	}
	con, err := console.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	b.Server.Mount(console.Prefix, con)
	return &town{Backend: b, uploads: uploads, cw: cw}
}

// call sends a request to the town's backend.
func (tw *town) call(t *testing.T, method, path string, h http.Header, body []byte) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, tw.URL+path, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range h {
		req.Header[k] = v
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, b
}

// photo is a small real PNG.
func photo(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for x := range 64 {
		for y := range 48 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// submitReport sends the demo's defect report (Mängelmelder) with a photo
// as the app does: register, upload the photo (tus), submit. It returns
// the case.
func (tw *town) submitReport(t *testing.T, key string) (api.Case, api.Device) {
	t.Helper()
	res, body := tw.call(t, http.MethodPost, api.PathDevices, http.Header{"Content-Type": {api.ContentTypeJSON}},
		[]byte(`{"platform":"linux","app_version":"0.1.0"}`))
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("register: %d %s", res.StatusCode, body)
	}
	var d api.Device
	if err := json.Unmarshal(body, &d); err != nil {
		t.Fatal(err)
	}
	auth := "Bearer " + d.Token
	pic := photo(t)
	sum := sha256.Sum256(pic)
	sha := hex.EncodeToString(sum[:])
	meta := []string{}
	for k, v := range map[string]string{api.MetaFilename: "schlagloch.png", api.MetaFiletype: "image/png", api.MetaSHA256: sha} {
		meta = append(meta, k+" "+base64.StdEncoding.EncodeToString([]byte(v)))
	}
	res, body = tw.call(t, http.MethodPost, api.PathUploads, http.Header{"Tus-Resumable": {"1.0.0"}, "Authorization": {auth},
		"Upload-Length": {strconv.Itoa(len(pic))}, "Upload-Metadata": {strings.Join(meta, ",")}}, nil)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("create upload: %d %s", res.StatusCode, body)
	}
	loc, err := url.Parse(res.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	res, body = tw.call(t, http.MethodPatch, loc.Path, http.Header{"Tus-Resumable": {"1.0.0"}, "Authorization": {auth},
		"Upload-Offset": {"0"}, "Content-Type": {"application/offset+octet-stream"}}, pic)
	if res.StatusCode != http.StatusNoContent {
		t.Fatalf("upload: %d %s", res.StatusCode, body)
	}
	upload := regexp.MustCompile(`[^/]+$`).FindString(loc.Path)
	data, err := assets.DemoExample("maengelmelder")
	if err != nil {
		t.Fatal(err)
	}
	data["photo"] = api.Attachment{Upload: upload, Name: "schlagloch.png", Type: "image/png", Size: int64(len(pic)), SHA256: sha}
	raw, _ := json.Marshal(data)
	sub, _ := json.Marshal(api.SubmissionRequest{Service: "maengelmelder", Form: api.FormRef{ID: "maengelmelder", Version: 1}, Data: raw})
	res, body = tw.call(t, http.MethodPost, api.PathSubmissions, http.Header{"Content-Type": {api.ContentTypeJSON},
		"Authorization": {auth}, api.HeaderIdempotencyKey: {key}}, sub)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	var c api.Case
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c, d
}

// submitDogTax sends the demo's dog tax registration (Steueramt), without
// a device.
func (tw *town) submitDogTax(t *testing.T, key string) api.Case {
	t.Helper()
	return tw.submitExample(t, "hundesteuer", key)
}

// submitExample sends the demo example of a service without attachments,
// without a device.
func (tw *town) submitExample(t *testing.T, service, key string) api.Case {
	t.Helper()
	var svc api.Service
	cat, _ := assets.DemoCatalog()
	for _, s := range cat.Services {
		if s.ID == service {
			svc = s
		}
	}
	data, err := assets.DemoExample(svc.Form.ID)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(data)
	sub, _ := json.Marshal(api.SubmissionRequest{Service: svc.ID, Form: svc.Form, Data: raw})
	res, body := tw.call(t, http.MethodPost, api.PathSubmissions, http.Header{"Content-Type": {api.ContentTypeJSON},
		api.HeaderIdempotencyKey: {key}}, sub)
	if res.StatusCode != http.StatusCreated {
		t.Fatalf("submit: %d %s", res.StatusCode, body)
	}
	var c api.Case
	if err := json.Unmarshal(body, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// clerk is a browser-like client of the console: cookies kept, redirects
// not followed (tests look at them).
type clerk struct {
	tw   *town
	http *http.Client
	csrf string
}

func newClerk(t *testing.T, tw *town) *clerk {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &clerk{tw: tw, http: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	header http.Header
	body   string
	res    *http.Response
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (c *clerk) do(t *testing.T, method, path string, form url.Values) page {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.tw.URL+path, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.http.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	p := page{status: res.StatusCode, header: res.Header, body: string(b), res: res}
	if m := csrfField.FindStringSubmatch(p.body); m != nil {
		c.csrf = m[1]
	}
	return p
}

func (c *clerk) get(t *testing.T, path string) page { return c.do(t, http.MethodGet, path, nil) }

// post sends a form with the CSRF token of the last page seen.
func (c *clerk) post(t *testing.T, path string, form url.Values) page {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	if _, set := form["csrf"]; !set {
		form.Set("csrf", c.csrf)
	}
	return c.do(t, http.MethodPost, path, form)
}

// signIn signs the clerk in as name, with the staff token.
func (c *clerk) signIn(t *testing.T, name string) { c.signInWith(t, name, c.tw.StaffToken) }

// signInWith signs the clerk in as name with a token.
func (c *clerk) signInWith(t *testing.T, name, token string) {
	t.Helper()
	c.get(t, "/staff/login")
	p := c.post(t, "/staff/login", url.Values{"name": {name}, "token": {token}, "back": {"/staff/cases"}})
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/staff/cases" {
		t.Fatalf("sign in: %d to %q: %s", p.status, p.header.Get("Location"), p.body)
	}
}
