package open311

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"time"
	_ "time/tzdata" // the town's zone (Europe/Berlin) on machines without a zone database

	"rathaus/api"
)

const (
	formatJSON = "json"
	formatXML  = "xml"
)

// writer writes one answer in the request's format. XML is the spec's
// schemaless format; JSON its Spark-convention mapping: a list is a bare
// array, an element that may be missing is null.
type writer struct {
	w      http.ResponseWriter
	format string
	loc    *time.Location
	// base is the server's URL as the client reached it, for media_url.
	base string
}

// list is an XML element holding items, each named by its type's XMLName;
// in JSON the bare array.
type list[T any] struct {
	XMLName xml.Name
	Items   []T
}

func (w *writer) list(status int, root string, items any) {
	if w.format == formatJSON {
		w.body(status, items)
		return
	}
	switch v := items.(type) {
	case []wireService:
		w.body(status, list[wireService]{XMLName: xml.Name{Local: root}, Items: v})
	case []wireRequest:
		w.body(status, list[wireRequest]{XMLName: xml.Name{Local: root}, Items: v})
	case []wirePosted:
		w.body(status, list[wirePosted]{XMLName: xml.Name{Local: root}, Items: v})
	case []wireToken:
		w.body(status, list[wireToken]{XMLName: xml.Name{Local: root}, Items: v})
	case []wireError:
		w.body(status, list[wireError]{XMLName: xml.Name{Local: root}, Items: v})
	default:
		panic("open311: no XML list of " + root)
	}
}

func (w *writer) body(status int, v any) {
	var b []byte
	var err error
	if w.format == formatJSON {
		w.w.Header().Set("Content-Type", "application/json; charset=utf-8")
		b, err = json.Marshal(v)
	} else {
		w.w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		b, err = xml.Marshal(v)
		b = append([]byte(xml.Header), b...)
	}
	if err != nil {
		// Only this package's types get here; they always marshal.
		panic("open311: marshal: " + err.Error())
	}
	w.w.WriteHeader(status)
	_, _ = w.w.Write(b)
}

// errors answers with the spec's array of errors, each with the HTTP
// status as its code.
func (w *writer) errors(status int, descriptions ...string) {
	errs := make([]wireError, len(descriptions))
	for i, d := range descriptions {
		errs[i] = wireError{Code: status, Description: d}
	}
	if status == http.StatusServiceUnavailable {
		w.w.Header().Set("Retry-After", "1")
	}
	w.list(status, "errors", errs)
}

// datetime is the W3C form with the town's offset, as the spec's examples.
func (w *writer) datetime(t time.Time) string {
	return t.In(w.loc).Format("2006-01-02T15:04:05-07:00")
}

// nstr is a string that is null in JSON when empty, an empty element in
// XML.
type nstr string

func (s nstr) MarshalJSON() ([]byte, error) {
	if s == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(s))
}

type wireError struct {
	XMLName     xml.Name `xml:"error" json:"-"`
	Code        int      `xml:"code" json:"code"`
	Description string   `xml:"description" json:"description"`
}

type wireService struct {
	XMLName     xml.Name `xml:"service" json:"-"`
	Code        string   `xml:"service_code" json:"service_code"`
	Name        string   `xml:"service_name" json:"service_name"`
	Description string   `xml:"description" json:"description"`
	Metadata    bool     `xml:"metadata" json:"metadata"`
	Type        string   `xml:"type" json:"type"`
	Keywords    string   `xml:"keywords" json:"keywords"`
	Group       string   `xml:"group" json:"group"`
}

type wireDefinition struct {
	XMLName    xml.Name        `xml:"service_definition" json:"-"`
	Code       string          `xml:"service_code" json:"service_code"`
	Attributes []wireAttribute `xml:"attributes>attribute" json:"attributes"`
}

type wireAttribute struct {
	Variable            bool        `xml:"variable" json:"variable"`
	Code                string      `xml:"code" json:"code"`
	Datatype            string      `xml:"datatype" json:"datatype"`
	Required            bool        `xml:"required" json:"required"`
	DatatypeDescription nstr        `xml:"datatype_description" json:"datatype_description"`
	Order               int         `xml:"order" json:"order"`
	Description         string      `xml:"description" json:"description"`
	Values              []wireValue `xml:"values>value,omitempty" json:"values,omitempty"`
}

