package api

// PathCases + {id} + "/notice" is the notice (Bescheid) of a decided case
// of this device, as application/pdf.
const PathCases = "/v1/cases/"

// NoticeSuffix ends the path of a case's notice.
const NoticeSuffix = "/notice"
