package store

import (
	"encoding/json"

	"rathaus/app/citizen"
)

// Personal data is sealed with the device's data key. The additional data
// binds each sealed value to its place (a draft's id, an item's key), so
// that a value cannot be moved to another row.

func draftAD(id string) []byte          { return []byte("draft:" + id) }
func outboxAD(key string) []byte        { return []byte("outbox:" + key) }
func conflictAD(id int64) []byte        { return []byte("conflict:" + itoa(id)) }
func attachmentAD(id string) []byte     { return []byte("attachment:" + id) }
func attachmentMetaAD(id string) []byte { return []byte("attachment-meta:" + id) }

func (s *Store) sealValues(id string, values map[string]any) ([]byte, error) {
	if values == nil {
		values = map[string]any{}
	}
	plain, err := json.Marshal(values)
	if err != nil {
		return nil, &citizen.Error{Code: citizen.EINVALID, Message: "The draft cannot be stored.", Err: err}
	}
	return s.sealer.Seal(plain, draftAD(id))
}

// openValues returns a draft's values; ok is false when they cannot be
// read (sealed with a key this device no longer has).
func (s *Store) openValues(id string, sealed []byte) (values map[string]any, ok bool) {
	plain, err := s.sealer.Open(sealed, draftAD(id))
	if err != nil || json.Unmarshal(plain, &values) != nil {
		return nil, false
	}
	if values == nil {
		values = map[string]any{}
	}
	return values, true
}

// Outgoing payloads: the one place where an item's payload, whatever its
// kind, becomes bytes in the outbox and back. Each kind's payload type
// says its JSON; here it is sealed under the item's idempotency key.

func (s *Store) sealPayload(key string, p citizen.OutboxPayload) ([]byte, error) {
	plain, err := json.Marshal(p)
	if err != nil {
		return nil, &citizen.Error{Code: citizen.EINVALID, Message: "The item cannot be stored.", Err: err}
	}
	return s.sealer.Seal(plain, outboxAD(key))
}

// openPayload returns an item's payload; ok is false when it cannot be
// read (the item is locked). An empty payload (draft copies of before
// migration 5) reads as the kind's empty payload.
func (s *Store) openPayload(kind citizen.OutboxKind, key string, sealed []byte) (p citizen.OutboxPayload, ok bool) {
	if p = kind.NewPayload(); p == nil {
		return nil, false
	}
	if len(sealed) == 0 {
		return p, true
	}
	plain, err := s.sealer.Open(sealed, outboxAD(key))
	if err != nil || json.Unmarshal(plain, p) != nil {
		return nil, false
	}
	return p, true
}
