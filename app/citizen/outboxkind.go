package citizen

import (
	"fmt"
	"regexp"
	"sync"
)

// OutboxKind is what an outgoing item is (a submission, a draft copy, ...).
// Each kind has one payload type, and is stored by its name. The zero
// value is no kind.
//
// Kinds are registered, one per file, with RegisterOutboxKind; a kind of
// a test registers the same way, so a new kind never edits a list here.
type OutboxKind int

// OutboxPayload is what an item of one kind carries to the backend. It is
// stored as JSON (sealed), so it must survive a JSON round trip.
type OutboxPayload interface {
	OutboxKind() OutboxKind
}

// outboxKinds holds the registered kinds; kind k is at index k-1.
var outboxKinds struct {
	sync.RWMutex
	names []string
	new   []func() OutboxPayload
}

var kindName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,31}$`)

// RegisterOutboxKind adds a kind of outgoing item, stored under name (it
// must never change: queued items of a kind are found by it), whose
// payloads newPayload makes empty for decoding. It is meant for
// package-level variables and panics on a bad or duplicate name.
func RegisterOutboxKind(name string, newPayload func() OutboxPayload) OutboxKind {
	if !kindName.MatchString(name) || newPayload == nil {
		panic(fmt.Sprintf("citizen: bad outbox kind %q", name))
	}
	outboxKinds.Lock()
	defer outboxKinds.Unlock()
	for _, n := range outboxKinds.names {
		if n == name {
			panic(fmt.Sprintf("citizen: outbox kind %q registered twice", name))
		}
	}
	outboxKinds.names = append(outboxKinds.names, name)
	outboxKinds.new = append(outboxKinds.new, newPayload)
	return OutboxKind(len(outboxKinds.names))
}

func (k OutboxKind) String() string {
	outboxKinds.RLock()
	defer outboxKinds.RUnlock()
	if k < 1 || int(k) > len(outboxKinds.names) {
		return "unknown"
	}
	return outboxKinds.names[k-1]
}

// ParseOutboxKind is the inverse of String; ok is false for a name no kind
// has (an item queued by a newer version of the app).
func ParseOutboxKind(s string) (k OutboxKind, ok bool) {
	outboxKinds.RLock()
	defer outboxKinds.RUnlock()
	for i, n := range outboxKinds.names {
		if n == s {
			return OutboxKind(i + 1), true
		}
	}
	return 0, false
}

// NewPayload returns an empty payload of the kind, to decode into; nil for
// no kind.
func (k OutboxKind) NewPayload() OutboxPayload {
	outboxKinds.RLock()
	defer outboxKinds.RUnlock()
	if k < 1 || int(k) > len(outboxKinds.new) {
		return nil
	}
	return outboxKinds.new[k-1]()
}
