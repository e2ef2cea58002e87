package citizen

import (
	"math"
	"time"

	"rathaus/api"
)

// OutboxReport is an issue report (Mängelmelder) for the town hall, or a
// "+1" to a report someone made before (Vote set). Its photos go first,
// by resumable upload.
var OutboxReport = RegisterOutboxKind("report", func() OutboxPayload { return new(ReportPayload) })

// ReportPayload is a report as the citizen sent it. Its photos wait beside
// it in the store (by the item's DraftID, the report's local id) and are
// named in Request.Photos only once uploaded.
type ReportPayload struct {
	Request api.ReportRequest `json:"request"`
	// Vote is the id of a report this one agrees with: then only a "+1"
	// is sent, and Request is what the citizen had filled in.
	Vote string `json:"vote,omitempty"`
}

// OutboxKind implements OutboxPayload.
func (*ReportPayload) OutboxKind() OutboxKind { return OutboxReport }

// ReportPhoto is a photo of a report waiting on the device, and where its
// upload stands.
type ReportPhoto struct {
	ID           string
	Report       string // the report's local id
	Type         string
	Size         int64
	SHA256       string
	UploadURL    string
	UploadOffset int64
	Uploaded     bool
}

// MyReport is a report this device sent (or queued).
type MyReport struct {
	LocalID     string
	ReportID    string // the backend's id, "" until it answered
	ServiceCode string
	Vote        bool
	Queued      time.Time
	// Status is the last step of the town (api.Statuses; "" before any)
	// and History its steps as the changes feed brought them.
	Status  string
	History []api.CaseEvent
	// New: the town took a step the citizen has not opened yet.
	New bool
}

// NearbyRadiusM is how close an open report of the same category must be
// to be offered as "is it one of these?" before sending.
const NearbyRadiusM = 50

// Nearby returns the open reports of the feed in the category within
// NearbyRadiusM of the place, nearest first.
func Nearby(feed []api.Report, serviceCode string, lat, long float64) []api.Report {
	type hit struct {
		r api.Report
		d float64
	}
	var hits []hit
	for _, r := range feed {
		if r.ServiceCode != serviceCode || r.Status != api.ReportOpen || r.Lat == nil || r.Long == nil {
			continue
		}
		if d := api.DistanceM(lat, long, *r.Lat, *r.Long); d <= NearbyRadiusM {
			hits = append(hits, hit{r, d})
		}
	}
	for i := 1; i < len(hits); i++ { // few: insertion sort keeps it stable
		for j := i; j > 0 && hits[j].d < hits[j-1].d; j-- {
			hits[j], hits[j-1] = hits[j-1], hits[j]
		}
	}
	out := make([]api.Report, len(hits))
	for i, h := range hits {
		out[i] = h.r
	}
	return out
}

// DistanceLabelM rounds a distance for people: to 5 m.
func DistanceLabelM(m float64) int { return int(math.Round(m/5) * 5) }

// News kinds: what a step of the town was taken on.
const (
	NewsCase   = "case"
	NewsReport = "report"
)

// News is a step the town hall took on a case or report of this device,
// as the changes feed brought it: what a notification tells, once.
type News struct {
	Kind string // NewsCase or NewsReport
	// ID is the case's id or the report's (the backend's); Label is what
	// the citizen knows it by (the case number, the report's number) and
	// Service its service or report category.
	ID, Label, Service string
	Event              api.CaseEvent
}

// Timeline is the report's steps at the town hall, starting with its
// receipt (at queued, which the backend acknowledged) when sent.
func (m MyReport) Timeline() []api.CaseEvent {
	if m.ReportID == "" {
		return nil
	}
	out := []api.CaseEvent{{Status: api.StatusReceived, At: m.Queued}}
	for _, e := range m.History {
		if e.Status == api.StatusReceived && len(out) == 1 && e.Note == nil {
			continue // the receipt again, with nothing to say
		}
		out = append(out, e)
	}
	return out
}
