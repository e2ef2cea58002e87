package console_test

import (
	"bytes"
	"encoding/csv"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/server/casework"
	"rathaus/server/console"
)

func TestSecurityHeadersOnEveryPage(t *testing.T) {
	tw := newTown(t, false)
	c, _ := tw.submitReport(t, "k1")
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna Amt")
	for _, path := range []string{"/staff/login", "/staff/cases", "/staff/cases/" + c.ID, "/staff/cases/nope", "/staff/audit.csv"} {
		t.Run(path, func(t *testing.T) {
			p := cl.get(t, path)
			csp := p.header.Get("Content-Security-Policy")
			if !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") || !strings.Contains(csp, "frame-ancestors 'none'") {
				t.Errorf("Content-Security-Policy = %q", csp)
			}
			for k, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Cache-Control": "no-store"} {
				if got := p.header.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if strings.Contains(p.body, "<script") {
				t.Error("the page has a script")
			}
		})
	}
}

func TestSignIn(t *testing.T) {
	for _, secure := range []bool{false, true} {
		t.Run(map[bool]string{false: "plain", true: "secure"}[secure], func(t *testing.T) {
			tw := newTown(t, secure)
			cl := newClerk(t, tw)
			if p := cl.get(t, "/staff/cases?status=decided"); p.status != http.StatusSeeOther ||
				p.header.Get("Location") != "/staff/login?back="+url.QueryEscape("/staff/cases?status=decided") {
				t.Errorf("the list without sign-in: %d to %q, want the sign-in page", p.status, p.header.Get("Location"))
			}
			cl.get(t, "/staff/login")
			if p := cl.post(t, "/staff/login", url.Values{"name": {"Anna"}, "token": {"wrong-token-wrong-token"}}); p.status != http.StatusUnauthorized ||
				!strings.Contains(p.body, "Name oder Zugangsschlüssel stimmen nicht") {
				t.Errorf("wrong token: %d", p.status)
			}
			if p := cl.post(t, "/staff/login", url.Values{"name": {"Anna"}, "token": {tw.StaffToken}, "csrf": {"forged"}}); p.status != http.StatusForbidden {
				t.Errorf("sign-in without the form's token: %d, want 403", p.status)
			}
			cl.get(t, "/staff/login")
			p := cl.post(t, "/staff/login", url.Values{"name": {"Anna"}, "token": {tw.StaffToken}, "back": {"//evil.example/"}})
			if p.status != http.StatusSeeOther || p.header.Get("Location") != "/staff/cases" {
				t.Fatalf("sign in: %d to %q, want /staff/cases (never another site)", p.status, p.header.Get("Location"))
			}
			var session *http.Cookie
			for _, ck := range p.res.Cookies() {
				if strings.Contains(ck.Name, "rathaus_staff") {
					session = ck
				}
			}
			if session == nil {
				t.Fatal("no session cookie")
			}
			if !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Secure != secure || session.Path != "/" {
				t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Secure=%v", session, secure)
			}
			if secure && session.Name != "__Host-rathaus_staff" {
				t.Errorf("secure cookie named %q, want the __Host- prefix", session.Name)
			}
			if secure {
				return // the cookie jar keeps Secure cookies from https only
			}
			if p := cl.get(t, "/staff/cases"); p.status != http.StatusOK || !strings.Contains(p.body, "Anna") {
				t.Errorf("the list after sign-in: %d", p.status)
			}
			if p := cl.post(t, "/staff/logout", nil); p.status != http.StatusSeeOther {
				t.Errorf("sign out: %d", p.status)
			}
			if p := cl.get(t, "/staff/cases"); p.status != http.StatusSeeOther {
				t.Errorf("the list after sign-out: %d, want the sign-in page", p.status)
			}
		})
	}
}

