package open311

import (
	"context"
	"errors"
	"math"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rathaus/api"
)

// maxRange is the longest span of requested times one GET requests may
// ask for, and the default span back from now.
const maxRange = 90 * 24 * time.Hour

// maxListed is the most requests one GET requests answers ("the first
// 1000 requests").
const maxListed = 1000

// maxPostBody bounds a POST requests body: a report is text, and media
// come as URLs.
const maxPostBody = 64 << 10

func (h *Handler) serviceList(w *writer) {
	out := make([]wireService, 0, len(h.services.Services))
	for _, s := range h.services.Services {
		out = append(out, wireService{
			Code: s.Code, Name: s.Name.In(lang), Description: s.Description.In(lang),
			Metadata: len(s.Attributes) > 0, Type: serviceType(s), Keywords: s.Keywords.In(lang), Group: s.Group.In(lang),
		})
	}
	w.list(http.StatusOK, "services", out)
}

func serviceType(s api.ReportService) string {
	if s.Type == api.ServiceBatch {
		return api.ServiceBatch
	}
	return api.ServiceRealtime
}

func (h *Handler) serviceDefinition(w *writer, code string) {
	s, ok := h.services.Service(code)
	if !ok {
		w.errors(http.StatusNotFound, "service_code "+code+" was not found")
		return
	}
	attrs := slices.Clone(s.Attributes)
	slices.SortStableFunc(attrs, func(a, b api.ReportAttribute) int { return a.Order - b.Order })
	w.body(http.StatusOK, wireDefinition{Code: s.Code, Attributes: wireAttributes(attrs)})
}

func (h *Handler) request(ctx context.Context, w *writer, id string) {
	rep, found, err := h.store.Report(ctx, id)
	if err != nil {
		w.errors(h.failure(ctx, "open311: read request", err), "the request could not be read; try again later")
		return
	}
	if !found {
		w.errors(http.StatusNotFound, "service_request_id "+id+" was not found")
		return
	}
	w.list(http.StatusOK, "service_requests", []wireRequest{h.wireRequest(w, rep)})
}

func (h *Handler) token(ctx context.Context, w *writer, token string) {
	rep, found, err := h.store.ReportByToken(ctx, token)
	if err != nil {
		w.errors(h.failure(ctx, "open311: read token", err), "the token could not be read; try again later")
		return
	}
	if !found {
		w.errors(http.StatusNotFound, "token "+token+" was not found")
		return
	}
	w.list(http.StatusOK, "service_requests", []wireToken{{ID: rep.ID, Token: token}})
}

// requestList is GET requests: service_request_id (a list, which
// overrides the rest), service_code and status (lists), start_date and
// end_date at most 90 days apart (by default the last 90 days).
func (h *Handler) requestList(ctx context.Context, w *writer, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Limit: maxListed}
	if ids := commaList(q, "service_request_id"); len(ids) > 0 {
		f.IDs = ids
	} else {
		var errs []string
		f.ServiceCodes = commaList(q, "service_code")
		f.Statuses = commaList(q, "status")
		for _, s := range f.Statuses {
			if s != api.ReportOpen && s != api.ReportClosed {
				errs = append(errs, "status must be open or closed, got "+strconv.Quote(s))
			}
		}
		var err error
		if f.From, f.To, err = h.dateRange(q.Get("start_date"), q.Get("end_date")); err != nil {
			errs = append(errs, err.Error())
		}
		if len(errs) > 0 {
			w.errors(http.StatusBadRequest, errs...)
			return
		}
	}
	reps, err := h.store.Reports(ctx, f)
	if err != nil {
		w.errors(h.failure(ctx, "open311: list requests", err), "the requests could not be read; try again later")
		return
	}
	out := make([]wireRequest, 0, len(reps))
	for _, rep := range reps {
		out = append(out, h.wireRequest(w, rep))
	}
	w.list(http.StatusOK, "service_requests", out)
}

