package server

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"rathaus/api"
	"rathaus/server/open311"
)

// Issue reports from the app (api.PathReports): the same store as Open311's
// requests (server/open311), so that each side sees the other's reports.

// maxReportBytes bounds a report's body: text, photos go as uploads.
const maxReportBytes = 64 << 10

// reportWindow is how far back the public feed reaches, as Open311's
// default range.
const reportWindow = 90 * 24 * time.Hour

func (s *Server) handlePostReport(w http.ResponseWriter, r *http.Request) {
	key, p := idempotencyKey(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	raw, p := readBody(w, r, maxReportBytes, fmt.Sprintf("A report may be at most %d bytes; send photos as uploads.", maxReportBytes))
	if p != nil {
		writeProblem(w, p)
		return
	}
	body, p := parseBody(raw, "a report")
	if p == nil {
		p = body.refused("a report", "", func(string) bool { return false })
	}
	if p != nil {
		writeProblem(w, p)
		return
	}
	var req api.ReportRequest
	if err := body.decode(&req); err != nil {
		writeProblem(w, badRequest("The body is not a report: "+err.Error()))
		return
	}
	dev, _ := deviceFrom(r.Context())
	sum := sha256.Sum256(canonicalJSON(body.value))
	nr, errs := s.checkReport(r, req, dev.ID)
	if nr == nil {
		writeProblem(w, errs)
		return
	}
	nr.Device, nr.Source, nr.Token, nr.Requested = dev.ID, "app", open311.NewToken(), s.now().UTC()
	rep, replayed, err := s.store.CreateReport(r.Context(), key, sum[:], *nr)
	if ae, ok := errors.AsType[*AttachmentError](err); ok {
		writeProblem(w, validationProblem([]api.FieldError{attachmentFieldError(ae.Pointer, ae.Reason, nil)}))
		return
	}
	switch {
	case errors.Is(err, ErrKeyReused):
		writeProblem(w, problem(http.StatusUnprocessableEntity, api.ProblemIdempotencyReuse,
			"Idempotency Key Reused", "This Idempotency-Key was used before with a different report; make a new key for a new report."))
		return
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "report: store", err))
		return
	}
	status := http.StatusCreated
	if replayed {
		w.Header().Set(api.HeaderReplayed, "true")
		status = http.StatusOK
	}
	writeJSON(w, status, rep)
}

// checkReport checks a report as Open311's POST does (the service, a
// location in the town, the attributes) and its photos against their
// uploads. A nil report comes with the problem: 404 for an unknown
// service, 422 naming each faulty field by its pointer.
func (s *Server) checkReport(r *http.Request, req api.ReportRequest, device string) (*open311.NewReport, *api.Problem) {
	svc, ok := s.reportServices.Service(req.ServiceCode)
	if !ok {
		return nil, problem(http.StatusNotFound, api.ProblemNotFound, "Unknown Service", fmt.Sprintf("There is no report category %q.", req.ServiceCode))
	}
	var errs []api.FieldError
	bad := func(pointer, code, detail, de string) {
		errs = append(errs, api.FieldError{Pointer: pointer, Code: code, Detail: detail, Message: api.Text{"de": de, "en": detail}})
	}
	photo := func(pointer string, r AttachmentReason) { errs = append(errs, attachmentFieldError(pointer, r, nil)) }
	nr := &open311.NewReport{ServiceCode: svc.Code, Description: strings.TrimSpace(req.Description),
		Address: strings.TrimSpace(req.Address), AddressID: strings.TrimSpace(req.AddressID),
		Private: open311.Private{Email: strings.TrimSpace(req.Email)}}
	switch {
	case (req.Lat == nil) != (req.Long == nil):
		bad("/lat", "required", "lat and long go together.", "Breiten- und Längengrad gehören zusammen.")
	case req.Lat != nil:
		la, lo := *req.Lat, *req.Long
		if math.IsNaN(la) || math.IsNaN(lo) || la < -90 || la > 90 || lo < -180 || lo > 180 || !s.reportServices.Area.Contains(la, lo) {
			bad("/lat", "area", "The place lies outside the town's area.", "Der Ort liegt außerhalb des Stadtgebiets.")
		} else {
			nr.Lat, nr.Long = &la, &lo
		}
	case nr.Address == "" && nr.AddressID == "":
		bad("/address", "required", "A location is required: lat and long, or an address.", "Bitte geben Sie den Ort an: Koordinaten oder eine Adresse.")
	}
	if !s.reportStreets.CheckAddressID(nr) {
		bad("/address_id", "address", "This address is not in the town's street directory.", "Diese Adresse steht nicht im Straßenverzeichnis der Stadt.")
	}
	if utf8.RuneCountInString(nr.Description) > api.MaxReportDescription {
		bad("/description", "maxLength", "The description is longer than 4,000 characters.", "Die Beschreibung ist länger als 4.000 Zeichen.")
	}
	if utf8.RuneCountInString(nr.Address) > 500 {
		bad("/address", "maxLength", "The address is longer than 500 characters.", "Die Adresse ist länger als 500 Zeichen.")
	}
	if e := nr.Private.Email; e != "" {
		if a, err := mail.ParseAddress(e); err != nil || a.Address != e {
			bad("/email", "format", "This is not an e-mail address.", "Das ist keine E-Mail-Adresse.")
		}
	}
	attrs, attrErrs := open311.CheckAttributes(svc, req.Attributes)
	for _, e := range attrErrs {
		bad("/attributes", "attribute", e, "Eine Angabe zur Kategorie fehlt oder passt nicht ("+e+").")
	}
	nr.Attributes = attrs
	if len(req.Photos) > api.MaxReportPhotos {
		bad("/photos", "maxItems", fmt.Sprintf("A report takes at most %d photos.", api.MaxReportPhotos),
			fmt.Sprintf("Eine Meldung kann höchstens %d Fotos haben.", api.MaxReportPhotos))
	}
	for i, ph := range req.Photos {
		ptr := "/photos/" + strconv.Itoa(i)
		if slices.Contains(nr.Photos, ph.Upload) {
			bad(ptr, "uniqueItems", "The same photo is named twice.", "Dasselbe Foto ist zweimal genannt.")
			continue
		}
		u, err := s.store.Upload(r.Context(), ph.Upload)
		switch {
		case errors.Is(err, ErrNotFound), err == nil && u.Device != device:
			photo(ptr, AttachmentMissing)
		case err != nil:
			return nil, s.failure(r.Context(), "report: check photo", err)
		case u.Finished.IsZero():
			photo(ptr, AttachmentUnfinished)
		case u.Size != ph.Size || u.SHA256 != ph.SHA256:
			photo(ptr, AttachmentMismatch)
		case !strings.HasPrefix(u.Filetype, "image/"):
			photo(ptr, AttachmentType)
		case u.Case != "":
			photo(ptr, AttachmentInUse)
		default:
			nr.Photos = append(nr.Photos, ph.Upload)
		}
	}
	if len(errs) > 0 {
		return nil, validationProblem(errs)
	}
	return nr, nil
}

