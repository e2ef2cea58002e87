package opendata

import (
	"context"
	"time"

	"rathaus/api"
)

// Vocabularies of DCAT-AP.de (dcat-ap.de/def/dcatde/2.0/spec) and the EU's
// authority tables it takes its formats and themes from.
const (
	licenseDLBY = "http://dcat-ap.de/def/licenses/dl-by-de/2.0"
	themeGov    = "http://publications.europa.eu/resource/authority/data-theme/GOVE"
	fileTypes   = "http://publications.europa.eu/resource/authority/file-type/"
	mediaTypes  = "https://www.iana.org/assignments/media-types/"
)

var jsonldContext = map[string]string{
	"dcat":   "http://www.w3.org/ns/dcat#",
	"dct":    "http://purl.org/dc/terms/",
	"dcatde": "http://dcat-ap.de/def/dcatde/",
	"foaf":   "http://xmlns.com/foaf/0.1/",
	"xsd":    "http://www.w3.org/2001/XMLSchema#",
}

// dataset describes one published dataset.
type dataset struct {
	name             string
	titleDE, titleEN string
	descDE, descEN   string
	keywordsDE       []string
	rows             func(context.Context, *Area) ([]api.OpenDataRow, error)
	// modified, if set, says when the rows last changed (else: the
	// store's latest change).
	modified  func(rows []api.OpenDataRow) time.Time
	csvHeader []string
	csvRow    func(api.OpenDataRow) []string
}

// modifiedOf is when the dataset's figures last changed, given the
// store's latest change.
func (d *dataset) modifiedOf(store time.Time, rows []api.OpenDataRow) time.Time {
	if d.modified == nil {
		return store
	}
	return d.modified(rows)
}

type node = map[string]any

func id(uri string) node { return node{"@id": uri} }

func texts(de, en string) []node {
	return []node{{"@value": de, "@language": "de"}, {"@value": en, "@language": "en"}}
}

func typed(v, typ string) node { return node{"@value": v, "@type": typ} }

// record is the dataset's DCAT-AP.de description; base is the server's
// public address (scheme and host), modified when its figures last
// changed, rows the figures (for dct:temporal).
func (a *Area) record(d *dataset, base string, modified time.Time, rows []api.OpenDataRow) node {
	uri := base + api.PathOpenData + d.name
	var dists []node
	for _, f := range []struct{ ext, fileType, media, title string }{
		{".json", "JSON", "application/json", "JSON"},
		{".csv", "CSV", "text/csv", "CSV"},
	} {
		dists = append(dists, node{
			"@id":              uri + f.ext,
			"@type":            "dcat:Distribution",
			"dct:title":        texts(d.titleDE+" ("+f.title+")", d.titleEN+" ("+f.title+")"),
			"dcat:accessURL":   id(uri + f.ext),
			"dcat:downloadURL": id(uri + f.ext),
			"dct:format":       id(fileTypes + f.fileType),
			"dcat:mediaType":   id(mediaTypes + f.media),
			"dct:license":      id(licenseDLBY),
		})
		setModified(dists[len(dists)-1], modified)
	}
	rec := node{
		"@id":                    uri,
		"@type":                  "dcat:Dataset",
		"dct:identifier":         uri,
		"dct:title":              texts(d.titleDE, d.titleEN),
		"dct:description":        texts(d.descDE, d.descEN),
		"dcat:keyword":           d.keywordsDE,
		"dcat:theme":             id(themeGov),
		"dct:publisher":          a.publisher(),
		"dcatde:contributorID":   id(a.cfg.ContributorID),
		"dct:license":            id(licenseDLBY),
		"dct:accessRights":       id("http://publications.europa.eu/resource/authority/access-right/PUBLIC"),
		"dct:accrualPeriodicity": id("http://publications.europa.eu/resource/authority/frequency/CONT"),
		"dcat:distribution":      dists,
	}
	setModified(rec, modified)
	if start, end, ok := span(rows); ok {
		rec["dct:temporal"] = node{
			"@type":          "dct:PeriodOfTime",
			"dcat:startDate": typed(start.Format(time.DateOnly), "xsd:date"),
			"dcat:endDate":   typed(end.Format(time.DateOnly), "xsd:date"),
		}
	}
	return rec
}

func (a *Area) publisher() node {
	p := node{"@type": "foaf:Organization", "foaf:name": a.cfg.Publisher}
	if a.cfg.PublisherURL != "" {
		p["@id"] = a.cfg.PublisherURL
	}
	return p
}

// catalog lists the datasets' records, whole, so that a harvester needs one
// request.
func (a *Area) catalog(base string, modified time.Time, records []node) node {
	cat := node{
		"@context":        jsonldContext,
		"@id":             base + api.PathOpenData + "catalog.jsonld",
		"@type":           "dcat:Catalog",
		"dct:title":       texts("Offene Daten: "+a.cfg.Publisher, "Open data: "+a.cfg.Publisher),
		"dct:description": texts("Kennzahlen des Bürgerportals: Anträge, Mängelmeldungen und Bearbeitungsdauer, monatlich, und die Ergebnisse abgeschlossener Umfragen, aus den Daten des Portals berechnet.", "Figures of the citizen portal: applications, issue reports and processing times, per month, and the results of closed polls, computed from the portal's data."),
		"dct:publisher":   a.publisher(),
		"dct:language":    id("http://publications.europa.eu/resource/authority/language/DEU"),
		"dct:license":     id(licenseDLBY),
		"dcat:dataset":    records,
	}
	setModified(cat, modified)
	return cat
}

// setModified says when the figures last changed; before there are any,
// nothing.
func setModified(n node, modified time.Time) {
	if !modified.IsZero() {
		n["dct:modified"] = typed(stamp(modified), "xsd:dateTime")
	}
}
