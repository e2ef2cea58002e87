package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"rathaus/api"
)

// maxBodyBytes is the largest JSON body any endpoint takes (submissions and
// draft copies); uploads travel by tus.
const maxBodyBytes = 1 << 20

// readBody reads a request body of at most limit bytes; beyond it the
// answer is 413, whether the client declared the length or not.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, tooLarge string) ([]byte, *api.Problem) {
	big := problem(http.StatusRequestEntityTooLarge, api.ProblemTooLarge, "Content Too Large", tooLarge)
	if r.ContentLength > limit {
		return nil, big
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			return nil, big
		}
		return nil, badRequest("The body could not be read.")
	}
	return body, nil
}

// jsonBody is a body parsed by parseJSON.
type jsonBody struct {
	value any
	// errs are the values the input rule refuses; the body is JSON.
	errs []inputError
}

// parseBody parses a body read by readBody; a body that is not JSON is a
// 400 problem saying it is not what (for example "a submission").
func parseBody(body []byte, what string) (jsonBody, *api.Problem) {
	v, errs, err := parseJSON(body)
	if err != nil {
		return jsonBody{}, badRequest("The body is not " + what + ": " + err.Error() + ".")
	}
	return jsonBody{value: v, errs: errs}, nil
}

// decode fills v (a struct of the api package) from the body. It decodes
// the canonical encoding of the parsed value, so that raw JSON fields
// (json.RawMessage) hold canonical JSON: keys sorted, numbers canonical.
func (b jsonBody) decode(v any) error {
	return json.Unmarshal(canonicalJSON(b.value), v)
}

// refused turns the value errors into a problem: a 422 naming each value
// by its pointer, made relative to dataPrefix, when all of them are in the
// data the backend keeps for people (inData); else a 400 naming the first.
// No errors, no problem.
func (b jsonBody) refused(what, dataPrefix string, inData func(pointer string) bool) *api.Problem {
	if len(b.errs) == 0 {
		return nil
	}
	for _, e := range b.errs {
		if !inData(e.pointer) {
			where := e.pointer
			if where == "" {
				where = "the body"
			}
			return badRequest(fmt.Sprintf("The body is not %s: %s: %s.", what, where, e.detail))
		}
	}
	out := make([]api.FieldError, 0, len(b.errs))
	for _, e := range b.errs {
		msg := inputMessages[e.code]
		out = append(out, api.FieldError{Pointer: strings.TrimPrefix(e.pointer, dataPrefix), Code: e.code,
			Detail: upperFirst(e.detail) + ".", Message: msg})
	}
	return validationProblem(out)
}

// under reports whether a pointer is the one given or below it.
func under(prefix string) func(string) bool {
	return func(p string) bool { return p == prefix || strings.HasPrefix(p, prefix+"/") }
}

// inputMessages are the citizens' messages for the input rule's codes.
var inputMessages = map[string]api.Text{
	codeNumberTooLong: {
		"de": fmt.Sprintf("Diese Zahl ist zu lang oder zu groß: höchstens %d Zeichen, ausgeschrieben ohne Exponent.", maxNumberLen),
		"en": fmt.Sprintf("This number is too long or too large: at most %d characters, written out without exponent.", maxNumberLen),
	},
	codeInvalidText: {
		"de": "Dieser Text enthält Zeichen, die nicht erlaubt sind (Steuerzeichen oder ungültige Zeichen).",
		"en": "This text contains characters that are not allowed (control characters or invalid characters).",
	},
	codeDuplicateKey: {
		"de": "Dieser Wert wurde mehrfach gesendet.",
		"en": "This value was sent more than once.",
	},
}

// canonicalJSON encodes a parsed value compactly with sorted keys; it does
// not escape <, > and & (a browser never reads it as HTML).
func canonicalJSON(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// parseJSON's values (maps, slices, strings, canonical numbers,
		// bools, nil) always encode.
		panic(fmt.Sprintf("server: encode a parsed body: %v", err))
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// isDraftValue reports whether a pointer into a draft copy is in the value
// of one of its fields ("/fields/name/value/..."), which is form data.
func isDraftValue(pointer string) bool {
	rest, ok := strings.CutPrefix(pointer, "/fields/")
	if !ok {
		return false
	}
	_, rest, ok = strings.Cut(rest, "/")
	return ok && under("value")(rest)
}
