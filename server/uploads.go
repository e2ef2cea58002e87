package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/tus/tusd/v2/pkg/filestore"
	tusd "github.com/tus/tusd/v2/pkg/handler"
	"github.com/tus/tusd/v2/pkg/memorylocker"

	"rathaus/api"
)

var (
	// uploadIDPattern is the form of the ids the backend gives uploads.
	uploadIDPattern = regexp.MustCompile(`^u_[0-9a-f]{32}$`)
	sha256Pattern   = regexp.MustCompile(`^[0-9a-f]{64}$`)
)

// Defaults for the upload settings Config leaves 0.
const (
	DefaultUploadsPerHour  = 300
	DefaultUploadTTL       = 24 * time.Hour
	DefaultJanitorInterval = 10 * time.Minute
)

// uploads is the tus side of the server: tusd's handler over a file store,
// and what the hooks and the janitor need.
type uploads struct {
	files  filestore.FileStore
	locker tusd.Locker
	tus    *tusd.UnroutedHandler
	quotas uploadQuotas
	types  uploadTypes
	ttl    time.Duration
}

// initUploads sets up tusd (creation, creation-with-upload and termination;
// no download, concatenation or deferred length) with the checks of the
// backend in its hooks, and registers its routes.
func (s *Server) initUploads(cfg Config) error {
	if cfg.UploadDir == "" {
		return errors.New("server: no upload folder (Config.UploadDir)")
	}
	if err := os.MkdirAll(cfg.UploadDir, 0o700); err != nil {
		return fmt.Errorf("server: upload folder: %w", err)
	}
	u := &s.uploads
	u.files = filestore.New(cfg.UploadDir)
	u.files.DirModePerm, u.files.FileModePerm = 0o700, 0o600
	u.locker = cfg.UploadLocker
	if u.locker == nil {
		u.locker = memorylocker.New()
	}
	u.quotas = newUploadQuotas(cfg, s.now)
	var err error
	if u.types, err = newUploadTypes(cfg.UploadTypes); err != nil {
		return err
	}
	u.ttl = orDefault(cfg.UploadTTL, DefaultUploadTTL)

	composer := tusd.NewStoreComposer()
	disk := diskStore{FileStore: u.files, s: s}
	composer.UseCore(disk)
	composer.UseTerminater(disk)
	composer.UseLocker(u.locker)
	cors, err := uploadCORS(cfg.UploadOrigins)
	if err != nil {
		return err
	}
	h, err := tusd.NewUnroutedHandler(tusd.Config{
		StoreComposer:              composer,
		Cors:                       cors,
		MaxSize:                    api.MaxUploadSize,
		BasePath:                   api.PathUploads,
		DisableDownload:            true, // the files are personal data: no one reads them back
		DisableConcatenation:       true,
		Logger:                     newTusLogger(s.log),
		PreUploadCreateCallback:    s.preUploadCreate,
		PreFinishResponseCallback:  s.preUploadFinish,
		PreUploadTerminateCallback: s.preUploadTerminate,
	})
	if err != nil {
		return fmt.Errorf("server: tus: %w", err)
	}
	u.tus = h
	// OPTIONS answers tus discovery (versions, extensions, maximum size)
	// and CORS preflights anywhere below the base path.
	s.route("OPTIONS", api.PathUploads, s.tusRoute(h.PostFile, false))
	s.route("POST", api.PathUploads+"{$}", s.tusRoute(h.PostFile, false))
	s.route("HEAD", api.PathUploads+"{id}", s.tusRoute(h.HeadFile, true))
	s.route("PATCH", api.PathUploads+"{id}", s.tusRoute(h.PatchFile, true))
	s.route("DELETE", api.PathUploads+"{id}", s.tusRoute(h.DelFile, true))
	return nil
}

