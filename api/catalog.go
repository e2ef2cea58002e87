package api

import "encoding/json"

// Catalog is the municipality's list of services, served at GET /v1/catalog
// with a strong ETag so that an unchanged catalog costs one 304.
type Catalog struct {
	Municipality Municipality `json:"municipality"`
	Categories   []Category   `json:"categories"`
	Services     []Service    `json:"services"`
	// FAQ is the town's answers to standard questions. It travels with the
	// catalog, so a changed FAQ changes the catalog's ETag and reaches the
	// app through the changes feed like any catalog change.
	FAQ []FAQEntry `json:"faq,omitempty"`
	// Languages are the languages the town promises every text of its
	// catalog and forms in (codes such as "tr"); German and English are
	// always promised, so empty means those two.
	Languages []string `json:"languages,omitempty"`
	// MachineDrafted are the languages whose texts (the catalog's and its
	// forms') were drafted by machine and await a reviewer: said in the
	// file, not hidden.
	MachineDrafted []string `json:"machine_drafted,omitempty"`
}

// FAQEntry is one standard question with the town's answer, linked to the
// service that does what it asks for where there is one.
type FAQEntry struct {
	ID       string `json:"id"`
	Question Text   `json:"question"`
	Answer   Text   `json:"answer"`
	Keywords Text   `json:"keywords,omitempty"` // extra search terms, space separated
	Service  string `json:"service,omitempty"`  // a Service's ID
}

// Municipality names the town the catalog belongs to.
type Municipality struct {
	// AGS is the Amtlicher Gemeindeschlüssel, the official 8-digit key.
	AGS     string `json:"ags"`
	Name    string `json:"name"`
	Website string `json:"website,omitempty"`
	Phone   string `json:"phone,omitempty"`
	Email   string `json:"email,omitempty"`
	Address string `json:"address,omitempty"`
	// OpeningHours of the town hall, for people, per language.
	OpeningHours Text `json:"opening_hours,omitempty"`
}

// Category groups services on the home screen.
type Category struct {
	ID    string `json:"id"`
	Title Text   `json:"title"`
}

// Service is one thing the town hall does for citizens, with the form (id
// and version) that requests it.
type Service struct {
	ID       string  `json:"id"`
	Category string  `json:"category"`
	Title    Text    `json:"title"`
	Summary  Text    `json:"summary"`
	Keywords Text    `json:"keywords,omitempty"` // extra search terms, space separated
	Fee      Text    `json:"fee,omitempty"`
	Duration Text    `json:"duration,omitempty"`
	Office   string  `json:"office,omitempty"`
	Form     FormRef `json:"form"`

	// OfficeName is the office's name for people, per language; Office
	// stays the key (a clerk's login to the staff console names it).
	OfficeName Text `json:"office_name,omitempty"`

	// RequiresLogin: the service needs a logged-in citizen. The app says
	// so before the form's first field and offers to log in; every other
	// service stays open to anonymous use.
	RequiresLogin bool `json:"requires_login,omitempty"`

	// EncryptionKey, when set, is the authority's public key for this
	// service (a JWK: kty RSA, use enc, alg RSA-OAEP-256, with a kid):
	// the app then sends the data only as a JWE to it, end to end, and the
	// backend keeps only ciphertext. FIT-Connect does the same.
	EncryptionKey json.RawMessage `json:"encryption_key,omitempty"`
}

// FormRef points at one immutable version of a form.
type FormRef struct {
	ID      string `json:"id"`
	Version int    `json:"version"`
}
