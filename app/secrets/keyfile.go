package secrets

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
)

// FileName is the secret store's file in the data folder. It always says
// where this install's secrets are: in the keyring (then it lists their
// names) or in the file itself (then it is the key file).
const FileName = "secrets.json"

// tempPattern names the file a new version is written to before it
// replaces the old one; a crash may leave one behind, removed at Open.
const tempPattern = ".secrets-*.tmp"

const recordVersion = 1

// Where a record says the secrets are.
const (
	inKeyring = "keyring"
	inFile    = "file"
)

// record is the content of FileName.
type record struct {
	Version int    `json:"version"`
	Store   string `json:"store"` // inKeyring or inFile
	// Service is the keyring service the secrets are under (keyring only).
	Service string `json:"service,omitempty"`
	// Names are the secrets in the keyring: a keyring cannot list them,
	// and a move to a key file must find them all. A name is added before
	// its secret is stored and removed after it is deleted, so the list
	// may name a secret that is gone, never miss one that is there.
	Names []string `json:"names,omitempty"`
	// Secrets are the secrets themselves (key file only).
	Secrets map[string]string `json:"secrets,omitempty"`
	// Check is the SHA-256 of the record with Check empty: a key that
	// changed by one bit would otherwise look valid and lock every draft.
	Check string `json:"check"`
}

func (r *record) checksum() string {
	c := *r
	c.Check = ""
	b, _ := json.Marshal(&c) // maps marshal with sorted keys: same record, same bytes
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func (r *record) valid() bool {
	if r.Version != recordVersion || r.Check != r.checksum() {
		return false
	}
	switch r.Store {
	case inKeyring:
		return r.Service != "" && r.Secrets == nil
	case inFile:
		return r.Service == "" && r.Names == nil
	}
	return false
}

func (r *record) addName(name string) bool {
	if slices.Contains(r.Names, name) {
		return false
	}
	r.Names = append(r.Names, name)
	slices.Sort(r.Names)
	return true
}

// readRecord reads the record at path; (nil, nil) when there is none.
func readRecord(path string) (*record, error) {
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, readError(err)
	}
	var r record
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || !r.valid() {
		if err == nil {
			err = errors.New("version, store or checksum do not match")
		}
		return nil, damaged(path, err)
	}
	return &r, nil
}

// writeRecord replaces the record at path so that a crash at any moment
// leaves either the old one or the new one, complete: the new one goes to
// a temp file (created 0600) that is synced, renamed over the old one,
// and the folder is synced so that the rename itself is durable.
func writeRecord(path string, r *record) error {
	r.Version = recordVersion
	r.Check = r.checksum()
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPattern)
	if err != nil {
		return writeError(err)
	}
	tmp := f.Name()
	ok := false
	defer func() {
		if !ok {
			f.Close()
			os.Remove(tmp)
		}
	}()
	if _, err := f.Write(append(b, '\n')); err != nil {
		return writeError(err)
	}
	if err := f.Sync(); err != nil {
		return writeError(err)
	}
	if err := f.Close(); err != nil {
		return writeError(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return writeError(err)
	}
	ok = true
	return syncDir(dir)
}

// syncDir makes a rename in dir durable. Windows cannot open a folder for
// syncing, and its renames are durable when they return.
func syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return writeError(err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return writeError(err)
	}
	return nil
}

// removeTemps removes what an interrupted writeRecord left behind: it may
// hold secrets, and the record it was meant to become was never in place.
func removeTemps(dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, tempPattern))
	for _, n := range names {
		_ = os.Remove(n)
	}
}

// tighten makes the file at path readable by its owner only, should
// anyone have widened it; the key file must not be readable by others.
func tighten(path string) error {
	if runtime.GOOS == "windows" {
		return nil // no mode bits; the user's profile folder protects it
	}
	fi, err := os.Stat(path)
	if err != nil {
		return readError(err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := os.Chmod(path, 0o600); err != nil {
			return writeError(err)
		}
	}
	return nil
}
