package engine

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"rathaus/api"
	"rathaus/api/jwe"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// The submission: a draft submitted to the town hall. Its attachments go
// first, by resumable upload (ahead of its turn, as a Preparer); then the
// submission, under its idempotency key, so that the backend makes one
// case of it however often it is sent.

// submissionStore is what a submission needs of the store.
type submissionStore interface {
	Acknowledge(ctx context.Context, itemID int64, c api.Case) error
	Reject(ctx context.Context, itemID int64, p *api.Problem, code, message string) error
	SetProgress(ctx context.Context, itemID, progress, total int64) error
	Attachments(ctx context.Context, draftID string) ([]*citizen.Attachment, error)
	AttachmentData(ctx context.Context, id string) ([]byte, error)
	SetAttachmentUpload(ctx context.Context, id, url string, offset int64, done bool) error
	// Catalog is the cached catalog: a service's encryption key.
	Catalog(ctx context.Context) (cat api.Catalog, etag, source string, err error)
	SetEncrypted(ctx context.Context, itemID int64, jwe string) error
}

// submissionPortal is what a submission needs of the backend.
type submissionPortal interface {
	Submit(ctx context.Context, key string, req api.SubmissionRequest) (api.Case, error)
	// Answer sends a submission that answers the town hall's request for
	// more information on a case: the case goes on, no new one is made.
	Answer(ctx context.Context, key, caseID string, req api.SubmissionRequest) (api.Case, error)
}

type submissionSender struct {
	store   submissionStore
	portal  submissionPortal
	uploads Uploader
	pace    *pacer
	signer  *signer
}

var (
	_ Sender   = (*submissionSender)(nil)
	_ Preparer = (*submissionSender)(nil)
)

// Send uploads the attachments the submission names (resuming where an
// earlier attempt stopped; none if they went ahead), puts their upload ids
// into the data, and sends the submission under its idempotency key.
func (s *submissionSender) Send(ctx context.Context, it *citizen.OutboxItem, step func()) (Changed, error) {
	p, ok := it.Payload.(*citizen.SubmissionPayload)
	if it.Locked || !ok {
		return 0, citizen.Errorf(citizen.ELOCKED, "This submission was saved with a key this device no longer has; please fill in the form again.")
	}
	req := p.Request
	var changed Changed
	if len(req.Data) > 0 {
		var err error
		if req.Data, changed, err = s.uploadAttachments(ctx, it, p.Request.Data, step); err != nil {
			return changed, err
		}
	}
	if p.Answers == "" {
		// Answers to the town hall are not signed yet: the backend keeps
		// the case unsigned from an answer on.
		var err error
		if req, err = s.seal(it, req); err != nil {
			return changed, err
		}
		if req, err = s.encrypt(ctx, it, req); err != nil {
			return changed, err
		}
	}
	start := time.Now()
	var cs api.Case
	var err error
	if p.Answers != "" {
		cs, err = s.portal.Answer(ctx, it.IdempotencyKey, p.Answers, req)
	} else {
		cs, err = s.portal.Submit(ctx, it.IdempotencyKey, req)
	}
	if isEncryptionRefusal(err) && req.Encrypted != "" {
		// Made to a key the service no longer has (the town changed it):
		// the next attempt encrypts anew to the key the catalog has then.
		// The refused request made no case, so its key is still free.
		if cerr := s.store.SetEncrypted(ctx, it.ID, ""); cerr != nil {
			return changed, cerr
		}
	}
	if err != nil {
		return changed, err
	}
	s.pace.observeRTT(time.Since(start))
	return changed | ChangedOutbox | ChangedDrafts | ChangedCases, s.store.Acknowledge(ctx, it.ID, cs)
}

// Prepare uploads the submission's attachments before its turn: the
// backend links an upload to a case only when the submission names it.
func (s *submissionSender) Prepare(ctx context.Context, it *citizen.OutboxItem, step func()) (Changed, error) {
	p, ok := it.Payload.(*citizen.SubmissionPayload)
	if !ok || len(p.Request.Data) == 0 {
		return 0, nil
	}
	_, changed, err := s.uploadAttachments(ctx, it, p.Request.Data, step)
	return changed, err
}

// Permanent: the backend's refusals (4xx); everything the portal client
// marks transient is tried again.
// A refusal for encryption (the service has a key that the cached catalog
// did not have yet, so the data went in clear and nothing was kept) is
// tried again: the pass's pull brings the catalog with the key.
func (s *submissionSender) Permanent(err error) bool {
	return !isEncryptionRefusal(err) && !citizen.IsTransient(err)
}

// isEncryptionRefusal: the backend refused the submission's encryption
// (api.ProblemEncryption).
func isEncryptionRefusal(err error) bool {
	re, ok := errors.AsType[*portal.ResponseError](err)
	return ok && re.Problem != nil && re.Problem.Type == api.ProblemEncryption
}

// Refuse fails the item and makes its draft editable again, with the
// backend's problem on its fields.
func (s *submissionSender) Refuse(ctx context.Context, it *citizen.OutboxItem, r Refusal) (Changed, error) {
	return ChangedOutbox | ChangedDrafts, s.store.Reject(ctx, it.ID, r.Problem, r.Code, r.Message)
}

