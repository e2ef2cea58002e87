package kiosk

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/crypto/argon2"

	"rathaus/app/citizen"
)

// Settings keys of the staff PIN in the kiosk's database.
const (
	settingPIN      = "kiosk_pin"          // the argon2id hash, never the PIN
	settingFailures = "kiosk_pin_failures" // wrong PINs since the last right one
	settingLocks    = "kiosk_pin_locks"    // lockouts so far: each lasts longer
	settingUntil    = "kiosk_pin_until"    // locked until (unix ms)
)

// Error codes of the PIN, beside citizen's.
const (
	EWRONGPIN = "wrong_pin" // the PIN was wrong; more tries are left
	ELOCKOUT  = "lockout"   // too many wrong PINs: wait
)

// MaxFailures wrong PINs in a row lock the PIN; each lockout lasts twice
// as long as the one before (FirstLockout, at most MaxLockout), so that a
// citizen trying PINs at an unattended kiosk gets a handful an hour.
const (
	MaxFailures  = 5
	FirstLockout = time.Minute
	MaxLockout   = 24 * time.Hour
	MinPINDigits = 6
	MaxPINDigits = 12
)

// Argon2id parameters (OWASP's second choice: 19 MiB, 2 passes, 1 lane):
// a tablet checks a PIN in a fraction of a second.
const (
	argonTime    = 2
	argonMemory  = 19 * 1024
	argonThreads = 1
	argonKeyLen  = 32
)

// SettingStore keeps the PIN's hash and its counters (the app's store).
type SettingStore interface {
	Setting(ctx context.Context, key string) (string, error)
	SetSetting(ctx context.Context, key, value string) error
}

// PIN is the staff PIN that leaves kiosk mode. One check at a time.
type PIN struct {
	store SettingStore
	now   func() time.Time
	mu    sync.Mutex
}

// NewPIN returns the PIN kept in st; now is the clock (nil: time.Now).
func NewPIN(st SettingStore, now func() time.Time) *PIN {
	if now == nil {
		now = time.Now
	}
	return &PIN{store: st, now: now}
}

// IsSet tells whether staff set a PIN (on the kiosk's first start).
func (p *PIN) IsSet(ctx context.Context) (bool, error) {
	h, err := p.store.Setting(ctx, settingPIN)
	return h != "", err
}

// ValidPIN checks a new PIN's form: MinPINDigits to MaxPINDigits digits.
func ValidPIN(pin string) error {
	if len(pin) < MinPINDigits || len(pin) > MaxPINDigits {
		return citizen.Errorf(citizen.EINVALID, "The PIN must have %d to %d digits.", MinPINDigits, MaxPINDigits)
	}
	for _, r := range pin {
		if r < '0' || r > '9' {
			return citizen.Errorf(citizen.EINVALID, "The PIN must have %d to %d digits.", MinPINDigits, MaxPINDigits)
		}
	}
	return nil
}

// Set stores a new PIN's hash and clears the counters. Setting it again
// needs the old PIN first (the UI asks for it through Check).
func (p *PIN) Set(ctx context.Context, pin string) error {
	if err := ValidPIN(pin); err != nil {
		return err
	}
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := p.store.SetSetting(ctx, settingPIN, encodeHash(salt, hashPIN(pin, salt, argonTime, argonMemory, argonThreads))); err != nil {
		return err
	}
	return p.reset(ctx)
}

