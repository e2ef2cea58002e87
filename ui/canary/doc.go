// Package canary holds the canary scan (issue 11, S1): personal data the
// citizen enters, and what the town hall writes back, never lies in the
// clear in the app's database, its WAL, its data folder or its log. It has
// tests only.
package canary
