package engine

import (
	"context"
	"errors"
	"net/http"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/store"
)

// changesPage is how many changes one request asks for.
const changesPage = 200

// pull refreshes the catalog (one 304 when unchanged), fetches the forms it
// names that are not on the device yet, and applies the changes feed; the
// catalog and the feed are asked at once.
func (e *Engine) pull(ctx context.Context) (outcome, error) {
	var err error
	var catChanged Changed
	done := make(chan struct{})
	go func() {
		defer close(done)
		catChanged, err = e.pullCatalog(ctx)
	}()
	out, again, cerr := e.pullChanges(ctx)
	<-done
	out.changed |= catChanged
	if cerr == nil && err == nil && again {
		// The feed says the catalog changed: make sure this pass has the
		// new one (a 304 if the request beside the feed got it already).
		catChanged, cerr = e.pullCatalog(ctx)
		out.changed |= catChanged
	}
	if cerr == nil {
		// The feed is applied: fetch the notices of the cases it decided.
		var nChanged Changed
		nChanged, cerr = e.pullNotices(ctx)
		out.changed |= nChanged
	}
	return out, errors.Join(err, cerr)
}

// pullCatalog: form versions never change, so a cached one is never
// fetched again; a form that failed to arrive is tried again on the next
// pass, even when the catalog is unchanged. It reports ChangedCatalog if
// it stored a catalog or a form.
func (e *Engine) pullCatalog(ctx context.Context) (Changed, error) {
	cat, etag, source, err := e.store.Catalog(ctx)
	if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
		return 0, err
	}
	if source != store.SourceBackend {
		etag = "" // the demo catalog is no version of this backend's
	}
	fresh, newETag, changed, err := e.portal.Catalog(ctx, etag)
	if err != nil {
		return 0, err
	}
	if changed {
		cat = fresh
	}
	var stored Changed
	var errs []error
	for _, s := range cat.Services {
		fetched, err := e.fetchForm(ctx, s.Form)
		if fetched {
			stored = ChangedCatalog
		}
		if err != nil {
			if isNetwork(err) {
				return stored, err
			}
			errs = append(errs, err)
		}
	}
	if changed {
		if err := e.store.SaveCatalog(ctx, cat, newETag, store.SourceBackend); err != nil {
			return stored, err
		}
		stored = ChangedCatalog
	}
	return stored, errors.Join(errs...)
}

// fetchForm fetches and stores a form version the device does not have;
// fetched reports whether it stored one.
func (e *Engine) fetchForm(ctx context.Context, ref api.FormRef) (fetched bool, err error) {
	has, err := e.store.HasForm(ctx, ref)
	if err != nil || has {
		return false, err
	}
	body, err := e.portal.Form(ctx, ref)
	if err != nil {
		return false, err
	}
	if _, err := formschema.Parse(body); err != nil {
		// A malformed form is refused; the rest of the catalog still works.
		e.log.Warn("refusing a malformed form", "form", ref.ID, "version", ref.Version, "err", err)
		return false, err
	}
	if err := e.store.SaveForm(ctx, ref, body); err != nil {
		return false, err
	}
	return true, nil
}

// pullChanges applies the changes feed page by page, each page with its
// cursor in one transaction. It reports whether the catalog changed. A
// backend without a feed (404) or a device without credential is skipped.
func (e *Engine) pullChanges(ctx context.Context) (out outcome, catalogChanged bool, err error) {
	cursor, err := e.store.SyncValue(ctx, store.KeyChangesCursor)
	if err != nil {
		return out, false, err
	}
	for {
		page, err := e.portal.Changes(ctx, cursor, changesPage)
		if isStatus(err, http.StatusNotFound) || isStatus(err, http.StatusUnauthorized) {
			return out, catalogChanged, nil
		}
		if err != nil {
			return out, catalogChanged, err
		}
		if len(page.Changes) == 0 {
			return out, catalogChanged, nil
		}
		applied, err := e.store.ApplyChanges(ctx, page.Changes, page.Cursor)
		if err != nil {
			return out, catalogChanged, err
		}
		catalogChanged = catalogChanged || applied.Catalog
		out.received += len(page.Changes)
		if applied.Cases {
			out.changed |= ChangedCases
		}
		if applied.Drafts {
			out.changed |= ChangedDrafts
		}
		if applied.Appointments {
			out.changed |= ChangedAppointments
		}
		if applied.Reports {
			out.changed |= ChangedReports
		}
		if len(applied.News) > 0 {
			e.tellNews(applied.News)
		}
		if !page.More || page.Cursor == cursor {
			return out, catalogChanged, nil
		}
		cursor = page.Cursor
	}
}