// Check compares pin with the stored hash. A wrong PIN counts; the
// MaxFailures-th in a row locks the PIN for a growing time, during which
// every try is refused unchecked (ELOCKOUT, with the time to wait).
func (p *PIN) Check(ctx context.Context, pin string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if wait, err := p.lockedFor(ctx); err != nil {
		return err
	} else if wait > 0 {
		return lockoutError(wait)
	}
	stored, err := p.store.Setting(ctx, settingPIN)
	if err != nil {
		return err
	}
	if stored == "" {
		return citizen.Errorf(citizen.ENOTFOUND, "No staff PIN is set on this kiosk.")
	}
	ok, err := verify(pin, stored)
	if err != nil {
		return err
	}
	if ok {
		return p.reset(ctx)
	}
	failures := p.intSetting(ctx, settingFailures) + 1
	if failures < MaxFailures {
		if err := p.store.SetSetting(ctx, settingFailures, strconv.Itoa(failures)); err != nil {
			return err
		}
		left := MaxFailures - failures
		return &PINError{Left: left, Err: citizen.Errorf(EWRONGPIN, "The PIN is wrong. %d tries left before the PIN is locked.", left)}
	}
	locks := p.intSetting(ctx, settingLocks) + 1
	wait := LockoutAfter(locks)
	for k, v := range map[string]string{settingFailures: "0", settingLocks: strconv.Itoa(locks),
		settingUntil: strconv.FormatInt(p.now().Add(wait).UnixMilli(), 10)} {
		if err := p.store.SetSetting(ctx, k, v); err != nil {
			return err
		}
	}
	return lockoutError(wait)
}

// LockedFor returns how long the PIN stays locked (0: not locked).
func (p *PIN) LockedFor(ctx context.Context) (time.Duration, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.lockedFor(ctx)
}

func (p *PIN) lockedFor(ctx context.Context) (time.Duration, error) {
	v, err := p.store.Setting(ctx, settingUntil)
	if err != nil || v == "" {
		return 0, err
	}
	until, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, nil // a damaged counter locks nothing; the hash still guards
	}
	if wait := time.UnixMilli(until).Sub(p.now()); wait > 0 {
		return wait, nil
	}
	return 0, nil
}

// LockoutAfter is the length of the n-th lockout (n >= 1).
func LockoutAfter(n int) time.Duration {
	d := FirstLockout
	for i := 1; i < n && d < MaxLockout; i++ {
		d *= 2
	}
	return min(d, MaxLockout)
}

func lockoutError(wait time.Duration) error {
	minutes := int((wait + time.Minute - 1) / time.Minute)
	return &PINError{Wait: wait, Err: &citizen.Error{Code: ELOCKOUT, Message: fmt.Sprintf("Too many wrong PINs. Try again in %d minutes.", minutes)}}
}

// PINError is a refused PIN, with the numbers a screen shows in its own
// language: the tries left, or the time to wait.
type PINError struct {
	Left int           // tries left before the lockout
	Wait time.Duration // the lockout's time left; 0 when not locked
	Err  *citizen.Error
}

func (e *PINError) Error() string { return e.Err.Error() }
func (e *PINError) Unwrap() error { return e.Err }

// reset clears the counters after a right PIN (the lockouts' growth too).
func (p *PIN) reset(ctx context.Context) error {
	for _, k := range []string{settingFailures, settingLocks, settingUntil} {
		if err := p.store.SetSetting(ctx, k, ""); err != nil {
			return err
		}
	}
	return nil
}

func (p *PIN) intSetting(ctx context.Context, key string) int {
	v, _ := p.store.Setting(ctx, key)
	n, _ := strconv.Atoi(v)
	return n
}

func hashPIN(pin string, salt []byte, t, m uint32, threads uint8) []byte {
	return argon2.IDKey([]byte(pin), salt, t, m, threads, argonKeyLen)
}

// encodeHash writes the PHC string form, so that the parameters travel
// with the hash and can grow later.
func encodeHash(salt, hash []byte) string {
	b := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b.EncodeToString(salt), b.EncodeToString(hash))
}

func verify(pin, encoded string) (bool, error) {
	parts := strings.Split(encoded, "$")
	var m, t uint32
	var threads uint8
	if len(parts) != 6 || parts[1] != "argon2id" {
		return false, citizen.Errorf(citizen.EINTERNAL, "The stored PIN cannot be read; set a new one.")
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &threads); err != nil {
		return false, citizen.Errorf(citizen.EINTERNAL, "The stored PIN cannot be read; set a new one.")
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil {
		return false, citizen.Errorf(citizen.EINTERNAL, "The stored PIN cannot be read; set a new one.")
	}
	got := argon2.IDKey([]byte(pin), salt, t, m, threads, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1, nil
}
