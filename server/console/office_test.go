package console_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"rathaus/server/console"
)

// TestOffices: a clerk who signed in with an office's token sees and works
// the cases of that office's services only.
func TestOffices(t *testing.T) {
	const tax, order = "Steueramt", "Ordnungsamt – Bürgerservice Stadtbild"
	tokens := map[string]string{tax: "steueramt-token-0123456789", order: "ordnungsamt-token-0123456789"}
	tw := newTown(t, false, func(c *console.Config) { c.OfficeTokens = tokens })
	dog := tw.submitDogTax(t, "dog")
	report, _ := tw.submitReport(t, "report")

	bea := newClerk(t, tw)
	bea.signInWith(t, "Bea", tokens[tax])
	list := bea.get(t, "/staff/cases")
	if !strings.Contains(list.body, dog.Number) || strings.Contains(list.body, report.Number) || !strings.Contains(list.body, "(Steueramt)") {
		t.Errorf("the tax office's list: with %s %v, with %s %v", dog.Number, strings.Contains(list.body, dog.Number),
			report.Number, strings.Contains(list.body, report.Number))
	}
	if strings.Contains(list.body, "Mängelmelder") {
		t.Error("the tax office's filter offers another office's service")
	}
	for _, path := range []string{"/staff/cases/" + report.ID, "/staff/cases/" + report.ID + "/audit.csv", "/staff/cases/" + report.ID + "/notice.pdf"} {
		if p := bea.get(t, path); p.status != http.StatusNotFound {
			t.Errorf("GET %s by the tax office: %d, want 404", path, p.status)
		}
	}
	bea.get(t, "/staff/cases/"+dog.ID)
	if p := bea.post(t, "/staff/cases/"+report.ID+"/take", nil); p.status != http.StatusNotFound {
		t.Errorf("taking another office's case: %d, want 404", p.status)
	}
	if p := bea.get(t, "/staff/audit.csv"); p.status != http.StatusForbidden {
		t.Errorf("the whole audit log for an office: %d, want 403", p.status)
	}
	bea.get(t, "/staff/cases/"+dog.ID)
	if p := bea.post(t, "/staff/cases/"+dog.ID+"/take", url.Values{}); p.status != http.StatusSeeOther {
		t.Fatalf("taking the office's own case: %d %.300s", p.status, p.body)
	}
	log, _ := tw.cw.AuditLog(t.Context(), dog.ID)
	if len(log) != 1 || log[0].Actor != "Bea (Steueramt)" {
		t.Errorf("audit log = %+v, want Bea of the Steueramt's take", log)
	}
	if log, _ := tw.cw.AuditLog(t.Context(), report.ID); len(log) != 0 {
		t.Errorf("the refused take left %+v", log)
	}

	anna := newClerk(t, tw)
	anna.signIn(t, "Anna") // the staff token: every office
	if p := anna.get(t, "/staff/cases"); !strings.Contains(p.body, dog.Number) || !strings.Contains(p.body, report.Number) {
		t.Error("the staff token does not see every office's cases")
	}
}
