package api

import (
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Paths of issue reports (Mängelmelder). PathOpen311 is the Open311
// GeoReport v2 endpoint (services.json, requests.xml, ...), which has a
// specification of its own (wiki.open311.org/GeoReport_v2) rather than a
// place in openapi.yaml.
const (
	PathOpen311 = "/open311/v2/"
	// PathReports: POST a report from the app (Idempotency-Key), GET the
	// public feed; {id}/votes takes a "+1", {id}/photos/{n} serves a photo,
	// {id}/history gives the report's timeline (ReportHistory).
	PathReports = "/v1/reports"
)

// MaxReportPhotos is how many photos a report may carry.
const MaxReportPhotos = 3

// ReportRequest is the body of POST /v1/reports: a report from the app.
// Its photos are uploads (tus) of the same device, finished before.
type ReportRequest struct {
	ServiceCode string              `json:"service_code"`
	Description string              `json:"description,omitempty"`
	Lat         *float64            `json:"lat,omitempty"`
	Long        *float64            `json:"long,omitempty"`
	Address     string              `json:"address,omitempty"`
	AddressID   string              `json:"address_id,omitempty"`
	Attributes  map[string][]string `json:"attributes,omitempty"`
	// Email is for the town hall's feedback only, never public; "" for
	// none.
	Email  string        `json:"email,omitempty"`
	Photos []ReportPhoto `json:"photos,omitempty"`
}

// ReportPhoto names an upload that is a photo of the report.
type ReportPhoto struct {
	Upload string `json:"upload"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// ReportFeed is the body of GET /v1/reports: the reports of the last 90
// days, newest first.
type ReportFeed struct {
	Reports []Report `json:"reports"`
}

// Report statuses: Open311 knows only these two.
const (
	ReportOpen   = "open"
	ReportClosed = "closed"
)

// ReportUpdate is a status change of a report, told through the changes
// feed to the device that made it: the report as it is now (Open311's
// open or closed and status_notes) and the step of its timeline, a status
// of Statuses with the town's message, which Open311 has no word for.
type ReportUpdate struct {
	Report Report    `json:"report"`
	Event  CaseEvent `json:"event"`
}

// ReportStatusOf is the Open311 status of a report at a step of the
// workflow (Statuses): closed once closed, open before.
func ReportStatusOf(step string) string {
	if step == StatusClosed {
		return ReportClosed
	}
	return ReportOpen
}

// MaxReportDescription is the longest description of a report, in
// characters (GeoReport v2: "free form text limited to 4,000 characters").
const MaxReportDescription = 4000

// Report is an issue report as the public sees it (the Open311 feed, the
// app's feed of reports nearby): never who made it, nor how to reach them.
type Report struct {
	ID          string `json:"id"` // Open311's service_request_id
	ServiceCode string `json:"service_code"`
	Description string `json:"description,omitempty"`
	Status      string `json:"status"` // ReportOpen or ReportClosed
	StatusNotes string `json:"status_notes,omitempty"`
	// Lat and Long are WGS84 degrees; nil when the report has an address
	// only.
	Lat       *float64 `json:"lat,omitempty"`
	Long      *float64 `json:"long,omitempty"`
	Address   string   `json:"address,omitempty"`
	AddressID string   `json:"address_id,omitempty"`
	MediaURL  string   `json:"media_url,omitempty"`
	// Attributes are the answers to the service's attributes by code, each
	// a list (one value but for a multivaluelist).
	Attributes map[string][]string `json:"attributes,omitempty"`
	// Photos counts its photos (PathReports/{id}/photos/1 ...); Votes its
	// "+1"s.
	Photos    int       `json:"photos,omitempty"`
	Votes     int       `json:"votes,omitempty"`
	Requested time.Time `json:"requested"`
	Updated   time.Time `json:"updated"`
}

// ReportServices is a town's list of report categories (Open311 services)
// and the area its reports may lie in.
type ReportServices struct {
	Area     ReportArea      `json:"area"`
	Services []ReportService `json:"services"`
}

// Service returns the service with the code, ok=false if there is none.
func (rs ReportServices) Service(code string) (ReportService, bool) {
	for _, s := range rs.Services {
		if s.Code == code {
			return s, true
		}
	}
	return ReportService{}, false
}

// ReportArea is a circle around the town's centre.
type ReportArea struct {
	Lat     float64 `json:"lat"`
	Long    float64 `json:"long"`
	RadiusM float64 `json:"radius_m"`
}

// Contains reports whether the point lies in the area.
func (a ReportArea) Contains(lat, long float64) bool {
	return DistanceM(a.Lat, a.Long, lat, long) <= a.RadiusM
}

// DistanceM is the great-circle distance between two WGS84 points in
// metres (haversine; ample for a town).
func DistanceM(lat1, long1, lat2, long2 float64) float64 {
	const earthRadiusM = 6371000
	rad := func(d float64) float64 { return d * math.Pi / 180 }
	dLat, dLong := rad(lat2-lat1), rad(long2-long1)
	h := math.Sin(dLat/2)*math.Sin(dLat/2) + math.Cos(rad(lat1))*math.Cos(rad(lat2))*math.Sin(dLong/2)*math.Sin(dLong/2)
	return 2 * earthRadiusM * math.Asin(math.Min(1, math.Sqrt(h)))
}

// Open311 service types: realtime answers a POST with the
// service_request_id, batch with a token to look it up by.
const (
	ServiceRealtime = "realtime"
	ServiceBatch    = "batch"
)

// ReportService is one category of reports (an Open311 service).
type ReportService struct {
	Code        string `json:"service_code"`
	Name        Text   `json:"name"`
	Description Text   `json:"description"`
	Type        string `json:"type"` // ServiceRealtime or ServiceBatch
	Keywords    Text   `json:"keywords"`
	Group       Text   `json:"group"`
	// Notice says what the town does with a report of this kind (Open311's
	// service_notice).
	Notice     Text              `json:"notice,omitempty"`
	Attributes []ReportAttribute `json:"attributes,omitempty"`
}

// Attribute datatypes of GeoReport v2.
const (
	DatatypeString          = "string"
	DatatypeNumber          = "number"
	DatatypeDatetime        = "datetime"
	DatatypeText            = "text"
	DatatypeSingleValueList = "singlevaluelist"
	DatatypeMultiValueList  = "multivaluelist"
)

// ReportAttribute is a question a service asks beyond the description.
type ReportAttribute struct {
	Code string `json:"code"`
	// Variable false: the attribute only informs, it takes no answer.
	Variable            bool          `json:"variable"`
	Datatype            string        `json:"datatype"`
	Required            bool          `json:"required"`
	DatatypeDescription Text          `json:"datatype_description,omitempty"`
	Order               int           `json:"order"`
	Description         Text          `json:"description"`
	Values              []ReportValue `json:"values,omitempty"`
}

// ReportValue is one choice of a list attribute.
type ReportValue struct {
	Key  string `json:"key"`
	Name Text   `json:"name"`
}

// maxAttributeText bounds a string or text answer, in characters.
const maxAttributeText = 4000

// Check returns nil when values are a valid answer to the attribute (none
// at all is valid unless it is required), else an error that says why, in
// English, for the Open311 error's description.
func (a ReportAttribute) Check(values []string) error {
	var given []string
	for _, v := range values {
		if strings.TrimSpace(v) != "" {
			given = append(given, v)
		}
	}
	if len(given) == 0 {
		if a.Required && a.Variable {
			return fmt.Errorf("attribute %s is required", a.Code)
		}
		return nil
	}
	if !a.Variable {
		return fmt.Errorf("attribute %s takes no answer", a.Code)
	}
	if len(given) > 1 && a.Datatype != DatatypeMultiValueList {
		return fmt.Errorf("attribute %s takes one value, got %d", a.Code, len(given))
	}
	for _, v := range given {
		if !utf8.ValidString(v) {
			return fmt.Errorf("attribute %s is not UTF-8", a.Code)
		}
		switch a.Datatype {
		case DatatypeString:
			if strings.ContainsAny(v, "\r\n") {
				return fmt.Errorf("attribute %s is a string without line breaks", a.Code)
			}
			fallthrough
		case DatatypeText:
			if utf8.RuneCountInString(v) > maxAttributeText {
				return fmt.Errorf("attribute %s is longer than %d characters", a.Code, maxAttributeText)
			}
		case DatatypeNumber:
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				return fmt.Errorf("attribute %s must be a number, got %q", a.Code, v)
			}
		case DatatypeDatetime:
			if _, err := ParseW3CTime(v); err != nil {
				return fmt.Errorf("attribute %s must be an ISO 8601 date and time, got %q", a.Code, v)
			}
		case DatatypeSingleValueList, DatatypeMultiValueList:
			if !slices.ContainsFunc(a.Values, func(rv ReportValue) bool { return rv.Key == v }) {
				return fmt.Errorf("attribute %s has no value %q", a.Code, v)
			}
		default:
			return fmt.Errorf("attribute %s has an unknown datatype %q", a.Code, a.Datatype)
		}
	}
	return nil
}

// ParseW3CTime reads a date and time in the W3C profile of ISO 8601 that
// GeoReport v2 uses ("2010-01-01T00:00:00Z", "...T00:00:00+01:00",
// seconds and fractions optional), or a bare date ("2010-01-01", taken as
// midnight UTC). A time of day without a zone is refused: the spec
// requires one.
func ParseW3CTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a W3C date and time with a time zone", s)
}

// StreetDirectory is a town's streets, shipped with the app so that a
// place can be given without a map and offline.
type StreetDirectory struct {
	Town    string   `json:"town"`
	Streets []Street `json:"streets"`
}

// Street is one street: its centre and, where known, its house numbers'
// positions ([lat, long]).
type Street struct {
	ID       string                `json:"id"`
	Name     string                `json:"name"`
	District string                `json:"district,omitempty"`
	Postcode string                `json:"postcode,omitempty"`
	Lat      float64               `json:"lat"`
	Long     float64               `json:"long"`
	Houses   map[string][2]float64 `json:"houses,omitempty"`
}

// ReportHistory is the answer of GET /v1/reports/{id}/history: the report's
// timeline, oldest first: its receipt and every step of the town's
// workflow with the town's message. Public, as Open311's status_notes are:
// it holds nothing the reporter said.
type ReportHistory struct {
	Report string      `json:"report"`
	Events []CaseEvent `json:"events"`
}
