package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"html/template"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/server/casework"
	"rathaus/server/notice"
)

// page is what every page's template gets.
type page struct {
	Lang   string
	Title  string
	Name   string // the signed-in clerk; "" on the sign-in page
	Office string // the office they signed in for; "" for every office
	CSRF   string
	Here   string // this page's path and query, for the language switch
	Error  string
	Done   bool
	// Reports: the "Meldungen" pages are there (Config.Reports).
	Reports bool
}

func (c *Console) funcs() template.FuncMap {
	return template.FuncMap{
		"t": word,
		"tn": func(key, lang string, n any) string {
			return strings.ReplaceAll(word(key, lang), "{n}", fmt.Sprint(n))
		},
		"tnm": func(key, lang string, n, m any) string {
			return strings.NewReplacer("{n}", fmt.Sprint(n), "{m}", fmt.Sprint(m)).Replace(word(key, lang))
		},
		"status": func(s, lang string) string { return word("st_"+s, lang) },
		"act":    func(s, lang string) string { return word("act_"+s, lang) },
		"when": func(t time.Time, lang string) string {
			if lang == "en" {
				return t.Local().Format("2 Jan 2006, 15:04")
			}
			return t.Local().Format("02.01.2006, 15:04")
		},
		"text":  func(t api.Text, lang string) string { return t.In(lang) },
		"has":   func(list []string, s string) bool { return slices.Contains(list, s) },
		"query": urlQueryEscape,
		"size": func(n int64) string {
			switch {
			case n >= 1<<20:
				return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
			case n >= 1<<10:
				return fmt.Sprintf("%d KB", n>>10)
			}
			return fmt.Sprintf("%d B", n)
		},
	}
}

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

func (c *Console) render(w http.ResponseWriter, status int, name string, data any) {
	var b strings.Builder
	if err := c.tmpl.ExecuteTemplate(&b, name, data); err != nil {
		c.log.Error("console: render", "template", name, "err", err)
		http.Error(w, "the page could not be made", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, b.String())
}

type loginPage struct {
	page
	Back   string
	Token  string // the sign-in form's CSRF token
	Actor  string
	Failed bool
	// Accounts shows the sign-in with a staff account; Email and
	// FailedAccount are its field and its refusal.
	Accounts      bool
	Email         string
	FailedAccount bool
}

func (c *Console) handleLoginPage(w http.ResponseWriter, r *http.Request) {
	c.loginForm(w, r, http.StatusOK, loginPage{Back: safeBack(r.URL.Query().Get("back"))})
}

func (c *Console) loginForm(w http.ResponseWriter, r *http.Request, status int, p loginPage) {
	tok := randomToken()
	http.SetCookie(w, &http.Cookie{Name: c.sessionsFor(r).loginCookieName(), Value: tok, Path: "/", MaxAge: 3600,
		HttpOnly: true, Secure: c.sessionsFor(r).secure, SameSite: http.SameSiteStrictMode})
	p.Lang = langOf(r)
	p.Title = word("signin", p.Lang)
	p.Accounts = c.cfg.StaffAccounts != nil
	p.Here = r.URL.RequestURI()
	p.Token = tok
	c.render(w, status, "login.html", p)
}

func (c *Console) handleLogin(w http.ResponseWriter, r *http.Request) {
	if blocked, wait := c.failures.blocked(r.RemoteAddr); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		c.loginForm(w, r, http.StatusTooManyRequests, loginPage{Back: safeBack(r.PostFormValue("back")),
			page: page{Error: word("tooMany", langOf(r))}})
		return
	}
	lc, err := r.Cookie(c.sessionsFor(r).loginCookieName())
	form := r.PostFormValue("csrf")
	back := safeBack(r.PostFormValue("back"))
	if err != nil || form == "" || form != lc.Value {
		c.loginForm(w, r, http.StatusForbidden, loginPage{Back: back, page: page{Error: word("expired", langOf(r))}})
		return
	}
	if email := strings.TrimSpace(r.PostFormValue("email")); email != "" && c.cfg.StaffAccounts != nil {
		actor, wait, ok := c.cfg.StaffAccounts(r, email, r.PostFormValue("password"))
		if wait > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
			c.loginForm(w, r, http.StatusTooManyRequests, loginPage{Back: back, Email: email, page: page{Error: word("tooMany", langOf(r))}})
			return
		}
		if !ok {
			c.log.Warn("console: account sign-in refused")
			c.loginForm(w, r, http.StatusUnauthorized, loginPage{Back: back, Email: email, FailedAccount: true})
			return
		}
		c.signedIn(w, r, actor, "", back)
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	office, ok := c.signInAs(r.PostFormValue("token"))
	if name == "" || len(name) > 100 || !ok {
		c.log.Warn("console: sign-in refused", "name", name)
		c.failures.fail(r.RemoteAddr)
		c.loginForm(w, r, http.StatusUnauthorized, loginPage{Back: back, Actor: name, Failed: true})
		return
	}
	c.signedIn(w, r, name, office, back)
}

