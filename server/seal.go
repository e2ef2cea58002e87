package server

import (
	"errors"
	"net/http"

	"rathaus/api"
	"rathaus/api/jwe"
	"rathaus/server/casework"
)

// Sealed submissions (issue 11). A device registers its Ed25519 public
// key once (with its registration, or here for a device registered
// before); a submission of a device with a key must carry the device's
// signature over api.SigningInput, which the backend verifies before it
// makes a case and keeps with it. Unsigned submissions are still taken
// from devices that registered no key (apps before issue 11) and from
// anonymous clients: the case is then marked unsigned (no fingerprint),
// and the console says so. A device with a key never gets an unsigned
// case: a stolen device token alone cannot submit in its name.

// handleDeviceKey is POST /v1/devices/key.
func (s *Server) handleDeviceKey(w http.ResponseWriter, r *http.Request) {
	dev, _ := deviceFrom(r.Context())
	raw, p := readBody(w, r, maxDeviceRequestBytes, "")
	if p != nil {
		writeProblem(w, badRequest("The body could not be read, or is larger than 4 KiB."))
		return
	}
	body, p := parseBody(raw, "a device key")
	if p != nil {
		writeProblem(w, p)
		return
	}
	var req api.DeviceKeyRequest
	if err := body.decode(&req); err != nil {
		writeProblem(w, badRequest("The body is not a device key: "+err.Error()))
		return
	}
	key, err := api.ParseSigningKey(req.SigningKey)
	if err != nil {
		writeProblem(w, badRequest(`"signing_key": `+err.Error()+"."))
		return
	}
	switch err := s.store.SetDeviceKey(r.Context(), dev.ID, key); {
	case errors.Is(err, ErrKeyConflict):
		writeProblem(w, problem(http.StatusConflict, api.ProblemKeyConflict, "Signing Key Already Registered",
			"This device registered another signing key before; a device's key cannot be replaced."))
	case err != nil:
		writeProblem(w, s.failure(r.Context(), "set device key", err))
	default:
		w.WriteHeader(http.StatusNoContent)
	}
}

// checkSeal verifies a new submission's signature against the device's
// key and, for a service with an encryption key, the JWE envelope; it
// returns what the case keeps. key is the idempotency key; atts are the attachments the data names
// (their SHA-256 checked against the uploads by the store).
func (s *Server) checkSeal(req *api.SubmissionRequest, key string, dev Device, atts []CaseAttachment) (casework.Seal, *api.Problem) {
	bad := func(detail string) *api.Problem {
		return problem(http.StatusUnprocessableEntity, api.ProblemSignature, "Signature Invalid", detail)
	}
	seal := casework.Seal{Signature: req.Signature, Encrypted: req.Encrypted}
	switch {
	case dev.SigningKey == nil && req.Signature != nil:
		return seal, bad("This device registered no signing key: register it (POST /v1/devices/key) before sending signed submissions.")
	case dev.SigningKey == nil:
		return seal, nil // unsigned: anonymous, or an app before signing keys
	case req.Signature == nil:
		return seal, bad("This device has a signing key, so its submissions must be signed.")
	}
	seal.SigningKey = dev.SigningKey
	if req.Encrypted != "" {
		// The signature covers the plaintext, which only the authority
		// sees: it checks the signature when it decrypts (the console).
		return seal, nil
	}
	hashes := make([]string, len(atts))
	for i, a := range atts {
		hashes[i] = a.SHA256
	}
	input, err := api.SigningInput(req.Service, req.Form, key, req.Data, hashes)
	if err != nil || api.Verify(dev.SigningKey, req.Signature, input) != nil {
		return seal, bad("The signature does not match this submission and this device's key: the data, its attachments or the key differ from what the device signed.")
	}
	return seal, nil
}

// checkEnvelope checks that a submission to a service with an encryption
// key is encrypted to it, and that one to a service without is not.
func (s *Server) checkEnvelope(req *api.SubmissionRequest) *api.Problem {
	bad := func(detail string) *api.Problem {
		return problem(http.StatusUnprocessableEntity, api.ProblemEncryption, "Encryption Invalid", detail)
	}
	key := s.pub.Load().keys[req.Service]
	switch {
	case key == nil && req.Encrypted != "":
		return bad("This service publishes no encryption key; send the data in clear.")
	case key == nil:
		return nil
	case req.Encrypted == "":
		return bad("This service takes its data only encrypted to its key (encryption_key in the catalog).")
	}
	if _, err := jwe.Parse(req.Encrypted, key); err != nil {
		return bad(err.Error() + ".")
	}
	return nil
}
