package engine_test

import (
	"context"
	"crypto/tls"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"rathaus/app/citizen"
	"rathaus/server/servertest"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/transport"
	"rathaus/sync/upload"
)

// S3: an insecure connection ends the item for good (it is not retried by
// itself, the citizen reads why on it) and the sync line says so; nothing
// reaches the backend.
func TestSync_InsecureConnectionIsPermanent(t *testing.T) {
	ca1, ca2 := servertest.NewCA(t, "Town CA"), servertest.NewCA(t, "MITM CA")
	genuine, backup := ca1.Leaf(), ca1.Leaf()
	pins, err := transport.ParsePins(genuine.Pin + "," + backup.Pin)
	if err != nil {
		t.Fatal(err)
	}
	// A device that trusts both CAs, as one whose store holds a company
	// proxy's CA, and pins the town's keys.
	trusting := func() *http.Transport {
		tr := transport.New()
		tr.TLSClientConfig = &tls.Config{RootCAs: servertest.Pool(ca1, ca2)}
		return tr
	}
	serveTLS := func(b *servertest.Backend, leaf servertest.Leaf) string {
		srv := httptest.NewUnstartedServer(b.Handler())
		srv.TLS = &tls.Config{Certificates: []tls.Certificate{leaf.TLS}}
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
		srv.StartTLS()
		t.Cleanup(srv.Close)
		return srv.URL
	}
	for _, tt := range []struct {
		name    string
		url     func(b *servertest.Backend) string
		pins    transport.Pins
		want    string // in the item's error; "" for sent
		wantMsg string
	}{
		{"plain http to a remote host", func(*servertest.Backend) string { return "http://rathaus.musterstadt.example" },
			nil, citizen.EINSECURE, "https://"},
		{"a man in the middle with a trusted CA", func(b *servertest.Backend) string { return serveTLS(b, ca2.Leaf()) },
			pins, citizen.EINSECURE, "another network"},
		{"the genuine server over TLS, pinned", func(b *servertest.Backend) string { return serveTLS(b, genuine) },
			pins, "", ""},
		{"the backup key alone", func(b *servertest.Backend) string { return serveTLS(b, backup) },
			pins, "", ""},
	} {
		t.Run(tt.name, func(t *testing.T) {
			backend := servertest.New(t)
			base := tt.url(backend)
			r := device(t, backend)
			wire := transport.Secure(trusting(), tt.pins)
			r.clients = func() (engine.Portal, engine.Uploader) {
				return portal.New(base, portal.WithTransport(wire), portal.WithTimeout(5*time.Second)),
					upload.New(base, upload.WithTransport(wire))
			}
			r.open(t)
			if tt.want != "" {
				// A device registered before (its credential kept), so
				// the item itself goes out, as after a change of network.
				if err := r.keys.Set("device-token-"+r.store.InstallID(), "t_earlier"); err != nil {
					t.Fatal(err)
				}
			}
			d := r.submitExample(t, "meldebescheinigung", nil)
			err := r.engine.Sync(context.Background())
			if tt.want == "" {
				if err != nil || r.draft(t, d.ID).State != citizen.DraftSent || backend.Cases() != 1 {
					t.Fatalf("sync: %v; draft %s; %d cases; want sent and 1 case", err, r.draft(t, d.ID).State, backend.Cases())
				}
				return
			}
			items := r.outbox(t)
			if len(items) != 1 {
				t.Fatalf("outbox has %d items, want 1", len(items))
			}
			it := items[0]
			if it.State != citizen.OutboxFailed || it.LastCode != tt.want || !strings.Contains(it.LastError, tt.wantMsg) {
				t.Errorf("item = %s %q %q, want failed for good with %s and a message naming %q", it.State, it.LastCode, it.LastError, tt.want, tt.wantMsg)
			}
			if got := r.draft(t, d.ID).State; got != citizen.DraftRejected {
				t.Errorf("draft = %s, want rejected (editable, to be sent again)", got)
			}
			st := r.engine.Status()
			if st.State == engine.Offline || citizen.ErrorCode(st.Err) != citizen.EINSECURE {
				t.Errorf("status = %s with %v, want the insecure connection named (not offline)", st.State, st.Err)
			}
			// Another pass does not send it again.
			_ = r.engine.Sync(context.Background())
			if again := r.outbox(t)[0]; again.Attempts != it.Attempts || again.State != citizen.OutboxFailed {
				t.Errorf("after another pass: %s, %d attempts; want failed, %d attempts", again.State, again.Attempts, it.Attempts)
			}
			if n := backend.Cases(); n != 0 {
				t.Errorf("the backend has %d cases, want 0", n)
			}
		})
	}
}

// A server whose certificate the device does not trust (a Wi-Fi's login
// page, a man in the middle with his own CA): nothing is sent, the item
// stays pending without an attempt counted (as when offline), and the
// status names the untrusted connection.
func TestSync_UntrustedCertificateWaits(t *testing.T) {
	trusted, stranger := servertest.NewCA(t, "Town CA"), servertest.NewCA(t, "Wi-Fi portal")
	backend := servertest.New(t)
	srv := httptest.NewUnstartedServer(backend.Handler())
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{stranger.Leaf().TLS}}
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	tr := transport.New()
	tr.TLSClientConfig = &tls.Config{RootCAs: servertest.Pool(trusted)}
	wire := transport.Secure(tr, nil)
	r := device(t, backend)
	r.clients = func() (engine.Portal, engine.Uploader) {
		return portal.New(srv.URL, portal.WithTransport(wire), portal.WithTimeout(5*time.Second)),
			upload.New(srv.URL, upload.WithTransport(wire))
	}
	r.open(t)
	if err := r.keys.Set("device-token-"+r.store.InstallID(), "t_earlier"); err != nil {
		t.Fatal(err)
	}
	r.submitExample(t, "meldebescheinigung", nil)
	_ = r.engine.Sync(context.Background())
	items := r.outbox(t)
	if len(items) != 1 || items[0].State != citizen.OutboxPending || items[0].Attempts != 0 {
		t.Fatalf("outbox = %+v, want the item pending without an attempt", items)
	}
	st := r.engine.Status()
	if ce := transport.Insecure(st.Err); st.State != engine.Offline || ce == nil || !ce.Transient {
		t.Errorf("status = %s with %v, want offline with a transient %s", st.State, st.Err, citizen.EINSECURE)
	}
	if n := backend.Cases(); n != 0 {
		t.Errorf("the backend has %d cases, want 0", n)
	}
}