// signedIn starts the clerk's session and sends them on.
func (c *Console) signedIn(w http.ResponseWriter, r *http.Request, name, office, back string) {
	http.SetCookie(w, c.sessionsFor(r).issue(name, office))
	http.SetCookie(w, &http.Cookie{Name: c.sessionsFor(r).loginCookieName(), Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: c.sessionsFor(r).secure, SameSite: http.SameSiteStrictMode})
	c.log.Info("console: signed in", "name", name, "office", office)
	http.Redirect(w, r, back, http.StatusSeeOther)
}

func (c *Console) handleLogout(w http.ResponseWriter, r *http.Request, _ *request) {
	http.SetCookie(w, c.sessionsFor(r).clear())
	http.Redirect(w, r, "/staff/login", http.StatusSeeOther)
}

// handleLang keeps the clerk's language in a cookie (a preference, not a
// change of anything on the server, so a GET link).
func (c *Console) handleLang(w http.ResponseWriter, r *http.Request) {
	l := r.URL.Query().Get("l")
	if l != "en" {
		l = "de"
	}
	http.SetCookie(w, &http.Cookie{Name: "rathaus_lang", Value: l, Path: "/staff/", MaxAge: 365 * 24 * 3600,
		HttpOnly: true, Secure: c.sessionsFor(r).secure, SameSite: http.SameSiteStrictMode})
	http.Redirect(w, r, safeBack(r.URL.Query().Get("back")), http.StatusSeeOther)
}

// pageSize is how many cases a page of the list shows.
const pageSize = 25

type option struct {
	Value, Label string
	Selected     bool
}

type listRow struct {
	casework.Summary
	ServiceTitle string
	Overdue      bool
}

type listPage struct {
	page
	Services, Statuses []option
	From, To, Number   string
	OverdueOnly        bool
	OverdueDays        int
	Rows               []listRow
	Total, Page, Pages int
	Prev, Next         string
	Failed             bool
}