func TestList(t *testing.T) {
	tw := newTown(t, false)
	first, _ := tw.submitReport(t, "k1")
	second, _ := tw.submitReport(t, "k2")
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna")
	tests := []struct {
		query     string
		with, not []string
	}{
		{"", []string{first.Number, second.Number, "2 Vorgänge", "Mängel"}, nil},
		{"?q=" + first.Number, []string{first.Number}, []string{second.Number}},
		{"?q=m.SCHULZ", []string{first.Number, second.Number}, nil},
		{"?q=Niemand", []string{"0 Vorgänge"}, []string{first.Number}},
		{"?service=hundesteuer", []string{"0 Vorgänge", "Keine Vorgänge"}, []string{first.Number}},
		{"?status=received&service=maengelmelder", []string{first.Number, second.Number}, nil},
		{"?status=decided", []string{"0 Vorgänge"}, []string{first.Number}},
		{"?from=2000-01-01&to=2100-01-01", []string{first.Number}, nil},
		{"?to=2000-01-01", []string{"0 Vorgänge"}, []string{first.Number}},
		{"?overdue=1", []string{"0 Vorgänge"}, []string{first.Number}},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			p := cl.get(t, "/staff/cases"+tt.query)
			if p.status != http.StatusOK {
				t.Fatalf("status %d", p.status)
			}
			for _, s := range tt.with {
				if !strings.Contains(p.body, s) {
					t.Errorf("the list has no %q", s)
				}
			}
			for _, s := range tt.not {
				if strings.Contains(p.body, s) {
					t.Errorf("the list has %q", s)
				}
			}
		})
	}
	t.Run("english", func(t *testing.T) {
		if p := cl.get(t, "/staff/lang?l=en&back=/staff/cases"); p.status != http.StatusSeeOther {
			t.Fatalf("switch language: %d", p.status)
		}
		p := cl.get(t, "/staff/cases")
		if !strings.Contains(p.body, `lang="en"`) || !strings.Contains(p.body, "2 cases") || !strings.Contains(p.body, "Report an issue") {
			t.Errorf("the English list: %.400s", p.body)
		}
		cl.get(t, "/staff/lang?l=de&back=/staff/cases")
	})
}

func TestPaging(t *testing.T) {
	tw := newTown(t, false)
	var numbers []string
	for i := range 27 {
		c, _ := tw.submitReport(t, "k"+string(rune('a'+i)))
		numbers = append(numbers, c.Number)
	}
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna")
	p1 := cl.get(t, "/staff/cases")
	p2 := cl.get(t, "/staff/cases?page=2")
	if !strings.Contains(p1.body, "Seite 1 von 2") || !strings.Contains(p1.body, `rel="next"`) || strings.Contains(p1.body, `rel="prev"`) {
		t.Errorf("page 1 has no way on")
	}
	if !strings.Contains(p2.body, "Seite 2 von 2") || strings.Contains(p2.body, `rel="next"`) {
		t.Errorf("page 2 is not the last")
	}
	for _, n := range numbers {
		if in1, in2 := strings.Contains(p1.body, n), strings.Contains(p2.body, n); in1 == in2 {
			t.Errorf("case %s on page 1: %v, on page 2: %v; want exactly one", n, in1, in2)
		}
	}
}

func TestCasePageAndAttachment(t *testing.T) {
	tw := newTown(t, false)
	c, _ := tw.submitReport(t, "k1")
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna")
	p := cl.get(t, "/staff/cases/"+c.ID)
	for _, s := range []string{c.Number, "Mängel", "Tiefes Schlagloch", "Hauptstraße", "schlagloch.png", "Eingegangen", "Vorgang übernehmen"} {
		if !strings.Contains(p.body, s) {
			t.Errorf("the case page has no %q", s)
		}
	}
	f, err := tw.cw.CaseFile(t.Context(), c.ID)
	if err != nil || len(f.Attachments) != 1 {
		t.Fatalf("case file: %+v, %v", f.Attachments, err)
	}
	link := "/staff/cases/" + c.ID + "/attachments/" + f.Attachments[0].Upload
	if !strings.Contains(p.body, `href="`+link+`"`) {
		t.Errorf("the case page does not link the attachment %s", link)
	}
	for _, tt := range []struct{ query, disp string }{{"", "inline"}, {"?download=1", "attachment"}} {
		a := cl.get(t, link+tt.query)
		if a.status != http.StatusOK || a.header.Get("Content-Type") != "image/png" || !bytes.Equal([]byte(a.body), photo(t)) {
			t.Errorf("attachment%s: %d %s, %d bytes", tt.query, a.status, a.header.Get("Content-Type"), len(a.body))
		}
		if d := a.header.Get("Content-Disposition"); !strings.HasPrefix(d, tt.disp) || !strings.Contains(d, "schlagloch.png") {
			t.Errorf("Content-Disposition = %q, want %s with the name", d, tt.disp)
		}
		if !strings.Contains(a.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("the attachment is not sandboxed")
		}
	}
	other, _ := tw.submitReport(t, "k2")
	if a := cl.get(t, "/staff/cases/"+other.ID+"/attachments/"+f.Attachments[0].Upload); a.status != http.StatusNotFound {
		t.Errorf("another case's attachment through this one: %d, want 404", a.status)
	}
	if a := cl.get(t, "/staff/cases/nope"); a.status != http.StatusNotFound {
		t.Errorf("unknown case: %d", a.status)
	}
	if a := cl.get(t, "/staff/cases/"+c.ID+"/notice.pdf"); a.status != http.StatusNotFound {
		t.Errorf("the notice of an undecided case: %d, want 404", a.status)
	}
}

