package open311

import (
	"encoding/xml"
	"net/http"
	"strings"

	"rathaus/api"
)

// PathDiscovery is Open311's service discovery file (+ ".json" or ".xml"),
// which points clients to the GeoReport v2 endpoint.
const PathDiscovery = "/open311/discovery"

// changeset is when the endpoint's interface last changed.
const changeset = "2026-12-07T00:00:00Z"

type wireDiscovery struct {
	XMLName   xml.Name       `xml:"discovery" json:"-"`
	Changeset string         `xml:"changeset" json:"changeset"`
	Contact   string         `xml:"contact" json:"contact"`
	KeyURL    string         `xml:"key_service" json:"key_service"`
	Endpoints []wireEndpoint `xml:"endpoints>endpoint" json:"endpoints"`
}

type wireEndpoint struct {
	Specification string   `xml:"specification" json:"specification"`
	URL           string   `xml:"url" json:"url"`
	Changeset     string   `xml:"changeset" json:"changeset"`
	Type          string   `xml:"type" json:"type"`
	Formats       []string `xml:"formats>format" json:"formats"`
}

// Discovery serves PathDiscovery.json and .xml.
func (h *Handler) Discovery(w http.ResponseWriter, r *http.Request) {
	name, format := splitFormat(strings.TrimPrefix(r.URL.Path, "/open311/"))
	out := h.writer(w, r, format)
	if format == "" || name != "discovery" {
		out.format = formatXML
		out.errors(http.StatusNotFound, "no such resource; try "+PathDiscovery+".xml")
		return
	}
	out.body(http.StatusOK, wireDiscovery{
		Changeset: changeset,
		Contact:   "The town hall's IT; see README.md, \"Issue reports and Open311\".",
		KeyURL:    "Keys are handed out by the town hall (rathaus-server open311 keys add NAME).",
		Endpoints: []wireEndpoint{{
			Specification: "http://wiki.open311.org/GeoReport_v2",
			URL:           out.base + strings.TrimSuffix(api.PathOpen311, "/"),
			Changeset:     changeset,
			Type:          "production",
			Formats:       []string{"text/xml", "application/json"},
		}},
	})
}
