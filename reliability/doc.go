// Package reliability holds the tests that prove, from outside, that the
// whole system loses nothing: the backend killed with SIGKILL under load
// and restarted (every acknowledged submission present, replays give the
// same case, no duplicates); the app's core killed with SIGKILL while the
// citizen types and submits (every save the store acknowledged present,
// every submission delivered once); a full disk under the app; and the
// catalogue of bad input against the running backend and the app's
// clients. `make test` runs short versions; `make reliability` runs them
// long (flags below, in each test file).
// It has no code of its own outside tests: the parts it drives are the real
// ones (server/serverproc, server/servertest, app/store, app/fill,
// sync/engine, sync/portal, sync/upload).
package reliability
