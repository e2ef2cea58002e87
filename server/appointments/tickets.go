package appointments

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// A ticket has two faces. The short code is for people: 8 characters of an
// alphabet without look-alikes (no 0/O, 1/I/L, U/V), 6 random and
// 2 check characters made with the server's secret, shown as "K7MQ-P2XD".
// A code typed at the desk whose check characters do not match was not
// made here. The QR code carries the signed payload: the booking's id,
// code and start with an HMAC-SHA256 of them, so a scanner needs no typing
// and a forged payload fails on its signature.
const (
	codeAlphabet = "23456789ABCDEFGHJKMNPQRSTWXYZ"
	codeRandom   = 6
	codeCheck    = 2
	// CodeLen is a code's length without its dash.
	CodeLen = codeRandom + codeCheck

	ticketPrefix = "RATHAUS-TICKET:1:"
	secretBytes  = 32
)

// Tickets makes and checks codes and payloads with the server's secret.
type Tickets struct{ secret []byte }

// NewTickets uses secret (at least 32 bytes).
func NewTickets(secret []byte) (*Tickets, error) {
	if len(secret) < secretBytes {
		return nil, fmt.Errorf("appointments: the ticket secret has %d bytes, want at least %d", len(secret), secretBytes)
	}
	return &Tickets{secret: secret}, nil
}

// SecretFile is the name of the ticket secret in the data folder.
const SecretFile = "ticket-secret"

// LoadSecret reads the ticket secret from dir, making a new one (mode 0600)
// when there is none: tickets stay valid across restarts, and processes
// sharing the data folder share it.
func LoadSecret(dir string) ([]byte, error) {
	path := filepath.Join(dir, SecretFile)
	b, err := os.ReadFile(path)
	if err == nil {
		return decodeSecret(path, b)
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("read the ticket secret: %w", err)
	}
	raw := make([]byte, secretBytes)
	_, _ = rand.Read(raw)
	enc := []byte(base64.RawURLEncoding.EncodeToString(raw) + "\n")
	// O_EXCL: of two processes starting at once, one writes, the other
	// reads what it wrote.
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if errors.Is(err, os.ErrExist) {
		time.Sleep(100 * time.Millisecond)
		if b, err = os.ReadFile(path); err != nil {
			return nil, fmt.Errorf("read the ticket secret: %w", err)
		}
		return decodeSecret(path, b)
	}
	if err != nil {
		return nil, fmt.Errorf("create the ticket secret: %w", err)
	}
	if _, err := f.Write(enc); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write the ticket secret: %w", err)
	}
	if err := f.Sync(); err != nil {
		_ = f.Close()
		return nil, fmt.Errorf("write the ticket secret: %w", err)
	}
	return raw, f.Close()
}

func decodeSecret(path string, b []byte) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimSpace(string(b)))
	if err != nil || len(raw) < secretBytes {
		return nil, fmt.Errorf("the ticket secret %s is damaged (want %d bytes, base64url)", path, secretBytes)
	}
	return raw, nil
}

// NewCode makes a random code with its check characters, without dash.
func (t *Tickets) NewCode() string {
	b := make([]byte, codeRandom)
	for i := range b {
		b[i] = codeAlphabet[randIndex(len(codeAlphabet))]
	}
	return string(b) + t.check(string(b))
}

// randIndex is uniform in [0, n) (rejection sampling: no modulo bias).
func randIndex(n int) int {
	var one [1]byte
	limit := 256 - 256%n
	for {
		_, _ = rand.Read(one[:])
		if int(one[0]) < limit {
			return int(one[0]) % n
		}
	}
}

func (t *Tickets) check(random string) string {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte("code|" + random))
	sum := m.Sum(nil)
	out := make([]byte, codeCheck)
	for i := range out {
		out[i] = codeAlphabet[int(sum[i])%len(codeAlphabet)]
	}
	return string(out)
}

// NormalizeCode makes what someone typed a code: upper case, without
// spaces and dashes.
func NormalizeCode(s string) string {
	return strings.NewReplacer(" ", "", "-", "", "\t", "").Replace(strings.ToUpper(s))
}

// FormatCode shows a code as people read it: "K7MQ-P2XD".
func FormatCode(code string) string {
	if len(code) != CodeLen {
		return code
	}
	return code[:4] + "-" + code[4:]
}

// ValidCode reports whether code (normalised) is one this secret made.
func (t *Tickets) ValidCode(code string) bool {
	if len(code) != CodeLen || strings.Trim(code, codeAlphabet) != "" {
		return false
	}
	return hmac.Equal([]byte(t.check(code[:codeRandom])), []byte(code[codeRandom:]))
}

// Payload is the QR code's content for a booking.
func (t *Tickets) Payload(id, code string, start time.Time) string {
	body := id + ":" + code + ":" + strconv.FormatInt(start.Unix(), 10)
	return ticketPrefix + body + ":" + t.sign(body)
}

func (t *Tickets) sign(body string) string {
	m := hmac.New(sha256.New, t.secret)
	m.Write([]byte("ticket|" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil)[:18])
}

// ErrForged: the code or payload was not made with this secret.
var ErrForged = errors.New("the ticket was not issued by this town hall (its check characters or signature do not match)")

// Ticket is what a code or a QR payload names.
type Ticket struct {
	Code string
	// ID and Start are set only for a payload; the store's booking must
	// match them.
	ID    string
	Start time.Time
}

// Parse reads what staff scanned or typed: a QR payload or a short code.
// ErrForged when its signature or check characters do not match.
func (t *Tickets) Parse(s string) (Ticket, error) {
	s = strings.TrimSpace(s)
	if rest, ok := strings.CutPrefix(s, ticketPrefix); ok {
		parts := strings.Split(rest, ":")
		if len(parts) != 4 {
			return Ticket{}, ErrForged
		}
		body := strings.Join(parts[:3], ":")
		if !hmac.Equal([]byte(t.sign(body)), []byte(parts[3])) {
			return Ticket{}, ErrForged
		}
		unix, err := strconv.ParseInt(parts[2], 10, 64)
		if err != nil {
			return Ticket{}, ErrForged
		}
		return Ticket{ID: parts[0], Code: parts[1], Start: time.Unix(unix, 0).UTC()}, nil
	}
	code := NormalizeCode(s)
	if !t.ValidCode(code) {
		return Ticket{}, ErrForged
	}
	return Ticket{Code: code}, nil
}
