package main

import (
	"encoding/json"
	"fmt"
	"os"

	"rathaus/assets"
	"rathaus/server"
	"rathaus/server/casework"
	"rathaus/server/console"
	"rathaus/server/reportwork"
)

// envSecureCookies: "1" is --secure-cookies.
const envSecureCookies = "RATHAUS_SECURE_COOKIES"

// envStaffOffices is --staff-offices.
const envStaffOffices = "RATHAUS_STAFF_OFFICES"

// readOfficeTokens reads the --staff-offices file: a JSON object of office
// (as the catalog's services name it) to the token its clerks sign in to
// the console with. Each token is as long as a staff token must be, and
// none is the staff token or another office's.
func readOfficeTokens(path, staffToken string) (map[string]string, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("--staff-offices: %w", unwrapPath(err))
	}
	var m map[string]string
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("--staff-offices %s: not a JSON object of office to token: %w", path, err)
	}
	seen := map[string]string{staffToken: "the staff token"}
	for office, tok := range m {
		if len(tok) < minStaffToken {
			return nil, fmt.Errorf("--staff-offices %s: the token of %q must be at least %d characters long", path, office, minStaffToken)
		}
		if other, dup := seen[tok]; dup {
			return nil, fmt.Errorf("--staff-offices %s: the token of %q is also %s", path, office, other)
		}
		seen[tok] = fmt.Sprintf("the token of %q", office)
	}
	return m, nil
}

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
	var offices map[string]string
	if m.StaffOffices != "" {
		var err error
		if offices, err = readOfficeTokens(m.StaffOffices, m.StaffToken); err != nil {
			return err
		}
		known := map[string]bool{}
		for _, s := range h.Catalog().Services {
			known[s.Office] = true
		}
		for o := range offices {
			if !known[o] {
				m.Logger.Warn("--staff-offices names an office no service of the catalog has", "office", o)
			}
		}
	}
	var reports *reportwork.Service
	if rs, ok := m.db.(reportwork.Store); ok {
		reports = reportwork.New(rs, nil)
	}
	categories, err := assets.DemoReportServices() // as the server's Open311 has them
	if err != nil {
		return err
	}
	cfg := console.Config{Casework: casework.New(cw, nil), Forms: h, StaffToken: m.StaffToken, Reports: reports, ReportServices: categories,
		OfficeTokens: offices, UploadDir: uploadDir, Secure: m.SecureCookies, Logger: m.Logger}
	if p := h.OIDC(); p != nil {
		cfg.StaffAccounts = p.SignInStaff // clerks sign in with their staff accounts too
	}
	if m.authority != nil {
		cfg.Authority = m.authority
	}
	con, err := console.New(cfg)
	if err != nil {
		return err
	}
	h.Mount(console.Prefix, con)
	return nil
}
