package casework

import "rathaus/api"

// Decrypter opens a case's JWE with the authority's private key
// (server/authority.Key).
type Decrypter interface {
	Decrypt(compact string) ([]byte, error)
}

// SealState is what a clerk is told of a case's seal.
type SealState struct {
	Encrypted   bool   // the data came encrypted end to end
	NoKey       bool   // ... and no authority key was given
	Unopened    bool   // ... and the key given does not open it
	Signed      bool   // the device signed it
	Valid       bool   // ... and the signature verifies over the data (checked only when the data is readable)
	Fingerprint string // the signing key's (api.KeyFingerprint)
}

// OpenSeal decrypts an encrypted case's data into f.Data with dec (in
// memory only: the store keeps the ciphertext; dec may be nil) and checks
// the signature over the data as the device signed it (api.SigningInput,
// with the hashes of the attachments the data names).
func OpenSeal(f *File, dec Decrypter) SealState {
	st := SealState{Encrypted: f.Seal.Encrypted != "", Signed: f.Seal.Signature != nil}
	if st.Signed {
		st.Fingerprint = api.KeyFingerprint(f.Seal.SigningKey)
	}
	if st.Encrypted {
		if dec == nil {
			st.NoKey = true
			return st
		}
		plain, err := dec.Decrypt(f.Seal.Encrypted)
		if err != nil {
			st.Unopened = true
			return st
		}
		f.Data = plain
	}
	if st.Signed {
		hashes, err := api.AttachmentHashes(f.Data)
		var input []byte
		if err == nil {
			input, err = api.SigningInput(f.Service, f.Form, f.IdempotencyKey, f.Data, hashes)
		}
		st.Valid = err == nil && api.Verify(f.Seal.SigningKey, f.Seal.Signature, input) == nil
	}
	return st
}
