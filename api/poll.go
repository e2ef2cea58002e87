package api

import "time"

// PathPolls is where the polls (Bürgerbeteiligung) live: GET lists them,
// PUT {id}/answer stores the device's answer, GET {id}/results counts the
// answers once the poll closed.
const PathPolls = "/v1/polls/"

// Poll is one question put to the citizens: a form, open from Opens until
// Closes. Answers are validated against the form like a submission.
type Poll struct {
	ID     string    `json:"id"`
	Title  Text      `json:"title"`
	Opens  time.Time `json:"opens"`
	Closes time.Time `json:"closes"`
	Form   Form      `json:"form"`
}

// Polls is the answer of GET /v1/polls/.
type Polls struct {
	Polls []Poll `json:"polls"`
}

// PollAnswer is the body of PUT /v1/polls/{id}/answer: one device's answer,
// which replaces its earlier one while the poll is open.
type PollAnswer struct {
	Data map[string]any `json:"data"`
}

// Problem types of the polls.
const (
	// ProblemPollClosed: the poll closed; answers are no longer taken.
	ProblemPollClosed = "https://rathaus.example/problems/poll-closed"
	// ProblemPollNotOpen: the poll has not opened yet.
	ProblemPollNotOpen = "https://rathaus.example/problems/poll-not-open"
	// ProblemPollOpen: results come only after the poll closed.
	ProblemPollOpen = "https://rathaus.example/problems/poll-open"
)

// PollReceipt is the answer of PUT /v1/polls/{id}/answer: the answer is
// stored, as of Answered.
type PollReceipt struct {
	Poll     string    `json:"poll"`
	Answered time.Time `json:"answered"`
}

// PollResults counts a closed poll's answers: per choice field (single or
// multiple), how many answers chose each option. Free text is not
// published: it could name a person.
type PollResults struct {
	Poll    string        `json:"poll"`
	Closes  time.Time     `json:"closes"`
	Answers int           `json:"answers"`
	Counts  []OptionCount `json:"counts"`
}

// OptionCount is how many answers chose one option of one field.
type OptionCount struct {
	Field  string `json:"field"`
	Option string `json:"option"`
	N      int    `json:"n"`
}