// TestActions works a case through the console and checks the audit log
// after each step: what was refused left no row.
func TestActions(t *testing.T) {
	tw := newTown(t, false)
	c, _ := tw.submitReport(t, "k1")
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna Amt")
	path := "/staff/cases/" + c.ID
	cl.get(t, path)
	steps := []struct {
		name   string
		action string
		form   url.Values
		status int
		says   string
		audit  int
	}{
		{"no csrf", "take", url.Values{"csrf": {""}}, http.StatusForbidden, "CSRF", 0},
		{"wrong csrf", "take", url.Values{"csrf": {"forged"}}, http.StatusForbidden, "CSRF", 0},
		{"take", "take", nil, http.StatusSeeOther, "", 1},
		{"take again", "take", nil, http.StatusConflict, "taken by Anna Amt", 1},
		{"info without message", "advance", url.Values{"status": {api.StatusInfoNeeded}}, http.StatusUnprocessableEntity, "say what the citizen is to add", 1},
		{"info", "advance", url.Values{"status": {api.StatusInfoNeeded}, "message": {"Bitte ein zweites Foto."}, "field": {"/photo", "/description"}}, http.StatusSeeOther, "", 2},
		{"back to received", "advance", url.Values{"status": {api.StatusReceived}}, http.StatusConflict, "can move to", 2},
		{"inspection without place", "advance", url.Values{"status": {api.StatusInspection}, "date": {"2026-12-10"}, "time": {"10:00"}}, http.StatusUnprocessableEntity, "date, time and place", 2},
		{"inspection", "advance", url.Values{"status": {api.StatusInspection}, "date": {"2026-12-10"}, "time": {"10:00"}, "place": {"Hauptstraße 112a"}}, http.StatusSeeOther, "", 3},
		{"note", "note", url.Values{"message": {"Wir kommen pünktlich."}}, http.StatusSeeOther, "", 4},
		{"decide", "advance", url.Values{"status": {api.StatusDecided}, "message": {"Das Schlagloch wird bis Freitag geschlossen."}}, http.StatusSeeOther, "", 5},
		{"close", "advance", url.Values{"status": {api.StatusClosed}}, http.StatusSeeOther, "", 6},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			cl.get(t, path) // a fresh token, as a browser has
			p := cl.post(t, path+"/"+st.action, st.form)
			if p.status != st.status || !strings.Contains(p.body, st.says) {
				t.Errorf("%d %.300q, want %d with %q", p.status, p.body, st.status, st.says)
			}
			if st.status == http.StatusSeeOther && p.header.Get("Location") != path+"?done=1" {
				t.Errorf("redirect to %q", p.header.Get("Location"))
			}
			log, err := tw.cw.AuditLog(t.Context(), c.ID)
			if err != nil || len(log) != st.audit {
				t.Errorf("audit log has %d rows (%v), want %d", len(log), err, st.audit)
			}
		})
	}
	if f, err := tw.cw.CaseFile(t.Context(), c.ID); err != nil || len(f.History) < 2 || strings.Join(f.History[1].Fields, " ") != "/photo /description" {
		t.Errorf("the request for more information names %v (%v), want /photo and /description", f.History, err)
	}
	p := cl.get(t, path)
	for _, s := range []string{"Abgeschlossen", "Bitte ein zweites Foto.", "Ortstermin am 10.12.2026 um 10:00 Uhr, Hauptstraße 112a.",
		"Wir kommen pünktlich.", "Das Schlagloch wird bis Freitag geschlossen.", "Der Vorgang ist abgeschlossen.", "Anna Amt"} {
		if !strings.Contains(p.body, s) {
			t.Errorf("the case page has no %q", s)
		}
	}
	if strings.Contains(p.body, `action="`+path+`/take"`) {
		t.Error("a taken case still offers to be taken")
	}

	pdf := cl.get(t, path+"/notice.pdf")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !strings.HasPrefix(pdf.body, "%PDF-") {
		t.Errorf("notice: %d %s %.20q", pdf.status, pdf.header.Get("Content-Type"), pdf.body)
	}
	if !strings.Contains(pdf.header.Get("Content-Disposition"), "Bescheid-"+c.Number+".pdf") {
		t.Errorf("notice's Content-Disposition = %q", pdf.header.Get("Content-Disposition"))
	}

	csvPage := cl.get(t, path+"/audit.csv")
	if csvPage.header.Get("Content-Type") != "text/csv; charset=utf-8" || !strings.Contains(csvPage.header.Get("Content-Disposition"), "audit-"+c.Number+".csv") {
		t.Errorf("CSV headers %v", csvPage.header)
	}
	rows, err := csv.NewReader(strings.NewReader(csvPage.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 7 || strings.Join(rows[0], ",") != strings.Join(casework.AuditCSVHeader, ",") {
		t.Fatalf("CSV has %d rows: %v", len(rows), rows)
	}
	if got := strings.Join(rows[2][4:8], " "); got != "Anna Amt status received info_needed" {
		t.Errorf("CSV row 2 = %v", rows[2])
	}
}

func TestCrossSiteAndSignedOutPosts(t *testing.T) {
	tw := newTown(t, false)
	c, _ := tw.submitReport(t, "k1")
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna")
	cl.get(t, "/staff/cases/"+c.ID)
	form := url.Values{"csrf": {cl.csrf}}
	req, _ := http.NewRequest(http.MethodPost, tw.URL+"/staff/cases/"+c.ID+"/take", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://evil.example")
	res, err := cl.http.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusForbidden {
		t.Errorf("a post from another origin: %d, want 403", res.StatusCode)
	}
	anon := newClerk(t, tw)
	if p := anon.post(t, "/staff/cases/"+c.ID+"/take", url.Values{"csrf": {cl.csrf}}); p.status != http.StatusUnauthorized {
		t.Errorf("a post without a session: %d, want 401", p.status)
	}
	if log, _ := tw.cw.AuditLog(t.Context(), c.ID); len(log) != 0 {
		t.Errorf("refused posts left audit rows: %+v", log)
	}
}

func TestOffWithoutToken(t *testing.T) {
	tw := newTown(t, false)
	tw.StaffToken = ""
	// A console built without a token answers nothing.
	res, _ := tw.call(t, http.MethodGet, "/staff/nope-nope", nil, nil)
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("unknown page: %d", res.StatusCode)
	}
}

// TestSignature: a drawn signature shows as a picture, with its check.
func TestSignature(t *testing.T) {
	tw := newTown(t, false)
	c := tw.submitExample(t, "anmeldung-wohnung", "k")
	cl := newClerk(t, tw)
	cl.signIn(t, "Anna")
	p := cl.get(t, "/staff/cases/"+c.ID)
	if !strings.Contains(p.body, `<svg class="signature"`) || !strings.Contains(p.body, "<polyline points=") {
		t.Error("the case page shows no signature")
	}
	if !strings.Contains(p.body, "Unterschrift geprüft: vollständig gezeichnet") {
		t.Error("the case page does not say the signature was checked")
	}
}

// TestSignInLimit: guessing tokens at speed is refused for a while, also
// with the right token; the window passes.
func TestSignInLimit(t *testing.T) {
	now := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	tw := newTown(t, false, func(c *console.Config) { c.Now = func() time.Time { return now } })
	cl := newClerk(t, tw)
	for i := range 10 {
		cl.get(t, "/staff/login")
		if p := cl.post(t, "/staff/login", url.Values{"name": {"Eve"}, "token": {"guess-" + strconv.Itoa(i) + "-0123456789"}}); p.status != http.StatusUnauthorized {
			t.Fatalf("guess %d: %d, want 401", i, p.status)
		}
	}
	cl.get(t, "/staff/login")
	p := cl.post(t, "/staff/login", url.Values{"name": {"Anna"}, "token": {tw.StaffToken}})
	if p.status != http.StatusTooManyRequests || p.header.Get("Retry-After") == "" || !strings.Contains(p.body, "Zu viele falsche Anmeldungen") {
		t.Errorf("after 10 wrong guesses: %d, Retry-After %q; want 429", p.status, p.header.Get("Retry-After"))
	}
	now = now.Add(11 * time.Minute)
	cl.signIn(t, "Anna")
}