// uploadAttachments returns the submission's data with every attachment it
// names uploaded and its upload id filled in. The data keeps its shape, so a
// retry sends the same bytes and the backend sees the same request.
func (s *submissionSender) uploadAttachments(ctx context.Context, it *citizen.OutboxItem, raw json.RawMessage, step func()) (json.RawMessage, Changed, error) {
	atts, err := s.store.Attachments(ctx, it.DraftID)
	if err != nil || len(atts) == 0 {
		return raw, 0, err
	}
	byID := map[string]*citizen.Attachment{}
	for _, a := range atts {
		byID[a.ID] = a
	}
	var data any
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, 0, err
	}
	var named []*citizen.Attachment
	walkAttachments(data, func(m map[string]any) {
		if id, _ := m["id"].(string); byID[id] != nil {
			named = append(named, byID[id])
		}
	})
	if len(named) == 0 {
		return raw, 0, nil
	}
	var done, total int64
	for _, a := range named {
		total += a.Size
		if a.Uploaded {
			done += a.Size
		}
	}
	var changed Changed
	for _, a := range named {
		if a.Uploaded {
			continue
		}
		changed = ChangedOutbox // its progress
		if err := s.uploadOne(ctx, it, a, done, total, step); err != nil {
			return nil, changed, err
		}
		done += a.Size
	}
	walkAttachments(data, func(m map[string]any) {
		if id, _ := m["id"].(string); byID[id] != nil {
			m["upload"] = upload.ID(byID[id].UploadURL)
		}
	})
	b, err := json.Marshal(data)
	return b, changed, err
}

func (s *submissionSender) uploadOne(ctx context.Context, it *citizen.OutboxItem, a *citizen.Attachment, before, total int64, step func()) (err error) {
	// Its turn on the uplink first; only then its bytes into memory.
	done, err := s.pace.start(ctx, a.Size-a.UploadOffset)
	if err != nil {
		return err
	}
	defer func() { done(err == nil) }()
	b, err := s.store.AttachmentData(ctx, a.ID)
	if err != nil {
		return err
	}
	f := upload.File{Name: a.Name, Type: a.Type, SHA256: a.SHA256, Data: b, URL: a.UploadURL}
	u, err := s.uploads.Upload(ctx, f, func(p upload.Progress) error {
		step()
		a.UploadURL = p.URL
		if err := s.store.SetAttachmentUpload(ctx, a.ID, p.URL, p.Offset, p.Offset == p.Size); err != nil {
			return err
		}
		return s.store.SetProgress(ctx, it.ID, before+p.Offset, total)
	})
	if err != nil {
		return err
	}
	a.UploadURL, a.Uploaded = u, true
	return s.store.SetAttachmentUpload(ctx, a.ID, u, a.Size, true)
}

// walkAttachments calls f for every JSON object in v that looks like an
// attachment value (it has an id and a sha256).
func walkAttachments(v any, f func(map[string]any)) {
	switch x := v.(type) {
	case map[string]any:
		if _, ok := x["sha256"].(string); ok {
			if _, ok := x["id"].(string); ok {
				f(x)
				return
			}
		}
		for _, c := range x {
			walkAttachments(c, f)
		}
	case []any:
		for _, c := range x {
			walkAttachments(c, f)
		}
	}
}

// seal signs the request as it goes out (its data with the upload ids
// filled in) with the device's key, when the backend knows the key.
// Ed25519 signatures are deterministic: a retry sends the same bytes.
func (s *submissionSender) seal(it *citizen.OutboxItem, req api.SubmissionRequest) (api.SubmissionRequest, error) {
	key := s.signer.get()
	if key == nil {
		return req, nil
	}
	hashes, err := api.AttachmentHashes(req.Data)
	if err != nil {
		return req, err
	}
	input, err := api.SigningInput(req.Service, req.Form, it.IdempotencyKey, req.Data, hashes)
	if err != nil {
		return req, err
	}
	req.Signature = api.Sign(key, input)
	return req, nil
}

// encrypt sends the data of a service that publishes an encryption key only
// as a JWE to that key (api/jwe), made once and kept with the item
// (SetEncrypted) so that a retry repeats it byte for byte. The signature,
// made before, covers the plaintext. A service whose key the cached
// catalog does not have (yet) gets its data in clear; the backend refuses
// that for a service with a key (encryption-invalid) and the citizen sees
// it, nothing goes in clear to a service that asks for encryption.
func (s *submissionSender) encrypt(ctx context.Context, it *citizen.OutboxItem, req api.SubmissionRequest) (api.SubmissionRequest, error) {
	if req.Encrypted == "" {
		cat, _, _, err := s.store.Catalog(ctx)
		if citizen.ErrorCode(err) == citizen.ENOTFOUND {
			return req, nil // no catalog yet: no key known (see Permanent)
		}
		if err != nil {
			return req, err
		}
		var raw json.RawMessage
		for _, svc := range cat.Services {
			if svc.ID == req.Service {
				raw = svc.EncryptionKey
			}
		}
		if len(raw) == 0 {
			return req, nil
		}
		key, err := jwe.ParsePublicKey(raw)
		if err != nil {
			return req, citizen.Errorf(citizen.EINVALID, "The town's encryption key for this service cannot be used; the application was not sent. Please tell the town hall.")
		}
		if req.Encrypted, err = jwe.Encrypt(key, req.Data); err != nil {
			return req, err
		}
		if err := s.store.SetEncrypted(ctx, it.ID, req.Encrypted); err != nil {
			return req, err
		}
	}
	req.Data = nil
	return req, nil
}
