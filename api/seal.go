package api

import (
	"crypto/ed25519"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/go-json-experiment/json/jsontext"
)

// Sealed submissions: every device has an Ed25519 key; it signs a
// canonical form of what it submits (SigningInput), and the backend
// verifies that against the key the device registered. A service may also
// publish an encryption key (Service.EncryptionKey): then the data travels
// and is stored as a compact JWE that only the authority's key opens; the
// signature covers the plaintext canonical form all the same, so that the
// authority checks it after decrypting.

// PathDeviceKey registers the signing key of a device registered before
// devices had one (POST, with the device's credential).
const PathDeviceKey = "/v1/devices/key"

// SignatureAlg is the only signature algorithm: Ed25519 (RFC 8032).
const SignatureAlg = "Ed25519"

// DeviceKeyRequest is the body of POST /v1/devices/key.
type DeviceKeyRequest struct {
	// SigningKey is the device's Ed25519 public key, 32 bytes in
	// base64url without padding.
	SigningKey string `json:"signing_key"`
}

// DeviceSignature is a submission's signature over SigningInput.
type DeviceSignature struct {
	Alg   string `json:"alg"`   // SignatureAlg
	Value string `json:"value"` // base64url without padding, 64 bytes
}

// Problem types of sealed submissions.
const (
	// ProblemSignature (422): the signature does not verify against the
	// device's registered key, or is malformed, or is missing where the
	// device has a key.
	ProblemSignature = "https://rathaus.example/problems/signature-invalid"
	// ProblemEncryption (422): the JWE envelope does not name the
	// service's key (kid), alg RSA-OAEP-256 and enc A256GCM, or the
	// service takes no encrypted data, or requires it.
	ProblemEncryption = "https://rathaus.example/problems/encryption-invalid"
	// ProblemKeyConflict (409): the device registered another signing key
	// before; a key is registered once.
	ProblemKeyConflict = "https://rathaus.example/problems/signing-key-conflict"
)

// signingContext starts every signed message, so that a signature made
// for a submission can never pass for one over anything else.
const signingContext = "rathaus-submission-v1\n"

// SigningInput returns the bytes a device signs for a submission: a
// context line and the RFC 8785 (JCS) canonical JSON of the service, the
// form (id and version), the idempotency key, the data and the sorted
// SHA-256 (lower-case hex) of every attachment the data names. The data's
// drawn or typed signature field is a value of the data, so it is bound
// into the signature like every other field.
func SigningInput(service string, form FormRef, idempotencyKey string, data json.RawMessage, attachmentSHA256 []string) ([]byte, error) {
	hashes := make([]string, len(attachmentSHA256))
	for i, h := range attachmentSHA256 {
		hashes[i] = strings.ToLower(h)
	}
	slices.Sort(hashes)
	if len(data) == 0 {
		data = json.RawMessage("{}")
	}
	v := struct {
		Attachments    []string        `json:"attachments"`
		Data           json.RawMessage `json:"data"`
		Form           FormRef         `json:"form"`
		IdempotencyKey string          `json:"idempotency_key"`
		Service        string          `json:"service"`
	}{hashes, data, form, idempotencyKey, service}
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	canon := jsontext.Value(b)
	if err := canon.Canonicalize(); err != nil {
		return nil, err
	}
	return append([]byte(signingContext), canon...), nil
}

// AttachmentHashes returns the SHA-256 of every attachment value (an
// object with "id" and "sha256") in data, as SigningInput wants them.
func AttachmentHashes(data json.RawMessage) ([]string, error) {
	if len(data) == 0 {
		return nil, nil
	}
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		return nil, err
	}
	var out []string
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if h, ok := x["sha256"].(string); ok {
				if _, ok := x["id"].(string); ok {
					out = append(out, h)
					return
				}
			}
			for _, c := range x {
				walk(c)
			}
		case []any:
			for _, c := range x {
				walk(c)
			}
		}
	}
	walk(v)
	return out, nil
}

// Sign signs input with key.
func Sign(key ed25519.PrivateKey, input []byte) *DeviceSignature {
	return &DeviceSignature{Alg: SignatureAlg, Value: base64.RawURLEncoding.EncodeToString(ed25519.Sign(key, input))}
}

// ErrBadSignature: a signature that is malformed or does not verify.
var ErrBadSignature = errors.New("the signature does not verify")

// Verify checks sig over input with the public key pub.
func Verify(pub []byte, sig *DeviceSignature, input []byte) error {
	if sig == nil || sig.Alg != SignatureAlg || len(pub) != ed25519.PublicKeySize {
		return ErrBadSignature
	}
	raw, err := base64.RawURLEncoding.DecodeString(sig.Value)
	if err != nil || len(raw) != ed25519.SignatureSize || !ed25519.Verify(ed25519.PublicKey(pub), input, raw) {
		return ErrBadSignature
	}
	return nil
}

// ParseSigningKey decodes a public key as DeviceKeyRequest carries it.
func ParseSigningKey(s string) ([]byte, error) {
	raw, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(raw) != ed25519.PublicKeySize {
		return nil, errors.New("a signing key is 32 bytes of Ed25519 public key in base64url without padding")
	}
	return raw, nil
}

// EncodeSigningKey encodes a public key as DeviceKeyRequest carries it.
func EncodeSigningKey(pub []byte) string { return base64.RawURLEncoding.EncodeToString(pub) }

// KeyFingerprint is how people compare a public key: its SHA-256 in
// lower-case hex, in groups of four separated by spaces. The app's receipt
// and the staff console show the same string.
func KeyFingerprint(pub []byte) string {
	sum := sha256.Sum256(pub)
	h := hex.EncodeToString(sum[:])
	var b strings.Builder
	for i := 0; i < len(h); i += 4 {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(h[i : i+4])
	}
	return b.String()
}