func (c *Console) handleList(w http.ResponseWriter, r *http.Request, rq *request) {
	v := r.URL.Query()
	p := listPage{page: c.page(r, rq, word("cases", rq.lang)), From: v.Get("from"), To: v.Get("to"),
		Number: strings.TrimSpace(v.Get("q")), OverdueOnly: v.Get("overdue") == "1",
		OverdueDays: int(c.cfg.OverdueAfter / (24 * time.Hour))}
	q := casework.Query{Search: p.Number, Limit: pageSize, Services: c.officeServices(rq.office)}
	titles := map[string]string{}
	for _, s := range c.cfg.Forms.Catalog().Services {
		titles[s.ID] = s.Title.In(rq.lang)
		if !c.mayOpen(rq, s.ID) {
			continue
		}
		p.Services = append(p.Services, option{Value: s.ID, Label: titles[s.ID], Selected: s.ID == v.Get("service")})
		if s.ID == v.Get("service") {
			q.Service = s.ID
		}
	}
	for _, s := range api.Statuses {
		p.Statuses = append(p.Statuses, option{Value: s, Label: word("st_"+s, rq.lang), Selected: s == v.Get("status")})
		if s == v.Get("status") {
			q.Status = s
		}
	}
	if d, err := time.ParseInLocation("2006-01-02", p.From, time.Local); err == nil {
		q.From = d
	} else {
		p.From = ""
	}
	if d, err := time.ParseInLocation("2006-01-02", p.To, time.Local); err == nil {
		q.To = d.AddDate(0, 0, 1)
	} else {
		p.To = ""
	}
	overdueBefore := c.cfg.Now().Add(-c.cfg.OverdueAfter)
	if p.OverdueOnly {
		q.OverdueBefore = overdueBefore
	}
	p.Page = 1
	if n, err := strconv.Atoi(v.Get("page")); err == nil && n > 1 {
		p.Page = n
	}
	q.Offset = (p.Page - 1) * pageSize
	res, err := c.cfg.Casework.List(r.Context(), q)
	if err != nil {
		c.log.Error("console: list cases", "err", err)
		p.Error = word("failed", rq.lang)
		c.render(w, http.StatusInternalServerError, "list.html", p)
		return
	}
	p.Total = res.Total
	p.Pages = max(1, (res.Total+pageSize-1)/pageSize)
	for _, s := range res.Cases {
		p.Rows = append(p.Rows, listRow{Summary: s, ServiceTitle: orID(titles[s.Service], s.Service),
			Overdue: casework.Open(s.Status) && s.Created.Before(overdueBefore)})
	}
	link := func(n int) string {
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(n))
		return "/staff/cases?" + v.Encode()
	}
	if p.Page > 1 {
		p.Prev = link(p.Page - 1)
	}
	if p.Page < p.Pages {
		p.Next = link(p.Page + 1)
	}
	c.render(w, http.StatusOK, "list.html", p)
}

func orID(title, id string) string {
	if title == "" {
		return id
	}
	return title
}

func (c *Console) page(r *http.Request, rq *request, title string) page {
	return page{Lang: rq.lang, Title: title, Name: rq.name, Office: rq.office, CSRF: rq.csrf, Here: r.URL.RequestURI(), Done: r.URL.Query().Get("done") == "1",
		Reports: c.cfg.Reports != nil}
}

type summaryRow struct {
	formschema.SummaryEntry
	Heading    bool
	Attachment *casework.Attachment
	Asked      bool // the last request for more information named it
	Signature  *signatureView
}

// signatureView is a drawn signature for the page: its strokes as SVG
// polylines, and whether it passes the signature format's check.
type signatureView struct {
	W, H    float64
	Lines   []string // "x,y x,y ..." per stroke
	Typed   string   // the name typed instead of drawn (keyboard signature)
	OK      bool
	Problem string
}

func signatureOf(v any) *signatureView {
	sv := &signatureView{OK: true}
	if err := formschema.CheckSignature(v); err != nil {
		sv.OK, sv.Problem = false, err.Error()
	}
	m, _ := v.(map[string]any)
	num := func(x any) float64 {
		switch n := x.(type) {
		case float64:
			return n
		case json.Number:
			f, _ := n.Float64()
			return f
		}
		return 0
	}
	sv.Typed, _ = m["typed"].(string)
	sv.W, sv.H = num(m["width"]), num(m["height"])
	strokes, _ := m["strokes"].([]any)
	for _, st := range strokes {
		points, _ := st.([]any)
		var b strings.Builder
		for _, p := range points {
			xy, _ := p.([]any)
			if len(xy) == 2 {
				fmt.Fprintf(&b, "%g,%g ", num(xy[0]), num(xy[1]))
			}
		}
		sv.Lines = append(sv.Lines, strings.TrimSpace(b.String()))
	}
	if sv.W <= 0 || sv.H <= 0 {
		sv.W, sv.H = 1, 1
	}
	return sv
}

