package api

// PathCases + {id} + "/notice" is the notice (Bescheid) of a decided case
// of this device, as application/pdf.
const PathCases = "/v1/cases/"

// NoticeSuffix ends the path of a case's notice.
const NoticeSuffix = "/notice"

// AnswerSuffix ends the path of the citizen's answer to a request for more
// information: POST PathCases + {id} + AnswerSuffix, a SubmissionRequest of
// the case's service and form with the completed data, under an
// Idempotency-Key. The case goes on (in review), with its history.
const AnswerSuffix = "/answer"
