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
func (e *Engine) pull(ctx context.Context) error {
	var err error
	done := make(chan struct{})
	go func() {
		defer close(done)
		err = e.pullCatalog(ctx)
	}()
	again, cerr := e.pullChanges(ctx)
	<-done
	if cerr == nil && err == nil && again {
		// The feed says the catalog changed: make sure this pass has the
		// new one (a 304 if the request beside the feed got it already).
		cerr = e.pullCatalog(ctx)
	}
	return errors.Join(err, cerr)
}

// pullCatalog: form versions never change, so a cached one is never
// fetched again; a form that failed to arrive is tried again on the next
// pass, even when the catalog is unchanged.
func (e *Engine) pullCatalog(ctx context.Context) error {
	cat, etag, source, err := e.store.Catalog(ctx)
	if err != nil && citizen.ErrorCode(err) != citizen.ENOTFOUND {
		return err
	}
	if source != store.SourceBackend {
		etag = "" // the demo catalog is no version of this backend's
	}
	fresh, newETag, changed, err := e.portal.Catalog(ctx, etag)
	if err != nil {
		return err
	}
	if changed {
		cat = fresh
	}
	var errs []error
	for _, s := range cat.Services {
		if err := e.fetchForm(ctx, s.Form); err != nil {
			if isNetwork(err) {
				return err
			}
			errs = append(errs, err)
		}
	}
	if changed {
		if err := e.store.SaveCatalog(ctx, cat, newETag, store.SourceBackend); err != nil {
			return err
		}
	}
	return errors.Join(errs...)
}

func (e *Engine) fetchForm(ctx context.Context, ref api.FormRef) error {
	has, err := e.store.HasForm(ctx, ref)
	if err != nil || has {
		return err
	}
	body, err := e.portal.Form(ctx, ref)
	if err != nil {
		return err
	}
	if _, err := formschema.Parse(body); err != nil {
		// A malformed form is refused; the rest of the catalog still works.
		e.log.Warn("refusing a malformed form", "form", ref.ID, "version", ref.Version, "err", err)
		return err
	}
	return e.store.SaveForm(ctx, ref, body)
}

// pullChanges applies the changes feed page by page, each page with its
// cursor in one transaction. It reports whether the catalog changed. A
// backend without a feed (404) or a device without credential is skipped.
func (e *Engine) pullChanges(ctx context.Context) (catalogChanged bool, err error) {
	cursor, err := e.store.SyncValue(ctx, "changes_cursor")
	if err != nil {
		return false, err
	}
	for {
		page, err := e.portal.Changes(ctx, cursor, changesPage)
		if isStatus(err, http.StatusNotFound) || isStatus(err, http.StatusUnauthorized) {
			return catalogChanged, nil
		}
		if err != nil {
			return catalogChanged, err
		}
		if len(page.Changes) == 0 {
			return catalogChanged, nil
		}
		changed, err := e.store.ApplyChanges(ctx, page.Changes, page.Cursor)
		if err != nil {
			return catalogChanged, err
		}
		catalogChanged = catalogChanged || changed
		if !page.More || page.Cursor == cursor {
			return catalogChanged, nil
		}
		cursor = page.Cursor
	}
}
