package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"rathaus/api"
)

// foundAttachment is an attachment value in submitted data.
type foundAttachment struct {
	pointer string
	field   *api.Field
	value   api.Attachment
	valid   bool // the value is an attachment object naming an upload
}

// findAttachments walks the data along the form's layout: a group's or
// address's value is an object of its fields, a repeat's an array of such
// objects, a file's or photo's an api.Attachment. Values of every field are
// visited, shown or hidden: whatever was sent must hold.
func findAttachments(steps []api.Step, data map[string]any) []foundAttachment {
	var out []foundAttachment
	for i := range steps {
		walkFields(steps[i].Fields, data, "", &out)
	}
	return out
}

func walkFields(fields []api.Field, obj map[string]any, prefix string, out *[]foundAttachment) {
	for i := range fields {
		f := &fields[i]
		v, ok := obj[f.Key]
		if f.Key == "" || !ok || v == nil {
			continue
		}
		ptr := prefix + f.Pointer()
		switch {
		case f.Widget.IsAttachment():
			a, valid := decodeAttachment(v)
			*out = append(*out, foundAttachment{pointer: ptr, field: f, value: a, valid: valid})
		case f.Widget == api.WidgetRepeat:
			items, _ := v.([]any)
			for j, item := range items {
				if m, ok := item.(map[string]any); ok {
					walkFields(f.Fields, m, ptr+"/"+strconv.Itoa(j), out)
				}
			}
		case f.Widget.HasChildren():
			if m, ok := v.(map[string]any); ok {
				walkFields(f.Fields, m, ptr, out)
			}
		}
	}
}

func decodeAttachment(v any) (api.Attachment, bool) {
	var a api.Attachment
	m, ok := v.(map[string]any)
	if !ok {
		return a, false
	}
	b, err := json.Marshal(m)
	if err != nil || json.Unmarshal(b, &a) != nil {
		return a, false
	}
	return a, uploadIDPattern.MatchString(a.Upload) && a.Size >= 0 && sha256Pattern.MatchString(a.SHA256)
}

// attachmentMessages are the messages of an attachment error, per reason.
var attachmentMessages = map[AttachmentReason]api.Text{
	AttachmentMissing: {"de": "Die Datei wurde nicht hochgeladen oder ihr Upload ist abgelaufen; bitte laden Sie sie erneut hoch.",
		"en": "The file was not uploaded, or its upload expired; upload it again."},
	AttachmentUnfinished: {"de": "Die Datei wurde noch nicht vollständig hochgeladen.",
		"en": "The file has not been uploaded completely."},
	AttachmentMismatch: {"de": "Die Datei passt nicht zu ihrem Upload (Größe, Prüfsumme oder Art weichen ab); bitte laden Sie sie erneut hoch.",
		"en": "The file does not match its upload (size, checksum or type differ); upload it again."},
	AttachmentInvalid: {"de": "Das ist kein gültiger Dateianhang.",
		"en": "This is not a valid attachment."},
	AttachmentType: {"de": "Dateien dieser Art werden hier nicht angenommen.",
		"en": "Files of this type are not accepted here."},
	AttachmentInUse: {"de": "Diese Datei ist schon einem Antrag beigefügt; bitte laden Sie sie hier erneut hoch.",
		"en": "This file is attached to an application already; upload it again here."},
}

func attachmentFieldError(pointer string, r AttachmentReason, field *api.Field) api.FieldError {
	msg := attachmentMessages[r]
	if r == AttachmentTooLarge {
		mb := fmt.Sprintf("%.1f MB", float64(maxAttachmentSize(field))/1e6)
		msg = api.Text{"de": "Die Datei ist zu groß; erlaubt sind höchstens " + strings.Replace(mb, ".", ",", 1) + ".",
			"en": "The file is too large; at most " + mb + " are allowed."}
	}
	return api.FieldError{Pointer: pointer, Code: api.CodeAttachment, Detail: msg.In("en"), Message: msg}
}

// checkAttachments checks every attachment value of the data: it must name
// a finished upload of the submitting device ("" for anonymous) of its
// size and SHA-256, within the field's size and types, and all of them
// together within api.MaxSubmissionAttachments. It returns the attachments
// for the case, or the field errors, or a problem of its own (too large
// altogether, or an internal error). Whether another case uses an upload
// is the store's check, after the replay of a known key (Store.CreateCase).
func (s *Server) checkAttachments(ctx context.Context, f *api.Form, data map[string]any, device string) ([]CaseAttachment, []api.FieldError, *api.Problem) {
	found := findAttachments(f.Steps, data)
	var total int64
	for _, a := range found {
		total += a.value.Size
	}
	if total > api.MaxSubmissionAttachments {
		return nil, nil, problem(http.StatusRequestEntityTooLarge, api.ProblemTooLarge, "Content Too Large",
			fmt.Sprintf("The attachments of a submission may have at most %d bytes together; these have %d.", api.MaxSubmissionAttachments, total))
	}
	var out []CaseAttachment
	var errs []api.FieldError
	for _, a := range found {
		r, err := s.checkAttachment(ctx, a, device)
		if err != nil {
			return nil, nil, s.failure(ctx, "submit: check attachment", err, "pointer", a.pointer, "upload", a.value.Upload)
		}
		if r != "" {
			errs = append(errs, attachmentFieldError(a.pointer, r, a.field))
			continue
		}
		out = append(out, CaseAttachment{Pointer: a.pointer, Upload: a.value.Upload, Size: a.value.Size, SHA256: a.value.SHA256})
	}
	return out, errs, nil
}

// maxAttachmentSize is the largest file a field takes: its MaxSize, within
// the backend's limit.
func maxAttachmentSize(f *api.Field) int64 {
	if f == nil || f.MaxSize <= 0 {
		return api.MaxUploadSize
	}
	return min(f.MaxSize, api.MaxUploadSize)
}

func (s *Server) checkAttachment(ctx context.Context, a foundAttachment, device string) (AttachmentReason, error) {
	switch {
	case !a.valid:
		return AttachmentInvalid, nil
	case a.value.Size > maxAttachmentSize(a.field):
		return AttachmentTooLarge, nil
	case !accepts(a.field.Accept, a.value.Type):
		return AttachmentType, nil
	}
	u, err := s.confirmUpload(ctx, a.value.Upload, device)
	switch {
	case errors.Is(err, ErrNotFound), errors.Is(err, errUploadChecksum):
		return AttachmentMissing, nil
	case errors.Is(err, errUploadUnfinished):
		return AttachmentUnfinished, nil
	case errors.Is(err, errUploadType):
		// Its content is not of its type (the last PATCH's answer was
		// lost, so this is the first check); the upload was ended.
		return AttachmentType, nil
	case err != nil:
		return "", err
	case u.Size != a.value.Size || u.SHA256 != a.value.SHA256:
		return AttachmentMismatch, nil
	case declared(u.Filetype) != declared(a.value.Type):
		// The type was checked against the upload's content: the value
		// may not claim another.
		return AttachmentMismatch, nil
	}
	return "", nil
}

// accepts reports whether a media type matches one of the field's Accept
// entries ("application/pdf", "image/*"); no entries accept anything.
func accepts(accept []string, typ string) bool {
	if len(accept) == 0 {
		return true
	}
	mt, _, err := mime.ParseMediaType(typ)
	if err != nil {
		return false
	}
	for _, a := range accept {
		a = strings.ToLower(strings.TrimSpace(a))
		if a == mt || a == "*/*" || (strings.HasSuffix(a, "/*") && strings.HasPrefix(mt, strings.TrimSuffix(a, "*"))) {
			return true
		}
	}
	return false
}
