// Package kiosk is the kiosk mode's logic, free of Fyne: the staff PIN
// that leaves kiosk mode (argon2id, lockout), the inactivity countdown that
// ends a citizen's session, and the citizen sessions themselves (a database
// and a data key of their own, handed over and wiped at the end). The
// screens are in ui/kiosk.
package kiosk