// preUploadCreate checks a new upload's metadata and the client's rate,
// and records the upload under an id of the backend's making, as the
// requesting device's (or as anonymous).
func (s *Server) preUploadCreate(hook tusd.HookEvent) (tusd.HTTPResponse, tusd.FileInfoChanges, error) {
	info := hook.Upload
	if info.Size > api.MaxUploadSize {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusError(problem(http.StatusRequestEntityTooLarge,
			api.ProblemTooLarge, "Content Too Large", fmt.Sprintf("A file may be at most %d bytes.", api.MaxUploadSize)), nil)
	}
	meta := info.MetaData
	var bad []string
	if why := api.FilenameProblem(meta[api.MetaFilename]); why != "" {
		bad = append(bad, api.MetaFilename+" ("+why+")")
	}
	if _, _, err := mime.ParseMediaType(meta[api.MetaFiletype]); err != nil {
		bad = append(bad, api.MetaFiletype)
	}
	if !sha256Pattern.MatchString(meta[api.MetaSHA256]) {
		bad = append(bad, api.MetaSHA256)
	}
	if len(bad) > 0 {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusError(badRequest(
			"Upload-Metadata must carry filename (the file's name), filetype (its media type) and sha256 "+
				"(the SHA-256 of the whole file, 64 lower-case hex digits); missing or malformed: "+strings.Join(bad, ", ")+"."), nil)
	}
	if !s.uploads.types.allows(meta[api.MetaFiletype]) {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusError(s.uploads.types.typeProblem(
			fmt.Sprintf("Files of type %s are not taken; nothing was stored.", declared(meta[api.MetaFiletype]))), nil)
	}
	dev, _ := deviceFrom(hook.Context)
	if p, secs := s.checkUpload(hook.Context, hook.HTTPRequest.RemoteAddr, dev, info.Size); p != nil {
		var h tusd.HTTPHeader
		if secs != "" {
			h = tusd.HTTPHeader{"Retry-After": secs}
		}
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusError(p, h)
	}
	u := Upload{
		ID:       "u_" + randomHex(16),
		Size:     info.Size,
		SHA256:   meta[api.MetaSHA256],
		Filename: meta[api.MetaFilename],
		Filetype: meta[api.MetaFiletype],
		Created:  s.now().UTC(),
		Device:   dev.ID,
	}
	if err := s.store.CreateUpload(hook.Context, u); err != nil {
		return tusd.HTTPResponse{}, tusd.FileInfoChanges{}, tusError(s.failure(hook.Context, "uploads: record new upload", err), nil)
	}
	noteCreated(hook.Context, u.ID)
	return tusd.HTTPResponse{}, tusd.FileInfoChanges{ID: u.ID, MetaData: tusd.MetaData{
		api.MetaFilename: u.Filename, api.MetaFiletype: u.Filetype, api.MetaSHA256: u.SHA256,
	}}, nil
}

// preUploadFinish checks the complete file against its SHA-256 before the
// client hears that it arrived.
func (s *Server) preUploadFinish(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	dev, _ := deviceFrom(hook.Context)
	if _, err := s.confirmUpload(hook.Context, hook.Upload.ID, dev.ID); err != nil {
		return tusd.HTTPResponse{}, s.uploadErrorForTus(hook.Context, hook.Upload.ID, err)
	}
	return tusd.HTTPResponse{}, nil
}

// preUploadTerminate lets a client end its upload, unless a case uses it.
func (s *Server) preUploadTerminate(hook tusd.HookEvent) (tusd.HTTPResponse, error) {
	err := s.store.DeleteUpload(hook.Context, hook.Upload.ID)
	switch {
	case err == nil, errors.Is(err, ErrNotFound):
		return tusd.HTTPResponse{}, nil
	case errors.Is(err, ErrUploadInUse):
		return tusd.HTTPResponse{}, tusError(problem(http.StatusConflict, api.ProblemConflict, "Conflict",
			"A case uses this upload; it stays with the case."), nil)
	}
	return tusd.HTTPResponse{}, tusError(s.failure(hook.Context, "uploads: forget upload", err, "upload", hook.Upload.ID), nil)
}

// Reasons why an upload is not (yet) usable.
var (
	errUploadUnfinished = errors.New("the upload is not complete")
	errUploadChecksum   = errors.New("the upload's SHA-256 differs from its metadata")
	errUploadType       = errors.New("the upload's content is not of its filetype")
)

