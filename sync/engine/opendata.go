package engine

import (
	"context"

	"rathaus/api"
	"rathaus/app/citizen"
)

// openDataStore keeps the open data for viewing offline.
type openDataStore interface {
	SaveOpenFigures(ctx context.Context, f citizen.OpenFigures) error
}

// openDataPortal fetches the open data.
type openDataPortal interface {
	OpenData(ctx context.Context, dataset string) (api.OpenData, error)
}

// RefreshOpenData fetches the town's open data and caches it, all three
// datasets or none: the screen never shows figures of two different
// fetches side by side. Not part of a pass: the open-data screen asks when
// it opens.
func (e *Engine) RefreshOpenData(ctx context.Context) error {
	f := citizen.OpenFigures{}
	for _, d := range []struct {
		name string
		into *api.OpenData
	}{{api.DatasetCases, &f.Cases}, {api.DatasetReports, &f.Reports}, {api.DatasetDecisionDays, &f.DecisionDays}} {
		got, err := e.portal.OpenData(ctx, d.name)
		if err != nil {
			return err
		}
		*d.into = got
	}
	f.Fetched = e.now()
	return e.store.SaveOpenFigures(ctx, f)
}
