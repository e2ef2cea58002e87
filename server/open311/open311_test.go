package open311_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/open311"
	"rathaus/server/servertest"
)

// rig is the real backend over loopback with one valid and one revoked
// Open311 key.
type rig struct {
	b       *servertest.Backend
	key     string
	revoked string
}

func newRig(t *testing.T) *rig {
	t.Helper()
	b := servertest.New(t)
	ctx := context.Background()
	key, k := open311.NewKey("client", time.Now())
	revoked, rk := open311.NewKey("old", time.Now())
	for _, k := range []open311.Key{k, rk} {
		if added, err := b.DB.AddOpen311Key(ctx, k); !added || err != nil {
			t.Fatalf("AddOpen311Key: %v, %v", added, err)
		}
	}
	if ok, err := b.DB.RevokeOpen311Key(ctx, "old", time.Now()); !ok || err != nil {
		t.Fatalf("RevokeOpen311Key: %v, %v", ok, err)
	}
	return &rig{b: b, key: key, revoked: revoked}
}

type answer struct {
	status int
	ctype  string
	body   []byte
}

func (r *rig) get(t *testing.T, path string) answer {
	t.Helper()
	resp, err := http.Get(r.b.URL + api.PathOpen311 + path)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func (r *rig) post(t *testing.T, path string, form url.Values) answer {
	t.Helper()
	resp, err := http.PostForm(r.b.URL+api.PathOpen311+path, form)
	if err != nil {
		t.Fatal(err)
	}
	return read(t, resp)
}

func read(t *testing.T, resp *http.Response) answer {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return answer{status: resp.StatusCode, ctype: resp.Header.Get("Content-Type"), body: b}
}

type wireError struct {
	Code        int    `json:"code" xml:"code"`
	Description string `json:"description" xml:"description"`
}

// errorsOf checks that a is the spec's error array with the status as
// every code, in the format asked for, and returns the descriptions.
func errorsOf(t *testing.T, a answer, format string, status int) []string {
	t.Helper()
	if a.status != status {
		t.Fatalf("status %d, want %d; body %s", a.status, status, a.body)
	}
	var errs []wireError
	if format == "xml" {
		var doc struct {
			XMLName xml.Name    `xml:"errors"`
			Errors  []wireError `xml:"error"`
		}
		if err := xml.Unmarshal(a.body, &doc); err != nil {
			t.Fatalf("errors as XML: %v; body %s", err, a.body)
		}
		errs = doc.Errors
	} else if err := json.Unmarshal(a.body, &errs); err != nil {
		t.Fatalf("errors as a JSON array: %v; body %s", err, a.body)
	}
	if len(errs) == 0 {
		t.Fatalf("no errors in %s", a.body)
	}
	var out []string
	for _, e := range errs {
		if e.Code != status || e.Description == "" {
			t.Errorf("error %+v: want code %d and a description", e, status)
		}
		out = append(out, e.Description)
	}
	return out
}

var w3c = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$`)

func TestServices(t *testing.T) {
	r := newRig(t)
	t.Run("list json", func(t *testing.T) {
		a := r.get(t, "services.json")
		if a.status != 200 || a.ctype != "application/json; charset=utf-8" {
			t.Fatalf("status %d, type %q", a.status, a.ctype)
		}
		var got []map[string]any
		if err := json.Unmarshal(a.body, &got); err != nil {
			t.Fatal(err)
		}
		if len(got) != 6 {
			t.Fatalf("%d services, want the demo town's 6", len(got))
		}
		byCode := map[string]map[string]any{}
		for _, s := range got {
			byCode[s["service_code"].(string)] = s
			for _, f := range []string{"service_name", "description", "metadata", "type", "keywords", "group"} {
				if _, ok := s[f]; !ok {
					t.Errorf("service %v lacks %s", s["service_code"], f)
				}
			}
		}
		if s := byCode["strassenbeleuchtung"]; s["service_name"] != "Straßenlaterne defekt" || s["metadata"] != true || s["type"] != "realtime" {
			t.Errorf("street light = %v", s)
		}
		if s := byCode["graffiti"]; s["type"] != "batch" {
			t.Errorf("graffiti = %v, want type batch", s)
		}
		if s := byCode["baum"]; s["metadata"] != false {
			t.Errorf("baum = %v, want metadata false (no attributes)", s)
		}
	})
	t.Run("list xml", func(t *testing.T) {
		a := r.get(t, "services.xml")
		if a.status != 200 || a.ctype != "text/xml; charset=utf-8" || !strings.HasPrefix(string(a.body), `<?xml version="1.0" encoding="UTF-8"?>`) {
			t.Fatalf("status %d, type %q, body %.80s", a.status, a.ctype, a.body)
		}
		var doc struct {
			XMLName  xml.Name `xml:"services"`
			Services []struct {
				Code     string `xml:"service_code"`
				Metadata bool   `xml:"metadata"`
			} `xml:"service"`
		}
		if err := xml.Unmarshal(a.body, &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Services) != 6 || doc.Services[0].Code != "strassenbeleuchtung" || !doc.Services[0].Metadata {
			t.Errorf("services = %+v", doc.Services)
		}
	})
	t.Run("definition json", func(t *testing.T) {
		a := r.get(t, "services/wilder-muell.json")
		var def struct {
			Code       string `json:"service_code"`
			Attributes []struct {
				Variable bool   `json:"variable"`
				Code     string `json:"code"`
				Datatype string `json:"datatype"`
				Required bool   `json:"required"`
				Order    int    `json:"order"`
				Values   []struct {
					Key  string `json:"key"`
					Name string `json:"name"`
				} `json:"values"`
			} `json:"attributes"`
		}
		if a.status != 200 {
			t.Fatalf("status %d: %s", a.status, a.body)
		}
		if err := json.Unmarshal(a.body, &def); err != nil {
			t.Fatal(err)
		}
		if def.Code != "wilder-muell" || len(def.Attributes) != 3 {
			t.Fatalf("definition = %+v", def)
		}
		var types []string
		for i, at := range def.Attributes {
			types = append(types, at.Datatype)
			if at.Order != i+1 {
				t.Errorf("attribute %s has order %d at %d", at.Code, at.Order, i)
			}
		}
		if !slices.Equal(types, []string{"multivaluelist", "datetime", "text"}) || len(def.Attributes[0].Values) != 5 ||
			def.Attributes[0].Values[1].Key != "sperrmuell" || def.Attributes[0].Values[1].Name != "Sperrmüll" || def.Attributes[2].Variable {
			t.Errorf("attributes = %+v", def.Attributes)
		}
	})
	t.Run("definition xml", func(t *testing.T) {
		a := r.get(t, "services/strassenbeleuchtung.xml")
		var def struct {
			XMLName    xml.Name `xml:"service_definition"`
			Code       string   `xml:"service_code"`
			Attributes []struct {
				Code   string   `xml:"code"`
				Values []string `xml:"values>value>key"`
			} `xml:"attributes>attribute"`
		}
		if err := xml.Unmarshal(a.body, &def); err != nil || a.status != 200 {
			t.Fatalf("status %d, %v: %s", a.status, err, a.body)
		}
		if def.Code != "strassenbeleuchtung" || len(def.Attributes) != 2 || !slices.Equal(def.Attributes[0].Values, []string{"aus", "flackert", "tagsueber", "beschaedigt"}) {
			t.Errorf("definition = %+v", def)
		}
	})
	for _, tc := range []struct {
		path   string
		format string
		status int
	}{
		{"services/nope.json", "json", 404},
		{"services/nope.xml", "xml", 404},
		{"services", "xml", 400},
		{"services.html", "xml", 400},
		{"nothing.json", "json", 404},
		{"requests/1/more.json", "json", 404},
	} {
		t.Run(tc.path, func(t *testing.T) { errorsOf(t, r.get(t, tc.path), tc.format, tc.status) })
	}
}

// valid is a complete POST of a street light, changed by each case.
func (r *rig) valid() url.Values {
	return url.Values{
		"api_key": {r.key}, "service_code": {"strassenbeleuchtung"},
		"lat": {"50.9413"}, "long": {"6.9583"}, "description": {"Laterne vor Nr. 4 ist aus"},
		"attribute[fehlerart]": {"aus"}, "email": {"erika@example.org"}, "first_name": {"Erika"},
		"last_name": {"Mustermann"}, "phone": {"0221 123456"}, "device_id": {"phone-1"},
	}
}

func TestPostErrors(t *testing.T) {
	r := newRig(t)
	long := strings.Repeat("x", 4001)
	for _, tc := range []struct {
		name   string
		change func(v url.Values)
		status int
		want   string // in a description
	}{
		{"no key", func(v url.Values) { v.Del("api_key") }, 403, "api_key"},
		{"empty key", func(v url.Values) { v.Set("api_key", "") }, 403, "api_key"},
		{"wrong key", func(v url.Values) { v.Set("api_key", "o311_wrong") }, 403, "api_key"},
		{"revoked key", func(v url.Values) { v.Set("api_key", r.revoked) }, 403, "api_key"},
		{"no service_code", func(v url.Values) { v.Del("service_code") }, 400, "service_code"},
		{"unknown service_code", func(v url.Values) { v.Set("service_code", "ufo") }, 404, "service_code ufo"},
		{"missing location", func(v url.Values) { v.Del("lat"); v.Del("long") }, 400, "location is required"},
		{"address_id not in the directory", func(v url.Values) { v.Del("lat"); v.Del("long"); v.Set("address_id", "st999-1") }, 400, "street directory"},
		{"lat without long", func(v url.Values) { v.Del("long") }, 400, "together"},
		{"lat not a number", func(v url.Values) { v.Set("lat", "north") }, 400, "lat must be"},
		{"long out of range", func(v url.Values) { v.Set("long", "200") }, 400, "long must be"},
		{"far outside the town", func(v url.Values) { v.Set("lat", "52.52"); v.Set("long", "13.40") }, 400, "outside the town"},
		{"bad attribute value", func(v url.Values) { v.Set("attribute[fehlerart]", "kaputt") }, 400, `no value "kaputt"`},
		{"required attribute missing", func(v url.Values) { v.Del("attribute[fehlerart]") }, 400, "fehlerart is required"},
		{"unknown attribute", func(v url.Values) { v.Set("attribute[farbe]", "rot") }, 400, "farbe is not one of"},
		{"two values for a single", func(v url.Values) { v["attribute[fehlerart]"] = []string{"aus", "flackert"} }, 400, "takes one value"},
		{"string with a line break", func(v url.Values) { v.Set("attribute[mastnummer]", "L\n1") }, 400, "without line breaks"},
		{"malformed attribute", func(v url.Values) { v.Set("attribute[x", "1") }, 400, "attribute[code]"},
		{"description too long", func(v url.Values) { v.Set("description", long) }, 400, "4,000"},
		{"media_url not http", func(v url.Values) { v.Set("media_url", "javascript:alert(1)") }, 400, "media_url"},
		{"email not an address", func(v url.Values) { v.Set("email", "erika") }, 400, "email"},
		{"several faults at once", func(v url.Values) { v.Del("lat"); v.Del("long"); v.Set("attribute[fehlerart]", "x") }, 400, "location is required"},
	} {
		for _, format := range []string{"json", "xml"} {
			t.Run(tc.name+"/"+format, func(t *testing.T) {
				v := r.valid()
				tc.change(v)
				descs := errorsOf(t, r.post(t, "requests."+format, v), format, tc.status)
				if !slices.ContainsFunc(descs, func(d string) bool { return strings.Contains(d, tc.want) }) {
					t.Errorf("errors %q, want one saying %q", descs, tc.want)
				}
			})
		}
	}
	t.Run("several faults are each named", func(t *testing.T) {
		v := r.valid()
		v.Del("lat")
		v.Del("long")
		v.Set("attribute[fehlerart]", "x")
		if descs := errorsOf(t, r.post(t, "requests.json", v), "json", 400); len(descs) != 2 {
			t.Errorf("errors %q, want two", descs)
		}
	})
	t.Run("nothing stored", func(t *testing.T) {
		got, err := r.b.DB.Reports(context.Background(), open311.Filter{})
		if err != nil || len(got) != 0 {
			t.Errorf("Reports = %d, %v; want none after refusals only", len(got), err)
		}
	})
	t.Run("method not allowed", func(t *testing.T) {
		req, _ := http.NewRequest(http.MethodDelete, r.b.URL+api.PathOpen311+"requests.json", nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		errorsOf(t, read(t, resp), "json", 405)
		errorsOf(t, r.post(t, "services.json", r.valid()), "json", 405)
	})
}

type posted struct {
	ID            *string `json:"service_request_id"`
	Token         *string `json:"token"`
	ServiceNotice *string `json:"service_notice"`
}

func (r *rig) mustPost(t *testing.T, v url.Values) posted {
	t.Helper()
	a := r.post(t, "requests.json", v)
	if a.status != 200 {
		t.Fatalf("POST = %d: %s", a.status, a.body)
	}
	// service_request_id must be a JSON string: decoding into *string
	// fails on a number.
	var got []posted
	if err := json.Unmarshal(a.body, &got); err != nil || len(got) != 1 {
		t.Fatalf("POST answer %s: %v", a.body, err)
	}
	return got[0]
}

type request struct {
	ID          string   `json:"service_request_id" xml:"service_request_id"`
	Status      string   `json:"status" xml:"status"`
	StatusNotes *string  `json:"status_notes" xml:"status_notes"`
	ServiceName string   `json:"service_name" xml:"service_name"`
	ServiceCode string   `json:"service_code" xml:"service_code"`
	Description string   `json:"description" xml:"description"`
	Requested   string   `json:"requested_datetime" xml:"requested_datetime"`
	Updated     string   `json:"updated_datetime" xml:"updated_datetime"`
	Address     *string  `json:"address" xml:"address"`
	Zipcode     *string  `json:"zipcode" xml:"zipcode"`
	AddressID   *string  `json:"address_id" xml:"address_id"`
	Lat         *float64 `json:"lat" xml:"lat"`
	Long        *float64 `json:"long" xml:"long"`
	MediaURL    *string  `json:"media_url" xml:"media_url"`
}

func (r *rig) list(t *testing.T, query string) []request {
	t.Helper()
	a := r.get(t, "requests.json?"+query)
	if a.status != 200 {
		t.Fatalf("GET requests.json?%s = %d: %s", query, a.status, a.body)
	}
	var got []request
	if err := json.Unmarshal(a.body, &got); err != nil {
		t.Fatalf("%v: %s", err, a.body)
	}
	return got
}

func reqIDs(rs []request) []string {
	out := []string{}
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func TestPostAndRead(t *testing.T) {
	r := newRig(t)
	light := r.mustPost(t, r.valid())
	if light.ID == nil || *light.ID == "" || light.Token != nil || light.ServiceNotice == nil {
		t.Fatalf("realtime answer = %+v, want service_request_id and a notice, no token", light)
	}
	addr := r.valid()
	addr.Del("lat")
	addr.Del("long")
	addr.Set("address_string", "Domstraße 4, Musterstadt")
	addr.Set("service_code", "baum")
	addr.Del("attribute[fehlerart]")
	tree := r.mustPost(t, addr)
	byID := url.Values{"api_key": {r.key}, "service_code": {"schlagloch"}, "address_id": {"st008-4"},
		"attribute[flaeche]": {"radweg"}, "attribute[tiefe_cm]": {"7.5"}, "media_url": {"https://example.org/loch.jpg"}}
	hole := r.mustPost(t, byID)
	multi := url.Values{"api_key": {r.key}, "service_code": {"wilder-muell"}, "lat": {"50.93"}, "long": {"6.95"},
		"attribute[art][]": {"sperrmuell", "elektro"}, "attribute[seit]": {"2026-12-01T08:00:00+01:00"}}
	litter := r.mustPost(t, multi)
	graffiti := r.mustPost(t, url.Values{"api_key": {r.key}, "service_code": {"graffiti"}, "lat": {"50.94"}, "long": {"6.96"}})
	if graffiti.ID != nil || graffiti.Token == nil {
		t.Fatalf("batch answer = %+v, want a token only", graffiti)
	}
	graffitiRep, found, err := r.b.DB.ReportByToken(context.Background(), *graffiti.Token)
	if err != nil || !found {
		t.Fatalf("ReportByToken: %v, %v", found, err)
	}

	t.Run("token", func(t *testing.T) {
		for _, format := range []string{"json", "xml"} {
			a := r.get(t, "tokens/"+*graffiti.Token+"."+format)
			if a.status != 200 {
				t.Fatalf("%d: %s", a.status, a.body)
			}
			var got []struct {
				ID    string `json:"service_request_id" xml:"service_request_id"`
				Token string `json:"token" xml:"token"`
			}
			if format == "xml" {
				var doc struct {
					Requests *[]struct {
						ID    string `json:"service_request_id" xml:"service_request_id"`
						Token string `json:"token" xml:"token"`
					} `xml:"request"`
				}
				doc.Requests = &got
				if err := xml.Unmarshal(a.body, &doc); err != nil {
					t.Fatal(err)
				}
			} else if err := json.Unmarshal(a.body, &got); err != nil {
				t.Fatal(err)
			}
			if len(got) != 1 || got[0].Token != *graffiti.Token || got[0].ID == "" {
				t.Errorf("%s: %+v", format, got)
			}
		}
		errorsOf(t, r.get(t, "tokens/nope.json"), "json", 404)
	})

	t.Run("list json", func(t *testing.T) {
		a := r.get(t, "requests.json")
		for _, private := range []string{"erika@example.org", "Erika", "Mustermann", "0221 123456", "phone-1"} {
			if strings.Contains(string(a.body), private) {
				t.Errorf("the public feed holds %q: %s", private, a.body)
			}
		}
		got := r.list(t, "")
		if len(got) != 5 || got[4].ID != *light.ID {
			t.Fatalf("requests = %v, want 5, newest first", reqIDs(got))
		}
		first := got[4]
		if first.Status != "open" || first.ServiceName != "Straßenlaterne defekt" || first.Description != "Laterne vor Nr. 4 ist aus" ||
			first.Lat == nil || *first.Lat != 50.9413 || *first.Long != 6.9583 || first.StatusNotes != nil {
			t.Errorf("street light = %+v", first)
		}
		for _, rq := range got {
			if !w3c.MatchString(rq.Requested) || !w3c.MatchString(rq.Updated) {
				t.Errorf("datetimes %q, %q: want W3C with an offset", rq.Requested, rq.Updated)
			}
		}
		if got[3].ID != *tree.ID || got[3].Lat != nil || got[3].Address == nil || *got[3].Address != "Domstraße 4, Musterstadt" {
			t.Errorf("tree = %+v, want the address and no position", got[3])
		}
		if got[2].ID != *hole.ID || got[2].AddressID == nil || *got[2].AddressID != "st008-4" || *got[2].MediaURL != "https://example.org/loch.jpg" {
			t.Errorf("hole = %+v", got[2])
		}
		// The address id is the town's directory's: it gave the place.
		if got[2].Address == nil || *got[2].Address != "Hohe Straße 4" || got[2].Lat == nil || got[2].Zipcode == nil || len(*got[2].Zipcode) != 5 {
			t.Errorf("hole placed by its address id = address %v, lat %v, zipcode %v", got[2].Address, got[2].Lat, got[2].Zipcode)
		}
		stored, _, err := r.b.DB.Report(context.Background(), *litter.ID)
		if err != nil || !slices.Equal(stored.Attributes["art"], []string{"sperrmuell", "elektro"}) || stored.Attributes["seit"] == nil {
			t.Errorf("litter attributes = %v, %v", stored.Attributes, err)
		}
	})

	t.Run("list xml", func(t *testing.T) {
		a := r.get(t, "requests.xml")
		var doc struct {
			XMLName  xml.Name  `xml:"service_requests"`
			Requests []request `xml:"request"`
		}
		if err := xml.Unmarshal(a.body, &doc); err != nil || a.status != 200 {
			t.Fatalf("%d, %v: %s", a.status, err, a.body)
		}
		if len(doc.Requests) != 5 || doc.Requests[4].ID != *light.ID || *doc.Requests[4].Lat != 50.9413 || doc.Requests[3].Lat != nil {
			t.Errorf("requests = %+v", doc.Requests)
		}
		if strings.Contains(string(a.body), "erika") {
			t.Errorf("the public feed holds the e-mail")
		}
	})

	t.Run("one", func(t *testing.T) {
		a := r.get(t, "requests/"+*hole.ID+".xml")
		var doc struct {
			Requests []request `xml:"request"`
		}
		if err := xml.Unmarshal(a.body, &doc); err != nil || len(doc.Requests) != 1 || doc.Requests[0].ServiceCode != "schlagloch" {
			t.Errorf("request = %+v, %v", doc, err)
		}
		errorsOf(t, r.get(t, "requests/424242.json"), "json", 404)
		errorsOf(t, r.get(t, "requests/abc.xml"), "xml", 404)
	})

	ctx := context.Background()
	if _, ok, err := r.b.DB.SetReportStatus(ctx, *tree.ID, api.ReportClosed, "Ast entfernt", time.Now()); !ok || err != nil {
		t.Fatal(ok, err)
	}
	// A report older than 90 days: outside the default range.
	old := open311.NewReport{Token: open311.NewToken(), ServiceCode: "baum", Address: "Alter Markt", Source: "test",
		Requested: time.Now().Add(-100 * 24 * time.Hour)}
	oldRep, _, err := r.b.DB.CreateReport(ctx, "", nil, old)
	if err != nil {
		t.Fatal(err)
	}
	day := func(d int) string {
		return url.QueryEscape(time.Now().Add(time.Duration(d) * 24 * time.Hour).Format(time.RFC3339))
	}

	for _, tc := range []struct {
		name, query string
		want        []string
	}{
		{"default: the last 90 days", "", []string{graffitiRep.ID, *litter.ID, *hole.ID, *tree.ID, *light.ID}},
		{"ids override the rest", "service_request_id=" + *light.ID + "," + oldRep.ID + "&service_code=graffiti", []string{oldRep.ID, *light.ID}},
		{"ids, empty other parameters", "service_request_id=" + *hole.ID + "&status=", []string{*hole.ID}},
		{"service code", "service_code=schlagloch", []string{*hole.ID}},
		{"service codes", "service_code=schlagloch,baum", []string{*hole.ID, *tree.ID}},
		{"unknown service code", "service_code=ufo", []string{}},
		{"status closed", "status=closed", []string{*tree.ID}},
		{"status open,closed", "status=open,closed&service_code=baum", []string{*tree.ID}},
		{"an old range", "start_date=" + day(-120) + "&end_date=" + day(-60), []string{oldRep.ID}},
		{"start only", "start_date=" + day(-101), []string{oldRep.ID}},
		{"end only", "end_date=" + day(-99), []string{oldRep.ID}},
		{"a future range", "start_date=" + day(1) + "&end_date=" + day(2), []string{}},
		{"dates with Z", "start_date=2000-01-01T00:00:00Z&end_date=2000-02-01T00:00:00Z", []string{}},
		{"a bare date", "start_date=2000-01-01", []string{}},
	} {
		t.Run("filter "+tc.name, func(t *testing.T) {
			if got := reqIDs(r.list(t, tc.query)); !slices.Equal(got, tc.want) {
				t.Errorf("requests = %v, want %v", got, tc.want)
			}
		})
	}
	for _, tc := range []struct{ name, query, want string }{
		{"range over 90 days", "start_date=" + day(-91) + "&end_date=" + day(0), "90 days"},
		{"end before start", "start_date=" + day(0) + "&end_date=" + day(-1), "before"},
		{"bad start", "start_date=yesterday", "start_date"},
		{"no zone", "start_date=2026-01-01T00:00:00", "start_date"},
		{"bad status", "status=pending", "status"},
	} {
		for _, format := range []string{"json", "xml"} {
			t.Run("filter error "+tc.name+"/"+format, func(t *testing.T) {
				descs := errorsOf(t, r.get(t, "requests."+format+"?"+tc.query), format, 400)
				if !strings.Contains(strings.Join(descs, " "), tc.want) {
					t.Errorf("errors %q, want %q", descs, tc.want)
				}
			})
		}
	}
}

func TestDiscovery(t *testing.T) {
	r := newRig(t)
	resp, err := http.Get(r.b.URL + open311.PathDiscovery + ".xml")
	if err != nil {
		t.Fatal(err)
	}
	a := read(t, resp)
	var doc struct {
		XMLName   xml.Name `xml:"discovery"`
		Endpoints []struct {
			Specification string   `xml:"specification"`
			URL           string   `xml:"url"`
			Formats       []string `xml:"formats>format"`
		} `xml:"endpoints>endpoint"`
	}
	if err := xml.Unmarshal(a.body, &doc); err != nil || a.status != 200 {
		t.Fatalf("%d, %v: %s", a.status, err, a.body)
	}
	if len(doc.Endpoints) != 1 || doc.Endpoints[0].URL != r.b.URL+"/open311/v2" || len(doc.Endpoints[0].Formats) != 2 {
		t.Errorf("discovery = %+v", doc)
	}
	// The endpoint it names answers, and any web page may read it.
	got := r.get(t, "services.json")
	if got.status != 200 {
		t.Errorf("services.json at the discovered endpoint: %d", got.status)
	}
	resp, err = http.Get(r.b.URL + api.PathOpen311 + "services.json")
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "*" {
		t.Errorf("no CORS on the public data")
	}
}

// TestPostMultipart: a client that sends multipart/form-data is served
// like one that sends the spec's form encoding.
func TestPostMultipart(t *testing.T) {
	r := newRig(t)
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range r.valid() {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	_ = mw.Close()
	resp, err := http.Post(r.b.URL+api.PathOpen311+"requests.xml", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	a := read(t, resp)
	var doc struct {
		Requests []struct {
			ID string `xml:"service_request_id"`
		} `xml:"request"`
	}
	if err := xml.Unmarshal(a.body, &doc); err != nil || a.status != 200 || len(doc.Requests) != 1 || doc.Requests[0].ID == "" {
		t.Errorf("multipart POST = %d, %v: %s", a.status, err, a.body)
	}
}
