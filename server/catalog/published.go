package catalog

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"rathaus/api/formschema"
)

// PublishedFile is the record of published form versions in the backend's
// data folder.
const PublishedFile = "published-forms.json"

// Published maps each form version published ("id/version") to the
// SHA-256 of its bytes. A version once published keeps its bytes: apps
// cache it for good and cases were checked against it.
type Published map[string]string

// ReadPublished reads the record in the data folder; none yet is empty.
func ReadPublished(dataDir string) (Published, error) {
	b, err := os.ReadFile(filepath.Join(dataDir, PublishedFile))
	if errors.Is(err, fs.ErrNotExist) {
		return Published{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read the published form versions: %w", err)
	}
	p := Published{}
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("read the published form versions (%s): %w", PublishedFile, err)
	}
	return p, nil
}

// Record adds the forms of f to p and writes p to the data folder
// (atomically: a temporary file renamed over the old one).
func (p Published) Record(dataDir string, forms map[string][]byte) error {
	for _, raw := range forms {
		f, err := formschema.Parse(raw)
		if err != nil {
			return err
		}
		p[fmt.Sprintf("%s/%d", f.Def.ID, f.Def.Version)] = hash(raw)
	}
	b, err := json.MarshalIndent(p, "", "  ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dataDir, ".published-*")
	if err != nil {
		return fmt.Errorf("record the published form versions: %w", err)
	}
	defer func() { _ = os.Remove(tmp.Name()) }()
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("record the published form versions: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		_ = tmp.Close()
		return fmt.Errorf("record the published form versions: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("record the published form versions: %w", err)
	}
	if err := os.Rename(tmp.Name(), filepath.Join(dataDir, PublishedFile)); err != nil {
		return fmt.Errorf("record the published form versions: %w", err)
	}
	return nil
}

func hash(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