type casePage struct {
	page
	casework.File
	Notice       bool // the case is decided: its notice can be opened
	ServiceTitle string
	Summary      []summaryRow
	Unlisted     []casework.Attachment // attachments the summary does not show
	Moves        []option
	AsksInfo     bool     // more information can be asked for: the fields to name
	Asked        []string // the fields ticked, kept when an action failed
	Audit        []casework.AuditEntry
	Message      string // what the clerk typed, kept when an action failed
	InDate       string
	InTime       string
	InPlace      string
	Seal         sealView
}

func (c *Console) handleCase(w http.ResponseWriter, r *http.Request, rq *request) {
	c.casePage(w, r, rq, http.StatusOK, nil)
}

// casePage renders the case; with failure, the action's error and what
// the clerk entered.
func (c *Console) casePage(w http.ResponseWriter, r *http.Request, rq *request, status int, failure error) {
	f, err := c.cfg.Casework.Case(r.Context(), r.PathValue("id"))
	if err == nil && !c.mayOpen(rq, f.Service) {
		err = casework.ErrNoCase // another office's case is none of this clerk's
	}
	if errors.Is(err, casework.ErrNoCase) {
		p := c.page(r, rq, word("notFound", rq.lang))
		p.Error = word("notFound", rq.lang)
		c.render(w, http.StatusNotFound, "notfound.html", p)
		return
	}
	if err != nil {
		c.log.Error("console: case", "case", r.PathValue("id"), "err", err)
		http.Error(w, word("failed", rq.lang), http.StatusInternalServerError)
		return
	}
	seal := c.openSeal(&f, rq.lang)
	p := casePage{page: c.page(r, rq, word("case", rq.lang)+" "+f.Number), File: f, Seal: seal}
	p.ServiceTitle = f.Service
	for _, s := range c.cfg.Forms.Catalog().Services {
		if s.ID == f.Service {
			p.ServiceTitle = s.Title.In(rq.lang)
		}
	}
	if p.Audit, err = c.cfg.Casework.Audit(r.Context(), f.ID); err != nil {
		c.log.Error("console: audit log", "case", f.ID, "err", err)
	}
	for _, s := range casework.Next(f.Status) {
		p.Moves = append(p.Moves, option{Value: s, Label: word("st_"+s, rq.lang)})
		p.AsksInfo = p.AsksInfo || s == api.StatusInfoNeeded
	}
	p.Summary, p.Unlisted = c.summary(f, rq.lang)
	if n := len(f.History); n > 0 && f.Status == api.StatusInfoNeeded {
		for i := range p.Summary {
			p.Summary[i].Asked = slices.Contains(f.History[n-1].Fields, p.Summary[i].Pointer)
		}
	}
	for _, ev := range f.History {
		p.Notice = p.Notice || ev.Status == api.StatusDecided
	}
	if failure != nil {
		p.Done = false
		p.Error = strings.ReplaceAll(word("error", rq.lang), "{n}", failure.Error())
		p.Message = r.PostFormValue("message")
		p.InDate, p.InTime, p.InPlace = r.PostFormValue("date"), r.PostFormValue("time"), r.PostFormValue("place")
		p.Asked = r.PostForm["field"]
		for i := range p.Moves {
			p.Moves[i].Selected = p.Moves[i].Value == r.PostFormValue("status")
		}
	}
	c.render(w, status, "case.html", p)
}

