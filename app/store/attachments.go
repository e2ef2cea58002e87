package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"

	"rathaus/api"
	"rathaus/app/citizen"
)

type attachmentMeta struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// AddAttachment stores a file for a draft, sealed, and returns the value the
// form data holds for it.
func (s *Store) AddAttachment(ctx context.Context, draftID, name, mediaType string, data []byte) (api.Attachment, error) {
	if len(data) == 0 {
		return api.Attachment{}, citizen.Errorf(citizen.EINVALID, "The file is empty.")
	}
	if len(data) > api.MaxUploadSize {
		return api.Attachment{}, citizen.Errorf(citizen.EINVALID, "The file is larger than the 10 MB allowed.")
	}
	sum := sha256.Sum256(data)
	a := api.Attachment{ID: citizen.NewID(), Name: name, Type: mediaType, Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:])}
	meta, err := json.Marshal(attachmentMeta{Name: name, Type: mediaType})
	if err != nil {
		return api.Attachment{}, err
	}
	sealedMeta, err := s.sealer.Seal(meta, attachmentMetaAD(a.ID))
	if err != nil {
		return api.Attachment{}, err
	}
	sealedData, err := s.sealer.Seal(data, attachmentAD(a.ID))
	if err != nil {
		return api.Attachment{}, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO attachments (id, draft_id, meta_sealed, data_sealed, size, sha256, created)
		SELECT ?, id, ?, ?, ?, ?, ? FROM drafts WHERE id = ? AND state IN ('editing', 'rejected')`,
		a.ID, sealedMeta, sealedData, a.Size, a.SHA256, ms(s.now()), draftID)
	if err != nil {
		return api.Attachment{}, storageError("saving a file", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return api.Attachment{}, citizen.Errorf(citizen.ECONFLICT, "This draft was already sent and cannot be changed.")
	}
	return a, nil
}

const attachmentColumns = `id, draft_id, meta_sealed, size, sha256, upload_url, upload_offset, uploaded`

// Attachment returns a file's description and upload state.
func (s *Store) Attachment(ctx context.Context, id string) (*citizen.Attachment, error) {
	list, err := s.queryAttachments(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, citizen.Errorf(citizen.ENOTFOUND, "This file is no longer on the device.")
	}
	return list[0], nil
}

// Attachments returns a draft's files, oldest first.
func (s *Store) Attachments(ctx context.Context, draftID string) ([]*citizen.Attachment, error) {
	return s.queryAttachments(ctx, `SELECT `+attachmentColumns+` FROM attachments WHERE draft_id = ? ORDER BY created, id`, draftID)
}

func (s *Store) queryAttachments(ctx context.Context, q string, args ...any) ([]*citizen.Attachment, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, storageError("reading files", err)
	}
	defer rows.Close()
	var out []*citizen.Attachment
	for rows.Next() {
		var a citizen.Attachment
		var meta []byte
		var uploaded int
		if err := rows.Scan(&a.ID, &a.DraftID, &meta, &a.Size, &a.SHA256, &a.UploadURL, &a.UploadOffset, &uploaded); err != nil {
			return nil, storageError("reading files", err)
		}
		a.Uploaded = uploaded == 1
		if plain, err := s.sealer.Open(meta, attachmentMetaAD(a.ID)); err == nil {
			var m attachmentMeta
			if json.Unmarshal(plain, &m) == nil {
				a.Name, a.Type = m.Name, m.Type
			}
		}
		out = append(out, &a)
	}
	return out, storageError("reading files", rows.Err())
}

// AttachmentData returns a file's bytes.
func (s *Store) AttachmentData(ctx context.Context, id string) ([]byte, error) {
	var sealed []byte
	err := s.db.QueryRowContext(ctx, `SELECT data_sealed FROM attachments WHERE id = ?`, id).Scan(&sealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, citizen.Errorf(citizen.ENOTFOUND, "This file is no longer on the device.")
	}
	if err != nil {
		return nil, storageError("reading a file", err)
	}
	plain, err := s.sealer.Open(sealed, attachmentAD(id))
	if err != nil {
		return nil, &citizen.Error{Code: citizen.ELOCKED, Message: "This file was saved with a key this device no longer has.", Err: err}
	}
	return plain, nil
}

// DeleteAttachment removes a file the citizen took out of a draft that can
// still change.
func (s *Store) DeleteAttachment(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM attachments WHERE id = ?
		AND draft_id IN (SELECT id FROM drafts WHERE state IN ('editing', 'rejected'))`, id)
	if err != nil {
		return storageError("deleting a file", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		if _, err := s.Attachment(ctx, id); err != nil {
			return err
		}
		return citizen.Errorf(citizen.ECONFLICT, "This draft was already sent and cannot be changed.")
	}
	return nil
}

// SetAttachmentUpload records where a file's upload stands: its URL, the
// bytes the backend confirmed, and whether it has all of them.
func (s *Store) SetAttachmentUpload(ctx context.Context, id, url string, offset int64, done bool) error {
	d := 0
	if done {
		d = 1
	}
	_, err := s.db.ExecContext(ctx, `UPDATE attachments SET upload_url = ?, upload_offset = ?, uploaded = ? WHERE id = ?`, url, offset, d, id)
	return storageError("recording an upload", err)
}
