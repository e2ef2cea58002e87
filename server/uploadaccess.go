package server

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	tusd "github.com/tus/tusd/v2/pkg/handler"

	"rathaus/api"
)

// Who may reach an upload. An upload belongs to the device whose
// credential came with its creation: only requests with that credential
// read (HEAD), append (PATCH), end (DELETE) or attach it to a case;
// everyone else gets 404, as for an upload that does not exist, so that
// its existence is not revealed. An upload created without a credential
// (anonymous reports carry photos too) is reached only by requests without
// one: its id, 128 random bits that only the Location of its creation
// tells, is the capability, as a capability URL is. A request carrying a
// credential never reaches an anonymous upload, so a device's credential
// only ever narrows what it reaches.

// tusRoute serves one tus route. The credential is checked before tusd
// sees the request, so that the device is in the request's context, which
// tusd's hooks get; the answer to a bad one is given inside tusd's
// middleware (uploadGate), like every answer, with Tus-Resumable and the
// CORS headers. A creation that fails after its upload was recorded (a
// body longer than its length, a full disk) takes the upload with it: the
// client never learnt its URL.
func (s *Server) tusRoute(serve http.HandlerFunc, withID bool) http.HandlerFunc {
	inner := http.StripPrefix(api.PathUploads, s.uploads.tus.Middleware(s.uploadGate(serve, withID)))
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		var auth uploadAuth
		if r.Method != http.MethodOptions { // discovery and CORS preflights need no credential
			var ok bool
			auth.device, ok, auth.refuse = s.authenticate(r)
			if ok {
				ctx = context.WithValue(ctx, deviceKey{}, auth.device)
			}
		}
		created := &createdUpload{}
		ctx = context.WithValue(context.WithValue(ctx, uploadAuthKey{}, auth), createdKey{}, created)
		pw := &tusProblemWriter{ResponseWriter: w}
		if r.Header.Get("Upload-Draft-Interop-Version") == "" {
			// tus 1.0 wants it on every answer; tusd leaves it off the
			// ones it gives before its own check (a refused Origin).
			pw.Header().Set("Tus-Resumable", "1.0.0")
		}
		inner.ServeHTTP(pw, r.WithContext(ctx))
		if created.id != "" && pw.Status() >= 400 {
			s.dropUpload(ctx, created.id)
		}
		pw.finish()
	}
}

type uploadAuthKey struct{}

// uploadAuth is the outcome of a tus request's credential.
type uploadAuth struct {
	device Device                    // zero for a request without credential
	refuse func(http.ResponseWriter) // the answer to a bad credential
}

type createdKey struct{}

// createdUpload is the upload a creation request recorded (preUploadCreate).
type createdUpload struct{ id string }

// noteCreated tells tusRoute which upload the request created.
func noteCreated(ctx context.Context, id string) {
	if c, ok := ctx.Value(createdKey{}).(*createdUpload); ok {
		c.id = id
	}
}

// uploadGate runs inside tusd's middleware, before tusd's handler: it
// refuses a bad credential, a creation whose body is longer than its
// Upload-Length (before anything is recorded), and a request for an upload
// that is not the requester's.
func (s *Server) uploadGate(serve http.HandlerFunc, withID bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		auth, _ := r.Context().Value(uploadAuthKey{}).(uploadAuth)
		if auth.refuse != nil {
			auth.refuse(w)
			return
		}
		if !withID {
			if p := bodyBeyondLength(r); p != nil {
				writeProblem(w, p)
				return
			}
			serve(w, r)
			return
		}
		id := r.PathValue("id")
		if !uploadIDPattern.MatchString(id) {
			writeProblem(w, notFound("No such upload."))
			return
		}
		u, err := s.store.Upload(r.Context(), id)
		switch {
		case errors.Is(err, ErrNotFound), err == nil && u.Device != auth.device.ID:
			writeProblem(w, notFound("No such upload."))
			return
		case err != nil:
			writeProblem(w, s.failure(r.Context(), "uploads: look up upload", err, "upload", id))
			return
		}
		serve(w, r)
	}
}

// bodyBeyondLength refuses a creation-with-upload whose body is longer
// than the upload (tusd would record the upload first).
func bodyBeyondLength(r *http.Request) *api.Problem {
	if r.Header.Get("Content-Type") != "application/offset+octet-stream" || r.ContentLength <= 0 {
		return nil
	}
	n, err := strconv.ParseInt(r.Header.Get("Upload-Length"), 10, 64)
	if err != nil || n < 0 || r.ContentLength <= n {
		return nil // tusd answers a bad Upload-Length
	}
	return problem(http.StatusRequestEntityTooLarge, api.ProblemTooLarge, "Content Too Large",
		fmt.Sprintf("The body has %d bytes, more than the upload's Upload-Length of %d; nothing was stored.", r.ContentLength, n))
}

// dropUpload ends an upload whose creation failed: its bytes and its
// record. What cannot be removed now, the janitor removes after the TTL.
func (s *Server) dropUpload(ctx context.Context, id string) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
	defer cancel()
	up, err := s.uploads.files.GetUpload(ctx, id)
	if err == nil {
		err = s.uploads.files.AsTerminatableUpload(up).Terminate(ctx)
	}
	if err != nil && !errors.Is(err, tusd.ErrNotFound) {
		s.log.Warn("uploads: remove the bytes of a failed creation", "upload", id, "err", err)
	}
	if err := s.store.DeleteUpload(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
		s.log.Warn("uploads: forget a failed creation", "upload", id, "err", err)
	}
}

// uploadCORS is tusd's CORS handling with only the origins given allowed:
// a request whose Origin is another one is refused (403), so no Origin is
// ever echoed that the town did not list. With none listed, no browser
// page may upload; the app is no browser and sends no Origin. Cookies
// play no part (the credential is a bearer token), so credentials are not
// allowed.
func uploadCORS(origins []string) (*tusd.CorsConfig, error) {
	quoted := make([]string, 0, len(origins))
	for _, o := range origins {
		norm, err := normalOrigin(o)
		if err != nil {
			return nil, fmt.Errorf("server: upload origin %q: %w", o, err)
		}
		quoted = append(quoted, regexp.QuoteMeta(norm))
	}
	c := tusd.DefaultCorsConfig
	// With none listed this matches only "", and tusd checks only the
	// Origin headers that are not empty.
	c.AllowOrigin = regexp.MustCompile(`^(?:` + strings.Join(quoted, "|") + `)$`)
	c.AllowCredentials = false
	return &c, nil
}

// normalOrigin is an origin as browsers send it ("https://portal.example"):
// scheme and host in lower case, the port only when it is not the
// scheme's default; anything more (a path, "*") is an error.
func normalOrigin(o string) (string, error) {
	u, err := url.Parse(o)
	switch {
	case err != nil:
		return "", err
	case u.Scheme != "http" && u.Scheme != "https":
		return "", errors.New(`an origin is "https://host" or "http://host", with a port if need be`)
	case u.Host == "" || u.User != nil || u.Opaque != "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || strings.Contains(u.Host, "*"):
		return "", errors.New("an origin has a scheme and a host (and a port) only, no path, wildcard or user")
	}
	scheme, host, port := strings.ToLower(u.Scheme), strings.ToLower(u.Hostname()), u.Port()
	if scheme == "https" && port == "443" || scheme == "http" && port == "80" {
		port = ""
	}
	if port != "" {
		return scheme + "://" + net.JoinHostPort(host, port), nil
	}
	if strings.Contains(host, ":") { // IPv6
		host = "[" + host + "]"
	}
	return scheme + "://" + host, nil
}