// summary lays the data out as the form's summary does for the citizen,
// with each attachment beside its field.
func (c *Console) summary(f casework.File, lang string) ([]summaryRow, []casework.Attachment) {
	atts := map[string]*casework.Attachment{}
	for i := range f.Attachments {
		atts[f.Attachments[i].Pointer] = &f.Attachments[i]
	}
	var rows []summaryRow
	form := c.cfg.Forms.Form(f.Form.ID, f.Form.Version)
	var data map[string]any
	if form != nil && json.Unmarshal(f.Data, &data) == nil {
		for _, e := range form.Summary(data, lang) {
			row := summaryRow{SummaryEntry: e, Heading: e.Text == "", Attachment: atts[e.Pointer]}
			if e.Field != nil && e.Field.Widget == api.WidgetSignature {
				if v, ok := formschema.Get(data, e.Pointer); ok {
					row.Signature = signatureOf(v)
				}
			}
			delete(atts, e.Pointer)
			rows = append(rows, row)
		}
	}
	var rest []casework.Attachment
	for _, a := range f.Attachments {
		if _, left := atts[a.Pointer]; left {
			rest = append(rest, a)
		}
	}
	return rows, rest
}

// mayWork checks, before an action, that the case is one the clerk may
// work; else the action is answered as for no case.
func (c *Console) mayWork(w http.ResponseWriter, r *http.Request, rq *request) bool {
	if rq.office == "" {
		return true
	}
	f, err := c.cfg.Casework.Case(r.Context(), r.PathValue("id"))
	if err == nil && c.mayOpen(rq, f.Service) {
		return true
	}
	c.casePage(w, r, rq, http.StatusNotFound, casework.ErrNoCase)
	return false
}

func (c *Console) handleTake(w http.ResponseWriter, r *http.Request, rq *request) {
	if !c.mayWork(w, r, rq) {
		return
	}
	_, err := c.cfg.Casework.Take(r.Context(), r.PathValue("id"), rq.actor())
	c.after(w, r, rq, err)
}

func (c *Console) handleAdvance(w http.ResponseWriter, r *http.Request, rq *request) {
	if !c.mayWork(w, r, rq) {
		return
	}
	m := casework.Move{To: r.PostFormValue("status"), Message: r.PostFormValue("message")}
	if m.To == api.StatusInfoNeeded {
		m.Fields = r.PostForm["field"]
	}
	if m.To == api.StatusInspection {
		m.Inspection = &casework.Inspection{Date: r.PostFormValue("date"), Time: r.PostFormValue("time"),
			Place: strings.TrimSpace(r.PostFormValue("place"))}
	}
	_, err := c.cfg.Casework.Advance(r.Context(), r.PathValue("id"), rq.actor(), m)
	c.after(w, r, rq, err)
}

func (c *Console) handleNote(w http.ResponseWriter, r *http.Request, rq *request) {
	if !c.mayWork(w, r, rq) {
		return
	}
	_, err := c.cfg.Casework.Note(r.Context(), r.PathValue("id"), rq.actor(), r.PostFormValue("message"))
	c.after(w, r, rq, err)
}

// after answers an action: back to the case page (POST, redirect, GET),
// or the page again with the reason and what was entered.
func (c *Console) after(w http.ResponseWriter, r *http.Request, rq *request, err error) {
	var in *casework.InputError
	var mv *casework.MoveError
	var tk *casework.TakenError
	switch {
	case err == nil:
		http.Redirect(w, r, "/staff/cases/"+url.PathEscape(r.PathValue("id"))+"?done=1", http.StatusSeeOther)
	case errors.Is(err, casework.ErrNoCase):
		c.casePage(w, r, rq, http.StatusNotFound, err)
	case errors.As(err, &in), errors.As(err, &mv), errors.As(err, &tk):
		status := http.StatusUnprocessableEntity
		if in == nil {
			status = http.StatusConflict
		}
		c.casePage(w, r, rq, status, err)
	default:
		c.log.Error("console: action", "case", r.PathValue("id"), "err", err)
		c.casePage(w, r, rq, http.StatusInternalServerError, errors.New(word("failed", rq.lang)))
	}
}

// inline lists the media types a browser may show in the console's
// origin; anything else is only downloaded.
var inline = map[string]bool{"image/jpeg": true, "image/png": true, "image/webp": true, "image/gif": true, "application/pdf": true, "text/plain": true}

