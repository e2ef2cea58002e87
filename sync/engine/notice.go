package engine

import (
	"context"
	"net/http"
)

// noticeStore keeps the notices (Bescheide) of decided cases, sealed.
type noticeStore interface {
	CasesAwaitingNotice(ctx context.Context) ([]string, error)
	SaveNotice(ctx context.Context, caseID string, pdf []byte) error
}

// noticePortal fetches a case's notice.
type noticePortal interface {
	Notice(ctx context.Context, caseID string) ([]byte, error)
}

// pullNotices fetches the notice of each case the feed brought decided,
// once: a 404 (the backend has none, or no such endpoint) is recorded so
// that it is not asked again on every pass.
func (e *Engine) pullNotices(ctx context.Context) (Changed, error) {
	ids, err := e.store.CasesAwaitingNotice(ctx)
	if err != nil {
		return 0, err
	}
	var changed Changed
	for _, id := range ids {
		pdf, err := e.portal.Notice(ctx, id)
		if isStatus(err, http.StatusNotFound) {
			pdf, err = nil, nil
		}
		if err != nil && !isNetwork(err) {
			// One notice the backend fails to make does not hold up the
			// rest of the sync; it is asked again on the next pass.
			e.log.Warn("notice not fetched", "case", id, "err", err)
			continue
		}
		if err != nil {
			return changed, err
		}
		if err := e.store.SaveNotice(ctx, id, pdf); err != nil {
			return changed, err
		}
		if pdf != nil {
			changed |= ChangedCases
		}
	}
	return changed, nil
}
