package oidc

import (
	"embed"
	"html/template"
	"net/http"

	"golang.org/x/text/language"
)

//go:embed templates/*.html
var templateFiles embed.FS

var pages = template.Must(template.ParseFS(templateFiles, "templates/*.html"))

// texts are the pages' words in one language.
type texts struct {
	Title, LoginIntro, DeviceIntro, Email, Password, SignIn, UserCode, Continue, Allow, Deny string

	BadLogin, Disabled, Limited, Expired, BadCode, BadForm, DeviceQuestion, Allowed, Denied, Failed, LoggedOut string
}

// words holds the pages in German (first) and English.
var words = map[string]texts{
	"de": {
		Title:       "Anmelden bei Rathaus",
		LoginIntro:  "Melden Sie sich mit der E-Mail-Adresse und dem Passwort Ihres Kontos an. Danach geht es in der App weiter.",
		DeviceIntro: "Geben Sie den Code ein, den das Gerät zeigt, und melden Sie sich mit Ihrem Konto an.",
		Email:       "E-Mail-Adresse", Password: "Passwort", SignIn: "Anmelden", UserCode: "Code vom Gerät",
		Continue: "Weiter", Allow: "Erlauben", Deny: "Ablehnen",
		BadLogin:       "E-Mail-Adresse oder Passwort stimmen nicht.",
		Disabled:       "Dieses Konto ist gesperrt. Bitte wenden Sie sich an das Rathaus.",
		Limited:        "Zu viele Anmeldeversuche. Bitte versuchen Sie es in %d Minuten wieder.",
		Expired:        "Diese Anmeldung ist abgelaufen. Bitte starten Sie sie in der App neu.",
		BadCode:        "Diesen Code gibt es nicht, oder er ist abgelaufen. Bitte prüfen Sie den Code auf dem Gerät.",
		BadForm:        "Das Formular ist abgelaufen. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.",
		DeviceQuestion: "Soll sich das Gerät mit dem Code unten als %s anmelden?",
		Allowed:        "Erledigt: Das Gerät ist angemeldet. Sie können dieses Fenster schließen.",
		Denied:         "Abgelehnt: Das Gerät wird nicht angemeldet.",
		Failed:         "Das hat nicht geklappt. Bitte versuchen Sie es in einem Moment noch einmal.",
		LoggedOut:      "Sie sind abgemeldet. Sie können dieses Fenster schließen.",
	},
	"en": {
		Title:       "Sign in to Rathaus",
		LoginIntro:  "Sign in with your account's email address and password. Then continue in the app.",
		DeviceIntro: "Enter the code the device shows and sign in with your account.",
		Email:       "Email address", Password: "Password", SignIn: "Sign in", UserCode: "Code from the device",
		Continue: "Continue", Allow: "Allow", Deny: "Deny",
		BadLogin:       "The email address or the password is wrong.",
		Disabled:       "This account is locked. Please contact the town hall.",
		Limited:        "Too many sign-in attempts. Please try again in %d minutes.",
		Expired:        "This sign-in has expired. Please start it again in the app.",
		BadCode:        "This code does not exist or has expired. Please check the code on the device.",
		BadForm:        "The form has expired. Please reload the page and try again.",
		DeviceQuestion: "Shall the device with the code below sign in as %s?",
		Allowed:        "Done: the device is signed in. You may close this window.",
		Denied:         "Denied: the device is not signed in.",
		Failed:         "That did not work. Please try again in a moment.",
		LoggedOut:      "You are signed out. You may close this window.",
	},
}

var langMatcher = language.NewMatcher([]language.Tag{language.German, language.English})

// langOf picks German or English: the auth request's ui_locales first,
// then the browser's Accept-Language; German when neither says.
func langOf(r *http.Request, uiLocales []string) string {
	var tags []language.Tag
	for _, l := range uiLocales {
		if t, err := language.Parse(l); err == nil {
			tags = append(tags, t)
		}
	}
	if al, _, err := language.ParseAcceptLanguage(r.Header.Get("Accept-Language")); err == nil {
		tags = append(tags, al...)
	}
	if len(tags) == 0 {
		return "de"
	}
	_, i, conf := langMatcher.Match(tags...)
	if conf == language.No || i == 0 {
		return "de"
	}
	return "en"
}

// page is what every template gets.
type page struct {
	Lang     string
	T        texts
	Error    string
	Action   string
	CSRF     string
	ID       string
	Email    string
	UserCode string
	Ticket   string
	Question string
	Message  string
}

// render writes a page with the headers every page of the provider has:
// never cached, never framed, no script.
func render(w http.ResponseWriter, status int, name string, p page) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'")
	h.Set("Referrer-Policy", "no-referrer")
	w.WriteHeader(status)
	_ = pages.ExecuteTemplate(w, name, p)
}
