package main

import (
	"errors"
	"flag"
	"net/url"

	"rathaus/server"
)

// Environment of the open data's flags.
const (
	envPublicURL   = "RATHAUS_PUBLIC_URL"
	envPublisher   = "RATHAUS_OPENDATA_PUBLISHER"
	envContributor = "RATHAUS_OPENDATA_CONTRIBUTOR"
)

// registerOpenData adds the flags of the open data's DCAT records (see
// openDataUsage) to fs, over their environment.
func registerOpenData(fs *flag.FlagSet, getenv func(string) string, c *server.OpenDataConfig) {
	c.BaseURL, c.Publisher, c.ContributorID = getenv(envPublicURL), getenv(envPublisher), getenv(envContributor)
	fs.StringVar(&c.BaseURL, "public-url", c.BaseURL, "")
	fs.StringVar(&c.Publisher, "opendata-publisher", c.Publisher, "")
	fs.StringVar(&c.ContributorID, "opendata-contributor", c.ContributorID, "")
}

// checkOpenData refuses a public URL the records could not start their
// addresses with.
func checkOpenData(c server.OpenDataConfig) error {
	if c.BaseURL == "" {
		return nil
	}
	u, err := url.Parse(c.BaseURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
		return errors.New("--public-url takes the server's public address, for example https://portal.musterstadt.de")
	}
	return nil
}

const openDataUsage = `
Open data (/v1/opendata/: JSON, CSV and DCAT-AP.de records for a state's
open-data portal to harvest from catalog.jsonld):
  --public-url URL     the server's public address, which the records'
                       addresses start with, for example
                       https://portal.musterstadt.de. Environment:
                       RATHAUS_PUBLIC_URL. Default: each request's own host.
  --opendata-publisher NAME
                       the town, as the records name it (dct:publisher).
                       Environment: RATHAUS_OPENDATA_PUBLISHER.
                       Default: Musterstadt.
  --opendata-contributor URI
                       the dcatde:contributorID the state's portal gave the
                       town. Environment: RATHAUS_OPENDATA_CONTRIBUTOR.
                       Default: a placeholder of the demo town.
`
