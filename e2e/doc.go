// Package e2e holds tests of the whole way, as people use it: the app's
// core (store, sync engine; no window) against the real backend, with a
// clerk in a real browser (headless Chromium) on the staff console.
package e2e
