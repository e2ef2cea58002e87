package main

import (
	"fmt"
	"io"
	"path/filepath"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server/authority"
)

// envAuthorityKey is --authority-key.
const envAuthorityKey = "RATHAUS_AUTHORITY_KEY"

// demoEncryptedService: assets.DemoEncryptedService.
const demoEncryptedService = assets.DemoEncryptedService

// demoAuthorityDir is where, in the data folder, the demo town's authority
// key is made at the first start. A town's own key lives apart from the
// data (--authority-key), on the staff's side.
const demoAuthorityDir = "authority"

// demoKeyBits: the demo key is made at a first start, so it is the size
// BSI TR-02102-1 asks for, not more (4096 bits take seconds here).
const demoKeyBits = 3072

const authorityUsage = `rathaus-server authority-key new DIR

Makes the authority's key pair for end-to-end encrypted submissions in DIR:
  authority-key.jwk      the private key (mode 0600): keep it on the staff's
                         side only, give it to rathaus-server --authority-key
                         so that the console can decrypt; never publish it
  authority-key.pub.jwk  the public key: put it into catalog.json as the
                         "encryption_key" of each service whose data must
                         travel encrypted
An existing key is never overwritten.
`

// runAuthority is "rathaus-server authority-key ...".
func runAuthority(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
		fmt.Fprint(stdout, authorityUsage)
		return 0
	}
	if len(args) != 2 || args[0] != "new" {
		fmt.Fprint(stderr, authorityUsage)
		return 1
	}
	k, err := authority.New(args[1], authority.Bits)
	if err != nil {
		fmt.Fprintf(stderr, "rathaus-server authority-key: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "made %s (private, 0600) and %s (public), kid %s\n",
		filepath.Join(args[1], authority.PrivateFile), filepath.Join(args[1], authority.PublicFile), k.KeyID())
	return 0
}

// openAuthority loads the authority's key (--authority-key) or, for the
// demo town without one, loads or makes the demo's key in the data folder
// and publishes its public part on the demo's encrypted service.
func (m *Main) openAuthority(cat *api.Catalog) error {
	if m.AuthorityKey != "" {
		k, err := authority.Load(m.AuthorityKey)
		if err != nil {
			return fmt.Errorf("--authority-key: %w", err)
		}
		m.authority = k
	} else if m.CatalogDir == "" {
		// Made quietly: a start that fails must say so in one line.
		k, _, err := authority.Ensure(filepath.Join(m.DataDir, demoAuthorityDir), demoKeyBits)
		if err != nil {
			return fmt.Errorf("the demo town's authority key: %w", err)
		}
		m.authority = k
	}
	if m.CatalogDir == "" && m.authority != nil {
		for i := range cat.Services {
			if cat.Services[i].ID == demoEncryptedService && len(cat.Services[i].EncryptionKey) == 0 {
				cat.Services[i].EncryptionKey = m.authority.Public()
			}
		}
	}
	return nil
}