// handleReportFeed is the public feed: the reports of the last 90 days,
// newest first, at most 1,000, never who made them.
func (s *Server) handleReportFeed(w http.ResponseWriter, r *http.Request) {
	now := s.now()
	reps, err := s.store.Reports(r.Context(), open311.Filter{From: now.Add(-reportWindow), To: now, Limit: 1000})
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "report feed", err))
		return
	}
	if reps == nil {
		reps = []api.Report{}
	}
	writeJSON(w, http.StatusOK, api.ReportFeed{Reports: reps})
}

// handleVote is a "+1" to a report: one per device, or per idempotency
// key for a client without a credential.
func (s *Server) handleVote(w http.ResponseWriter, r *http.Request) {
	key, p := idempotencyKey(r)
	if p != nil {
		writeProblem(w, p)
		return
	}
	voter := "key:" + key
	if dev, ok := deviceFrom(r.Context()); ok {
		voter = "device:" + dev.ID
	}
	rep, found, err := s.store.VoteReport(r.Context(), r.PathValue("id"), voter)
	switch {
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "report: vote", err))
	case !found:
		writeProblem(w, notFound("There is no such report."))
	default:
		writeJSON(w, http.StatusOK, rep)
	}
}

// handleReportPhoto serves a report's photo: what Open311's media_url
// points to.
// handleReportHistory serves GET /v1/reports/{id}/history: the report's
// receipt and each step with the town's message, for the reporter's
// timeline (also on a device that did not hear every step in its feed)
// and for anyone following the report.
func (s *Server) handleReportHistory(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	events, found, err := s.store.ReportHistory(r.Context(), id)
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "report history", err))
		return
	}
	if !found {
		writeProblem(w, notFound("There is no such report."))
		return
	}
	writeJSON(w, http.StatusOK, api.ReportHistory{Report: id, Events: events})
}

func (s *Server) handleReportPhoto(w http.ResponseWriter, r *http.Request) {
	n, err := strconv.Atoi(r.PathValue("n"))
	if err != nil || n < 1 || n > api.MaxReportPhotos {
		writeProblem(w, notFound("There is no such photo."))
		return
	}
	id, found, err := s.store.ReportPhoto(r.Context(), r.PathValue("id"), n)
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "report photo", err))
		return
	}
	if !found {
		writeProblem(w, notFound("There is no such photo."))
		return
	}
	u, err := s.store.Upload(r.Context(), id)
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "report photo", err))
		return
	}
	up, err := s.uploads.files.GetUpload(r.Context(), id)
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "report photo", err))
		return
	}
	rd, err := up.GetReader(r.Context())
	if err != nil {
		writeProblem(w, s.failure(r.Context(), "report photo", err))
		return
	}
	if c, ok := rd.(io.Closer); ok {
		defer c.Close()
	}
	w.Header().Set("Content-Type", u.Filetype)
	w.Header().Set("Content-Length", strconv.FormatInt(u.Size, 10))
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "public, max-age=86400")
	_, _ = io.Copy(w, rd)
}
