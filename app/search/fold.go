package search

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// umlauts are how German is typed without them: "Fuehrerschein".
var umlauts = strings.NewReplacer("ae", "a", "oe", "o", "ue", "u")

// Fold is the normaliser both the index and every query go through: lower
// case, accents stripped, ß spelt ss, and ae, oe, ue spelt a, o, u, so that
// "Führerschein", "Fuehrerschein" and "fuhrerschein" are one word, and
// "Straße" is "strasse". Folding "ue" in "queue" as well costs nothing:
// both sides fold alike.
func Fold(s string) string {
	s = strings.ToLower(norm.NFD.String(s))
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range s {
		switch {
		case r >= 0x300 && r <= 0x36f: // combining accents
		case r == 'ß':
			b.WriteString("ss")
		default:
			b.WriteRune(r)
		}
	}
	return umlauts.Replace(b.String())
}

// Tokens folds s and splits it into words of letters and digits.
func Tokens(s string) []string {
	return strings.FieldsFunc(Fold(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsDigit(r)
	})
}

// stopwords carry no meaning of their own in a question ("Was mache ich,
// wenn ..."); the assistant leaves them out, folded as the index is.
var stopwords = set(`
aber alle als also am an auch auf aus bei beim bin bis bitte da dann das dass de dem den der des
die dies doch du durch ein eine einem einen einer eines er es etwas fur gibt hab habe haben hat
hatte brauche brauchen bekomme bekommen ich ihr im in ist ja jetzt kann konnen lassen machen mache macht man mein meine meinem meinen meiner mich mir mit
muss mussen nach nicht noch nun ob oder sein seine sich sie sind so soll sollte tun uber um und
uns unser vom von vor war was welche welcher wenn wer werden wie will wir wird wo wohin
wollen zu zum zur

a about am an and any are as at be can could do does for from get have how i if in is it me my
of on or our please the there this to want what when where which who will with would you your
`)

// synonyms map colloquial or everyday words to the words the
// town's texts use. Only words the texts lack belong here: what the texts
// say is found anyway.
var synonyms = map[string][]string{
	"perso":                  {"personalausweis"},
	"persos":                 {"personalausweis"},
	"ausweis":                {"personalausweis"},
	"id":                     {"personalausweis", "ausweis"},
	"geklaut":                {"gestohlen", "diebstahl"},
	"weg":                    {"verloren"},
	"lappen":                 {"fuhrerschein"},
	"fleppe":                 {"fuhrerschein"},
	"loswerden":              {"entsorgen"},
	"wegwerfen":              {"entsorgen"},
	"wegschmeissen":          {"entsorgen"},
	"umziehen":               {"umzug", "ummelden"},
	"umzugswagen":            {"umzug", "halteverbot"},
	"vermieterbescheinigung": {"wohnungsgeberbestatigung"},
	"passbild":               {"passfoto"},
	"passbilder":             {"passfoto"},
	"offen":                  {"geoffnet", "offnungszeiten"},
	"aufhaben":               {"geoffnet", "offnungszeiten"},
	"wandere":                {"auswandern", "ausland"},
	"auswandern":             {"ausland", "abmeldung"},
	"kindergartenplatz":      {"kita", "kindergarten"},
	"oma":                    {"angehoriger"},
	"opa":                    {"angehoriger"},
	"verstorben":             {"sterbefall"},
	"schrott":                {"elektroschrott", "sperrmull"},
	"bauamt":                 {"bauen", "bauvoranfrage"},
	"knollchen":              {"parken"},
	"anwohner":               {"bewohner", "anwohnerparken"},
	"licence":                {"license"},
	"license":                {"licence"},
	"pickup":                 {"collection"},
	"trash":                  {"rubbish", "waste"},
	"garbage":                {"rubbish", "waste"},
}

// set folds the words of a list into a set.
func set(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[Fold(w)] = true
	}
	return m
}

// The synonyms are written as people spell them and folded once, so that
// "steuer" is the index's "steur".
func init() {
	folded := make(map[string][]string, len(synonyms))
	for k, vs := range synonyms {
		for _, v := range vs {
			folded[Fold(k)] = append(folded[Fold(k)], Fold(v))
		}
	}
	synonyms = folded
}