func (c *Console) handleAttachment(w http.ResponseWriter, r *http.Request, rq *request) {
	f, err := c.cfg.Casework.Case(r.Context(), r.PathValue("id"))
	if err != nil || !c.mayOpen(rq, f.Service) {
		http.NotFound(w, r)
		return
	}
	var att *casework.Attachment
	for i := range f.Attachments {
		if f.Attachments[i].Upload == r.PathValue("upload") {
			att = &f.Attachments[i]
		}
	}
	if att == nil || c.cfg.UploadDir == "" {
		http.NotFound(w, r)
		return
	}
	// The upload id came from the store, and tus ids are plain; Base
	// keeps it in the folder all the same.
	file, err := os.Open(filepath.Join(c.cfg.UploadDir, filepath.Base(att.Upload)))
	if err != nil {
		c.log.Error("console: attachment", "upload", att.Upload, "err", err)
		http.NotFound(w, r)
		return
	}
	defer file.Close()
	typ := att.Filetype
	disp := "attachment"
	if inline[typ] && r.URL.Query().Get("download") == "" {
		disp = "inline"
	} else if !inline[typ] {
		typ = "application/octet-stream"
	}
	h := w.Header()
	h.Set("Content-Type", typ)
	h.Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": att.Filename}))
	// A file shown inline runs no script, even a PDF viewer's.
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; sandbox")
	http.ServeContent(w, r, "", time.Time{}, file)
}

func (c *Console) handleAuditCSV(w http.ResponseWriter, r *http.Request, rq *request) {
	id := r.PathValue("id")
	name := "audit.csv"
	if id == "" && rq.office != "" {
		http.Error(w, "the whole audit log is for the staff token; a clerk of an office exports it per case", http.StatusForbidden)
		return
	}
	if id != "" {
		f, err := c.cfg.Casework.Case(r.Context(), id)
		if err != nil || !c.mayOpen(rq, f.Service) {
			http.NotFound(w, r)
			return
		}
		name = "audit-" + f.Number + ".csv"
	}
	entries, err := c.cfg.Casework.Audit(r.Context(), id)
	if err != nil {
		c.log.Error("console: audit export", "err", err)
		http.Error(w, "the audit log could not be read", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	if err := casework.WriteAuditCSV(w, entries); err != nil {
		c.log.Error("console: audit export", "err", err)
	}
}

// handleNotice serves the notice (Bescheid) of a decided case as a PDF,
// made from its decision as the citizen's app gets it.
func (c *Console) handleNotice(w http.ResponseWriter, r *http.Request, rq *request) {
	f, err := c.cfg.Casework.Case(r.Context(), r.PathValue("id"))
	if err != nil || !c.mayOpen(rq, f.Service) {
		http.NotFound(w, r)
		return
	}
	audit, err := c.cfg.Casework.Audit(r.Context(), f.ID)
	if err != nil {
		c.log.Error("console: notice", "case", f.ID, "err", err)
		http.Error(w, "the audit log could not be read", http.StatusInternalServerError)
		return
	}
	cat := c.cfg.Forms.Catalog()
	title := f.Service
	for _, s := range cat.Services {
		if s.ID == f.Service {
			title = s.Title.In("de")
		}
	}
	n, err := notice.ForCase(f, audit, cat.Municipality, title)
	if errors.Is(err, notice.ErrNotDecided) {
		http.NotFound(w, r)
		return
	}
	b, err := notice.PDF(n)
	if err != nil {
		c.log.Error("console: notice", "case", f.ID, "err", err)
		http.Error(w, "the notice could not be made", http.StatusInternalServerError)
		return
	}
	disp := "inline"
	if r.URL.Query().Get("download") != "" {
		disp = "attachment"
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType(disp, map[string]string{"filename": "Bescheid-" + f.Number + ".pdf"}))
	_, _ = w.Write(b)
}
