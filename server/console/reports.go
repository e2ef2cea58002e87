package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"rathaus/api"
	"rathaus/server/reportwork"
)

// The "Meldungen" pages: issue reports, worked through server/reportwork
// as the command line does. Reports belong to no office's services, so
// only a clerk signed in with the staff token (every office) sees them.

func (c *Console) mountReports() {
	c.mux.HandleFunc("GET /staff/reports", c.authed(c.reportsOnly(c.handleReports)))
	c.mux.HandleFunc("GET /staff/reports/{id}", c.authed(c.reportsOnly(c.handleReport)))
	c.mux.HandleFunc("POST /staff/reports/{id}/advance", c.authed(c.reportsOnly(c.handleReportAdvance)))
}

// reportsOnly answers 404 to an office's clerk.
func (c *Console) reportsOnly(h func(http.ResponseWriter, *http.Request, *request)) func(http.ResponseWriter, *http.Request, *request) {
	return func(w http.ResponseWriter, r *http.Request, rq *request) {
		if rq.office != "" {
			p := c.page(r, rq, word("notFound", rq.lang))
			p.Error = word("notFound", rq.lang)
			c.render(w, http.StatusNotFound, "notfound.html", p)
			return
		}
		h(w, r, rq)
	}
}

type reportsPage struct {
	page
	Statuses []option
	Rows     []reportRow
}

// reportRow is a report with its category's name and its place, as the
// pages show them.
type reportRow struct {
	api.Report
	Category, Place string
}

func (c *Console) reportRow(r api.Report, lang string) reportRow {
	row := reportRow{Report: r, Category: r.ServiceCode, Place: r.Address}
	if svc, ok := c.cfg.ReportServices.Service(r.ServiceCode); ok {
		row.Category = svc.Name.In(lang)
	}
	if row.Place == "" && r.Lat != nil && r.Long != nil {
		row.Place = fmt.Sprintf("%.5f, %.5f", *r.Lat, *r.Long)
	}
	return row
}

func (c *Console) handleReports(w http.ResponseWriter, r *http.Request, rq *request) {
	p := reportsPage{page: c.page(r, rq, word("reports", rq.lang))}
	status := r.URL.Query().Get("status")
	if status != api.ReportOpen && status != api.ReportClosed {
		status = ""
	}
	for _, s := range []string{api.ReportOpen, api.ReportClosed} {
		p.Statuses = append(p.Statuses, option{Value: s, Label: word("rs_"+s, rq.lang), Selected: s == status})
	}
	reps, err := c.cfg.Reports.List(r.Context(), status, 200)
	if err != nil {
		c.log.Error("console: list reports", "err", err)
		p.Error = word("failed", rq.lang)
		c.render(w, http.StatusInternalServerError, "reports.html", p)
		return
	}
	for _, rep := range reps {
		p.Rows = append(p.Rows, c.reportRow(rep, rq.lang))
	}
	c.render(w, http.StatusOK, "reports.html", p)
}

type reportPage struct {
	page
	reportRow
	Steps   []option
	Message string
}

func (c *Console) handleReport(w http.ResponseWriter, r *http.Request, rq *request) {
	c.reportPage(w, r, rq, http.StatusOK, nil)
}

func (c *Console) reportPage(w http.ResponseWriter, r *http.Request, rq *request, status int, failure error) {
	rep, err := c.cfg.Reports.Report(r.Context(), r.PathValue("id"))
	if errors.Is(err, reportwork.ErrNotFound) {
		p := c.page(r, rq, word("notFound", rq.lang))
		p.Error = word("notFound", rq.lang)
		c.render(w, http.StatusNotFound, "notfound.html", p)
		return
	}
	if err != nil {
		c.log.Error("console: report", "report", r.PathValue("id"), "err", err)
		http.Error(w, word("failed", rq.lang), http.StatusInternalServerError)
		return
	}
	p := reportPage{page: c.page(r, rq, word("report", rq.lang)+" "+rep.ID), reportRow: c.reportRow(rep, rq.lang)}
	for _, s := range api.Statuses {
		p.Steps = append(p.Steps, option{Value: s, Label: word("st_"+s, rq.lang)})
	}
	if failure != nil {
		p.Done = false
		p.Error = strings.ReplaceAll(word("error", rq.lang), "{n}", failure.Error())
		p.Message = r.PostFormValue("message")
		for i := range p.Steps {
			p.Steps[i].Selected = p.Steps[i].Value == r.PostFormValue("status")
		}
	}
	c.render(w, status, "report.html", p)
}

func (c *Console) handleReportAdvance(w http.ResponseWriter, r *http.Request, rq *request) {
	_, err := c.cfg.Reports.Advance(r.Context(), r.PathValue("id"), r.PostFormValue("status"), r.PostFormValue("message"))
	switch {
	case err == nil:
		c.log.Info("console: report advanced", "report", r.PathValue("id"), "status", r.PostFormValue("status"), "by", rq.actor())
		http.Redirect(w, r, "/staff/reports/"+url.PathEscape(r.PathValue("id"))+"?done=1", http.StatusSeeOther)
	case errors.Is(err, reportwork.ErrNotFound):
		c.reportPage(w, r, rq, http.StatusNotFound, err)
	case errors.Is(err, reportwork.ErrStep), errors.Is(err, reportwork.ErrMessage):
		c.reportPage(w, r, rq, http.StatusUnprocessableEntity, err)
	default:
		c.log.Error("console: report action", "report", r.PathValue("id"), "err", err)
		c.reportPage(w, r, rq, http.StatusInternalServerError, errors.New(word("failed", rq.lang)))
	}
}