// dateRange reads start_date and end_date: either alone spans 90 days
// from or to it, neither the last 90 days.
func (h *Handler) dateRange(start, end string) (from, to time.Time, err error) {
	start, end = strings.TrimSpace(start), strings.TrimSpace(end)
	if start != "" {
		if from, err = api.ParseW3CTime(start); err != nil {
			return from, to, errors.New("start_date must be a W3C date and time such as 2026-01-01T00:00:00Z")
		}
	}
	if end != "" {
		if to, err = api.ParseW3CTime(end); err != nil {
			return from, to, errors.New("end_date must be a W3C date and time such as 2026-01-01T00:00:00Z")
		}
	}
	switch {
	case start == "" && end == "":
		to = h.now()
		from = to.Add(-maxRange)
	case start == "":
		from = to.Add(-maxRange)
	case end == "":
		to = from.Add(maxRange)
	}
	if to.Before(from) {
		return from, to, errors.New("end_date is before start_date")
	}
	if to.Sub(from) > maxRange {
		return from, to, errors.New("start_date and end_date may not be more than 90 days apart")
	}
	return from, to, nil
}

// commaList is the comma-delimited values of a parameter, also when it is
// given several times, without empty ones.
func commaList(q url.Values, name string) []string {
	var out []string
	for _, v := range q[name] {
		for p := range strings.SplitSeq(v, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// postRequest is POST requests: the key first (403), then the service
// (400 missing, 404 unknown), then every other fault at once (400).
func (h *Handler) postRequest(ctx context.Context, w *writer, r *http.Request) {
	r.Body = http.MaxBytesReader(w.w, r.Body, maxPostBody)
	// The spec's body is form-encoded; some clients send multipart, which
	// carries the same fields (a file part is not read: media come as
	// media_url).
	var err error
	if ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); ct == "multipart/form-data" {
		err = r.ParseMultipartForm(maxPostBody)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		w.errors(http.StatusBadRequest, "the body must be application/x-www-form-urlencoded, at most 64 KiB")
		return
	}
	form := r.Form
	key := strings.TrimSpace(form.Get("api_key"))
	if key == "" {
		w.errors(http.StatusForbidden, "api_key is missing; ask the town hall for a key")
		return
	}
	source, found, err := h.store.Open311Key(ctx, HashKey(key))
	if err != nil {
		w.errors(h.failure(ctx, "open311: check api_key", err), "the api_key could not be checked; try again later")
		return
	}
	if !found {
		w.errors(http.StatusForbidden, "Invalid api_key received -- can't proceed with create_request.")
		return
	}
	code := strings.TrimSpace(form.Get("service_code"))
	if code == "" {
		w.errors(http.StatusBadRequest, "service_code was not provided")
		return
	}
	svc, ok := h.services.Service(code)
	if !ok {
		w.errors(http.StatusNotFound, "service_code "+code+" was not found")
		return
	}
	rep, errs := h.readReport(form, svc)
	if len(errs) > 0 {
		w.errors(http.StatusBadRequest, errs...)
		return
	}
	rep.Source = source
	rep.Token = NewToken()
	rep.Requested = h.now()
	stored, _, err := h.store.CreateReport(ctx, "", nil, rep)
	if err != nil {
		w.errors(h.failure(ctx, "open311: create request", err), "the request could not be stored; try again later")
		return
	}
	posted := wirePosted{ServiceNotice: nstr(svc.Notice.In(lang))}
	if serviceType(svc) == api.ServiceBatch {
		posted.Token = rep.Token
	} else {
		posted.ID = stored.ID
	}
	w.list(http.StatusOK, "service_requests", []wirePosted{posted})
}

// readReport checks everything of a posted request but the key and the
// service: a location (lat and long, address_string or address_id), the
// description, media_url, e-mail and the attributes. It returns every
// fault found.
func (h *Handler) readReport(form url.Values, svc api.ReportService) (NewReport, []string) {
	rep := NewReport{
		ServiceCode: svc.Code,
		Description: strings.TrimSpace(form.Get("description")),
		Address:     strings.TrimSpace(form.Get("address_string")),
		AddressID:   strings.TrimSpace(form.Get("address_id")),
		MediaURL:    strings.TrimSpace(form.Get("media_url")),
		Private: Private{
			Email:     strings.TrimSpace(form.Get("email")),
			FirstName: strings.TrimSpace(form.Get("first_name")),
			LastName:  strings.TrimSpace(form.Get("last_name")),
			Phone:     strings.TrimSpace(form.Get("phone")),
			DeviceID:  strings.TrimSpace(form.Get("device_id")),
			AccountID: strings.TrimSpace(form.Get("account_id")),
		},
	}
	var errs []string
	for name, v := range form {
		for _, s := range v {
			if !utf8.ValidString(s) {
				errs = append(errs, name+" is not UTF-8")
			}
		}
	}
	lat, long := strings.TrimSpace(form.Get("lat")), strings.TrimSpace(form.Get("long"))
	switch {
	case lat == "" && long == "":
	case lat == "" || long == "":
		errs = append(errs, "lat and long must be sent together")
	default:
		la, errLa := strconv.ParseFloat(lat, 64)
		lo, errLo := strconv.ParseFloat(long, 64)
		switch {
		case errLa != nil || math.IsNaN(la) || la < -90 || la > 90:
			errs = append(errs, "lat must be a latitude in degrees (WGS84), got "+strconv.Quote(lat))
		case errLo != nil || math.IsNaN(lo) || lo < -180 || lo > 180:
			errs = append(errs, "long must be a longitude in degrees (WGS84), got "+strconv.Quote(long))
		case !h.services.Area.Contains(la, lo):
			errs = append(errs, "lat and long lie outside the town's area")
		default:
			rep.Lat, rep.Long = &la, &lo
		}
	}
	if lat == "" && long == "" && rep.Address == "" && rep.AddressID == "" {
		errs = append(errs, "a location is required: lat and long, address_string or address_id")
	}
	if !h.streets.place(&rep) {
		errs = append(errs, "address_id "+strconv.Quote(rep.AddressID)+" is not in the town's street directory")
	}
	if utf8.RuneCountInString(rep.Description) > api.MaxReportDescription {
		errs = append(errs, "description is longer than 4,000 characters")
	}
	if utf8.RuneCountInString(rep.Address) > 500 {
		errs = append(errs, "address_string is longer than 500 characters")
	}
	if rep.MediaURL != "" {
		if u, err := url.Parse(rep.MediaURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			errs = append(errs, "media_url must be an http or https URL")
		}
	}
	if e := rep.Private.Email; e != "" && (!strings.Contains(e, "@") || len(e) > 254) {
		errs = append(errs, "email is not an e-mail address")
	}
	attrs, attrErrs := readAttributes(form, svc)
	rep.Attributes = attrs
	errs = append(errs, attrErrs...)
	slices.Sort(errs) // a stable answer: form is a map
	return rep, errs
}

// readAttributes reads attribute[code]=value and, for a multivaluelist,
// attribute[code][]=value (several times), and checks them against the
// service's attributes.
func readAttributes(form url.Values, svc api.ReportService) (map[string][]string, []string) {
	given := map[string][]string{}
	var errs []string
	for name, values := range form {
		inner, ok := strings.CutPrefix(name, "attribute[")
		if !ok {
			continue
		}
		code, ok := strings.CutSuffix(inner, "][]")
		if !ok {
			code, ok = strings.CutSuffix(inner, "]")
		}
		if !ok || code == "" || strings.ContainsAny(code, "[]") {
			errs = append(errs, "parameter "+name+" is not of the form attribute[code]")
			continue
		}
		given[code] = append(given[code], values...)
	}
	out, checkErrs := CheckAttributes(svc, given)
	return out, append(errs, checkErrs...)
}

// CheckAttributes checks the answers given (by attribute code) against
// the service's attributes: unknown codes, required ones missing, values
// of the wrong datatype. It returns the answers without empty values, and
// a description of each fault.
func CheckAttributes(svc api.ReportService, given map[string][]string) (map[string][]string, []string) {
	var errs []string
	out := map[string][]string{}
	for code := range given {
		if !slices.ContainsFunc(svc.Attributes, func(a api.ReportAttribute) bool { return a.Code == code }) {
			errs = append(errs, "attribute "+code+" is not one of service "+svc.Code)
		}
	}
	for _, a := range svc.Attributes {
		if err := a.Check(given[a.Code]); err != nil {
			errs = append(errs, err.Error())
			continue
		}
		var vals []string
		for _, v := range given[a.Code] {
			if v = strings.TrimSpace(v); v != "" {
				vals = append(vals, v)
			}
		}
		if len(vals) > 0 {
			out[a.Code] = vals
		}
	}
	return out, errs
}
