package api

// PathOpenData is where the open data lives (server/opendata): each dataset
// as <name>.json, <name>.csv and its DCAT-AP.de record <name>.jsonld, and
// the catalogue of them all as catalog.jsonld. Only counts and medians are
// published: no case, report or person can be told from them.
const PathOpenData = "/v1/opendata/"

// The datasets, by the name their files carry.
const (
	// DatasetCases counts the applications (cases) per month of receipt
	// (UTC), service and current status.
	DatasetCases = "cases-by-month"
	// DatasetReports counts the issue reports per month of receipt (UTC),
	// category (Open311 service_code) and current status.
	DatasetReports = "reports-by-month"
	// DatasetDecisionDays gives the median days from receipt to the first
	// decision per month of the decision (UTC) and service.
	DatasetDecisionDays = "decision-days"
	// DatasetPolls gives the results of the closed polls: per poll, choice
	// question and option, how many answers chose it. A poll appears once
	// it has closed, never before.
	DatasetPolls = "poll-results"
)

// Content types of the open data's files.
const (
	ContentTypeCSV    = "text/csv; charset=utf-8"
	ContentTypeJSONLD = "application/ld+json"
)

// OpenData is a dataset as JSON (<name>.json).
type OpenData struct {
	Dataset string `json:"dataset"`
	// Modified is when the figures last changed (RFC 3339, UTC): the
	// latest case event or report change the store holds; none before
	// the first.
	Modified string        `json:"modified,omitempty"`
	Rows     []OpenDataRow `json:"rows"`
}

// OpenDataRow is one figure. Counts have Status and Count; decision days
// have Decisions (how many the median is of) and MedianDays; poll results
// have the poll's Title and Closed, the Question and Option (keys, and
// their German texts) and the poll's Answers, Count of which chose the
// option.
type OpenDataRow struct {
	// Month is "YYYY-MM" (for a poll: the month it closed).
	Month string `json:"month"`
	// Category is the service (cases, decision days), the report
	// category or the poll's id.
	Category   string   `json:"category"`
	Status     string   `json:"status,omitempty"`
	Count      int      `json:"count"`
	MedianDays *float64 `json:"median_days,omitempty"`
	// Poll results only.
	Title        string `json:"title,omitempty"`
	Closed       string `json:"closed,omitempty"` // RFC 3339, UTC
	Question     string `json:"question,omitempty"`
	QuestionText string `json:"question_text,omitempty"`
	Option       string `json:"option,omitempty"`
	OptionText   string `json:"option_text,omitempty"`
	Answers      int    `json:"answers,omitempty"`
}
