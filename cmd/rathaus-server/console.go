package main

import (
	"fmt"

	"rathaus/server"
	"rathaus/server/casework"
	"rathaus/server/console"
)

// envSecureCookies: "1" is --secure-cookies.
const envSecureCookies = "RATHAUS_SECURE_COOKIES"

// mountConsole serves the staff console at /staff/ when a staff token is
// set (it signs clerks in until staff accounts exist).
func (m *Main) mountConsole(h *server.Server, uploadDir string) error {
	if m.StaffToken == "" {
		return nil
	}
	cw, ok := m.db.(casework.Store)
	if !ok {
		return fmt.Errorf("the store %T keeps no casework", m.db)
	}
	con, err := console.New(console.Config{Casework: casework.New(cw, nil), Forms: h, StaffToken: m.StaffToken,
		UploadDir: uploadDir, Secure: m.SecureCookies, Logger: m.Logger})
	if err != nil {
		return err
	}
	h.Mount(console.Prefix, con)
	return nil
}