type wireValue struct {
	Key  string `xml:"key" json:"key"`
	Name string `xml:"name" json:"name"`
}

type wireRequest struct {
	XMLName           xml.Name `xml:"request" json:"-"`
	ID                string   `xml:"service_request_id" json:"service_request_id"`
	Status            string   `xml:"status" json:"status"`
	StatusNotes       nstr     `xml:"status_notes" json:"status_notes"`
	ServiceName       nstr     `xml:"service_name" json:"service_name"`
	ServiceCode       string   `xml:"service_code" json:"service_code"`
	Description       nstr     `xml:"description" json:"description"`
	AgencyResponsible nstr     `xml:"agency_responsible" json:"agency_responsible"`
	ServiceNotice     nstr     `xml:"service_notice" json:"service_notice"`
	Requested         string   `xml:"requested_datetime" json:"requested_datetime"`
	Updated           string   `xml:"updated_datetime" json:"updated_datetime"`
	Expected          nstr     `xml:"expected_datetime" json:"expected_datetime"`
	Address           nstr     `xml:"address" json:"address"`
	AddressID         nstr     `xml:"address_id" json:"address_id"`
	Zipcode           nstr     `xml:"zipcode" json:"zipcode"`
	Lat               *float64 `xml:"lat,omitempty" json:"lat"`
	Long              *float64 `xml:"long,omitempty" json:"long"`
	MediaURL          nstr     `xml:"media_url" json:"media_url"`
}

type wirePosted struct {
	XMLName       xml.Name `xml:"request" json:"-"`
	ID            string   `xml:"service_request_id,omitempty" json:"service_request_id,omitempty"`
	Token         string   `xml:"token,omitempty" json:"token,omitempty"`
	ServiceNotice nstr     `xml:"service_notice" json:"service_notice"`
	AccountID     nstr     `xml:"account_id" json:"account_id"`
}

type wireToken struct {
	XMLName xml.Name `xml:"request" json:"-"`
	ID      string   `xml:"service_request_id" json:"service_request_id"`
	Token   string   `xml:"token" json:"token"`
}

// lang is the language of Open311's texts: the town's.
const lang = "de"

func (h *Handler) wireRequest(w *writer, rep api.Report) wireRequest {
	svc, _ := h.services.Service(rep.ServiceCode)
	if rep.MediaURL == "" && rep.Photos > 0 {
		// A report from the app: its first photo, served by the core.
		rep.MediaURL = w.base + api.PathReports + "/" + rep.ID + "/photos/1"
	}
	return wireRequest{
		ID:            rep.ID,
		Status:        rep.Status,
		StatusNotes:   nstr(rep.StatusNotes),
		ServiceName:   nstr(svc.Name.In(lang)),
		ServiceCode:   rep.ServiceCode,
		Description:   nstr(rep.Description),
		ServiceNotice: nstr(svc.Notice.In(lang)),
		Requested:     w.datetime(rep.Requested),
		Updated:       w.datetime(rep.Updated),
		Address:       nstr(rep.Address),
		AddressID:     nstr(rep.AddressID),
		Zipcode:       nstr(h.zipcode(rep.AddressID)),
		Lat:           rep.Lat,
		Long:          rep.Long,
		MediaURL:      nstr(rep.MediaURL),
	}
}

// zipcode is the postcode of the directory's address, "" if unknown.
func (h *Handler) zipcode(addressID string) string {
	p, _ := h.streets.Resolve(addressID)
	return p.Postcode
}

func wireAttributes(attrs []api.ReportAttribute) []wireAttribute {
	out := make([]wireAttribute, 0, len(attrs))
	for _, a := range attrs {
		wa := wireAttribute{
			Variable: a.Variable, Code: a.Code, Datatype: a.Datatype, Required: a.Required,
			DatatypeDescription: nstr(a.DatatypeDescription.In(lang)), Order: a.Order, Description: a.Description.In(lang),
		}
		for _, v := range a.Values {
			wa.Values = append(wa.Values, wireValue{Key: v.Key, Name: v.Name.In(lang)})
		}
		out = append(out, wa)
	}
	return out
}
