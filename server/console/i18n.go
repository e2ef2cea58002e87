package console

import (
	"net/http"

	"rathaus/api"
)

// words are the console's texts by key and language: German and English,
// a clerk picks one (a cookie), German first.
var words = map[string]api.Text{
	"title":          {"de": "Rathaus – Sachbearbeitung", "en": "Rathaus – case work"},
	"skip":           {"de": "Zum Inhalt springen", "en": "Skip to content"},
	"signin":         {"de": "Anmelden", "en": "Sign in"},
	"signout":        {"de": "Abmelden", "en": "Sign out"},
	"signedInAs":     {"de": "Angemeldet als", "en": "Signed in as"},
	"name":           {"de": "Ihr Name (für das Protokoll)", "en": "Your name (for the audit log)"},
	"token":          {"de": "Zugangsschlüssel (Staff-Token)", "en": "Access key (staff token)"},
	"badLogin":       {"de": "Name oder Zugangsschlüssel stimmen nicht.", "en": "The name or the access key is not right."},
	"tooMany":        {"de": "Zu viele falsche Anmeldungen. Bitte in einigen Minuten noch einmal.", "en": "Too many wrong sign-ins. Please try again in a few minutes."},
	"expired":        {"de": "Das Formular ist abgelaufen. Bitte noch einmal.", "en": "The form has expired. Please try again."},
	"cases":          {"de": "Vorgänge", "en": "Cases"},
	"filter":         {"de": "Filtern", "en": "Filter"},
	"reset":          {"de": "Zurücksetzen", "en": "Reset"},
	"service":        {"de": "Leistung", "en": "Service"},
	"anyService":     {"de": "Alle Leistungen", "en": "All services"},
	"status":         {"de": "Status", "en": "Status"},
	"anyStatus":      {"de": "Alle", "en": "All"},
	"from":           {"de": "Eingegangen ab", "en": "Submitted from"},
	"to":             {"de": "Eingegangen bis", "en": "Submitted until"},
	"overdue":        {"de": "Nur überfällige (offen seit mehr als {n} Tagen)", "en": "Overdue only (open for more than {n} days)"},
	"isOverdue":      {"de": "überfällig", "en": "overdue"},
	"search":         {"de": "Aktenzeichen oder Name", "en": "Case number or name"},
	"number":         {"de": "Aktenzeichen", "en": "Case number"},
	"submitted":      {"de": "Eingegangen", "en": "Submitted"},
	"assignee":       {"de": "Bearbeitet von", "en": "Taken by"},
	"nobody":         {"de": "niemand", "en": "nobody"},
	"noCases":        {"de": "Keine Vorgänge gefunden.", "en": "No cases found."},
	"count":          {"de": "{n} Vorgänge", "en": "{n} cases"},
	"page":           {"de": "Seite {n} von {m}", "en": "Page {n} of {m}"},
	"prev":           {"de": "Vorherige Seite", "en": "Previous page"},
	"next":           {"de": "Nächste Seite", "en": "Next page"},
	"paging":         {"de": "Seiten", "en": "Pages"},
	"case":           {"de": "Vorgang", "en": "Case"},
	"sealLabel":      {"de": "Signatur", "en": "Signature"},
	"sealValid":      {"de": "Signatur gültig, Schlüssel-Fingerabdruck {fp}", "en": "Signature valid, key fingerprint {fp}"},
	"sealInvalid":    {"de": "Signatur UNGÜLTIG: Die Angaben oder Anhänge stimmen nicht mit dem überein, was das Gerät signiert hat (Schlüssel-Fingerabdruck {fp}).", "en": "Signature INVALID: the data or attachments differ from what the device signed (key fingerprint {fp})."},
	"sealNone":       {"de": "Nicht signiert (anonym, ältere App oder nach einer Antwort auf eine Nachforderung).", "en": "Not signed (anonymous, an older app, or after an answer to a request for more information)."},
	"sealUnchecked":  {"de": "Signiert (Schlüssel-Fingerabdruck {fp}); prüfbar erst nach dem Entschlüsseln.", "en": "Signed (key fingerprint {fp}); it can be checked only once decrypted."},
	"encrypted":      {"de": "Ende-zu-Ende verschlüsselt; mit dem Schlüssel der Behörde entschlüsselt.", "en": "Encrypted end to end; decrypted with the authority's key."},
	"encryptedNoKey": {"de": "Ende-zu-Ende verschlüsselt. Dieser Server hat den Schlüssel der Behörde nicht: Starten Sie rathaus-server mit --authority-key DATEI, um die Angaben zu lesen.", "en": "Encrypted end to end. This server does not have the authority's key: start rathaus-server with --authority-key FILE to read the data."},
	"encryptedBad":   {"de": "Ende-zu-Ende verschlüsselt, aber der Schlüssel der Behörde öffnet die Angaben nicht (anderer Schlüssel?).", "en": "Encrypted end to end, but the authority's key does not open the data (another key?)."},
	"back":           {"de": "Zurück zur Liste", "en": "Back to the list"},
	"data":           {"de": "Angaben", "en": "Submitted data"},
	"noData":         {"de": "Keine Angaben.", "en": "No data."},
	"attachments":    {"de": "Anhänge", "en": "Attachments"},
	"noAttachments":  {"de": "Keine Anhänge.", "en": "No attachments."},
	"open":           {"de": "Öffnen", "en": "Open"},
	"download":       {"de": "Herunterladen", "en": "Download"},
	"timeline":       {"de": "Verlauf", "en": "Timeline"},
	"actions":        {"de": "Bearbeiten", "en": "Work on the case"},
	"take":           {"de": "Vorgang übernehmen", "en": "Take the case"},
	"takenBy":        {"de": "Übernommen von {n}", "en": "Taken by {n}"},
	"advance":        {"de": "Status ändern", "en": "Change the status"},
	"newStatus":      {"de": "Neuer Status", "en": "New status"},
	"message":        {"de": "Nachricht an die Antragstellerin / den Antragsteller", "en": "Message to the applicant"},
	"messageHelp":    {"de": "Pflicht bei „Unterlagen nachfordern“ (was fehlt) und „Entschieden“ (die Entscheidung).", "en": "Required for “more information needed” (what is missing) and “decided” (the decision)."},
	"inspection":     {"de": "Ortstermin (nur bei „Ortstermin“)", "en": "Inspection (for “inspection” only)"},
	"fields":         {"de": "Angaben, nach denen gefragt wird (nur bei „Unterlagen nachgefordert“)", "en": "Fields asked about (for “more information needed” only)"},
	"signature":      {"de": "Die gezeichnete Unterschrift", "en": "The drawn signature"},
	"signatureOK":    {"de": "Unterschrift geprüft: vollständig gezeichnet", "en": "Signature checked: fully drawn"},
	"signatureBad":   {"de": "Unterschrift ungültig", "en": "Signature not valid"},
	"sigTyped":       {"de": "Mit der Tastatur unterschrieben (getippter Name)", "en": "Signed by keyboard (typed name)"},
	"sigTypedOK":     {"de": "Unterschrift geprüft: Name vollständig", "en": "Signature checked: name complete"},
	"askedBadge":     {"de": "nachgefragt", "en": "asked about"},
	"date":           {"de": "Datum", "en": "Date"},
	"time":           {"de": "Uhrzeit", "en": "Time"},
	"place":          {"de": "Ort", "en": "Place"},
	"save":           {"de": "Speichern", "en": "Save"},
	"noMoves":        {"de": "Der Vorgang ist abgeschlossen.", "en": "The case is closed."},
	"note":           {"de": "Nachricht (der Status bleibt)", "en": "Message (the status stays)"},
	"sendNote":       {"de": "Nachricht senden", "en": "Send the message"},
	"audit":          {"de": "Protokoll", "en": "Audit log"},
	"notice":         {"de": "Bescheid (PDF)", "en": "Notice (PDF)"},
	"auditCSV":       {"de": "Protokoll als CSV", "en": "Audit log as CSV"},
	"auditAllCSV":    {"de": "Gesamtes Protokoll als CSV", "en": "Whole audit log as CSV"},
	"when":           {"de": "Wann", "en": "When"},
	"who":            {"de": "Wer", "en": "Who"},
	"what":           {"de": "Was", "en": "What"},
	"before":         {"de": "Vorher", "en": "Before"},
	"after":          {"de": "Nachher", "en": "After"},
	"detail":         {"de": "Text", "en": "Text"},
	"noAudit":        {"de": "Noch keine Einträge.", "en": "No entries yet."},
	"done":           {"de": "Gespeichert.", "en": "Saved."},
	"notFound":       {"de": "Diesen Vorgang gibt es nicht.", "en": "There is no such case."},
	"error":          {"de": "Das ging nicht: {n}", "en": "That did not work: {n}"},
	"failed":         {"de": "Ein Fehler auf dem Server. Bitte später noch einmal.", "en": "A server error. Please try again later."},
	"language":       {"de": "English", "en": "Deutsch"},
	"act_take":       {"de": "übernommen", "en": "taken"},
	"act_status":     {"de": "Status geändert", "en": "status changed"},
	"act_note":       {"de": "Nachricht", "en": "message"},
	"act_answer":     {"de": "Ergänzung eingegangen", "en": "additions received"},
	"st_received":    {"de": "Eingegangen", "en": "Received"},
	"st_in_review":   {"de": "In Prüfung", "en": "In review"},
	"st_inspection":  {"de": "Ortstermin", "en": "Inspection"},
	"st_info_needed": {"de": "Unterlagen nachgefordert", "en": "More information needed"},
	"st_decided":     {"de": "Entschieden", "en": "Decided"},
	"st_closed":      {"de": "Abgeschlossen", "en": "Closed"},

	// The "Meldungen" pages (reports.go).
	"reports":           {"de": "Meldungen", "en": "Reports"},
	"report":            {"de": "Meldung", "en": "Report"},
	"reportNo":          {"de": "Nr.", "en": "No."},
	"reportMessage":     {"de": "Nachricht an die meldende Person", "en": "Message to the reporter"},
	"backReports":       {"de": "Zurück zu den Meldungen", "en": "Back to the reports"},
	"rs_open":           {"de": "Offen", "en": "Open"},
	"rs_closed":         {"de": "Erledigt", "en": "Closed"},
	"reportCount":       {"de": "{n} Meldung(en)", "en": "{n} report(s)"},
	"noReports":         {"de": "Keine Meldungen.", "en": "No reports."},
	"category":          {"de": "Kategorie", "en": "Category"},
	"where":             {"de": "Ort", "en": "Place"},
	"description":       {"de": "Beschreibung", "en": "Description"},
	"votes":             {"de": "Unterstützungen (+1)", "en": "Supporters (+1)"},
	"statusNotes":       {"de": "Letzte Nachricht", "en": "Last message"},
	"reportMessageHelp": {"de": "Sieht die meldende Person in der App; Open311 zeigt sie als status_notes. Pflicht bei „Unterlagen nachgefordert“ und „Entschieden“.", "en": "The reporter sees it in the app; Open311 shows it as status_notes. Needed with “More information needed” and “Decided”."},
}

func word(key, lang string) string {
	if t, ok := words[key]; ok {
		return t.In(lang)
	}
	return key
}

// langOf is the clerk's language: the cookie's, else German.
func langOf(r *http.Request) string {
	if c, err := r.Cookie("rathaus_lang"); err == nil && c.Value == "en" {
		return "en"
	}
	return "de"
}