// confirmUpload makes sure that a complete upload of device ("" for an
// anonymous one) is recorded as finished: it hashes the stored file and
// compares it with the SHA-256 from the metadata. On a mismatch the upload
// is ended, bytes and record, and the client must start over. It is
// idempotent, so the submission check can also run it when the answer to
// the last PATCH was lost on the way. Another device's upload is
// ErrNotFound, and untouched.
func (s *Server) confirmUpload(ctx context.Context, id, device string) (Upload, error) {
	rec, err := s.store.Upload(ctx, id)
	if err != nil {
		return Upload{}, err
	}
	if rec.Device != device {
		return Upload{}, ErrNotFound
	}
	if !rec.Finished.IsZero() {
		return rec, nil
	}
	up, err := s.uploads.files.GetUpload(ctx, id)
	if errors.Is(err, tusd.ErrNotFound) {
		return Upload{}, ErrNotFound
	}
	if err != nil {
		return Upload{}, err
	}
	info, err := up.GetInfo(ctx)
	if err != nil {
		return Upload{}, err
	}
	if info.Offset != rec.Size || info.Size != rec.Size {
		return rec, errUploadUnfinished
	}
	sum, err := fileSHA256(ctx, up)
	if err != nil {
		return Upload{}, err
	}
	if sum != rec.SHA256 {
		s.log.Warn("uploads: SHA-256 mismatch; upload ended", "upload", id)
		return Upload{}, s.refuseUpload(ctx, up, id, errUploadChecksum)
	}
	ok, err := s.uploads.types.contentMatches(ctx, up, rec.Filetype)
	if err != nil {
		return Upload{}, err
	}
	if !ok {
		s.log.Warn("uploads: content not of its declared type; upload ended", "upload", id, "filetype", rec.Filetype)
		return Upload{}, s.refuseUpload(ctx, up, id, errUploadType)
	}
	rec.Finished = s.now().UTC()
	if err := s.store.FinishUpload(ctx, id, rec.Finished); err != nil {
		return Upload{}, err
	}
	return rec, nil
}

// refuseUpload ends a finished upload that failed its checks, bytes and
// record, and returns why (or what kept it from ending).
func (s *Server) refuseUpload(ctx context.Context, up tusd.Upload, id string, why error) error {
	if err := s.uploads.files.AsTerminatableUpload(up).Terminate(ctx); err != nil {
		return err
	}
	if err := s.store.DeleteUpload(ctx, id); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return why
}

func fileSHA256(ctx context.Context, up tusd.Upload) (string, error) {
	r, err := up.GetReader(ctx)
	if err != nil {
		return "", err
	}
	defer r.Close()
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// uploadErrorForTus turns confirmUpload's error into tusd's answer.
func (s *Server) uploadErrorForTus(ctx context.Context, id string, err error) error {
	switch {
	case errors.Is(err, errUploadChecksum):
		return tusError(problem(460, api.ProblemChecksum, "Checksum Mismatch",
			"The file's SHA-256 differs from the sha256 in its Upload-Metadata. The upload was ended; upload the file again from the start."), nil)
	case errors.Is(err, errUploadType):
		return tusError(s.uploads.types.typeProblem(
			"The file's content is not of the type its filetype names. The upload was ended; send a file of that type."), nil)
	case errors.Is(err, ErrNotFound):
		return tusError(notFound("No such upload."), nil)
	}
	return tusError(s.failure(ctx, "uploads: check finished upload", err, "upload", id), nil)
}

// tusError makes a problem into an error that tusd sends as it is.
func tusError(p *api.Problem, header tusd.HTTPHeader) error {
	b, err := json.Marshal(p)
	if err != nil {
		panic(err) // an api.Problem always marshals
	}
	h := tusd.HTTPHeader{"Content-Type": api.ContentTypeProblem}
	if v := retryAfter(p.Status); v != "" {
		h["Retry-After"] = v
	}
	for k, v := range header {
		h[k] = v
	}
	return tusd.Error{ErrorCode: p.Type, Message: p.Detail,
		HTTPResponse: tusd.HTTPResponse{StatusCode: p.Status, Body: string(b), Header: h}}
}
