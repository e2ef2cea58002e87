// Package kiosk is the kiosk mode's screens: the start screen with the
// languages and a big "Start", the citizen's session around the app's
// screens (help mode, "Done", the inactivity warning), the receipt, the
// handoff of a draft to a phone, and the staff PIN. The logic is in
// app/kiosk.
package kiosk
