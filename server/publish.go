package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/api/jwe"
)

// published is one published state of the town's catalog: what
// GET /v1/catalog and /v1/forms serve and submissions are checked against.
// It is never changed once built; Publish builds the next one.
type published struct {
	catalog resource
	cat     api.Catalog
	forms   map[string]*form // by "id/version"
	// services maps a service id to the form version it uses now.
	services map[string]api.FormRef
	// keys maps a service id to its encryption key, for the services
	// that publish one.
	keys map[string]*jose.JSONWebKey
	// loginOnly are the services that take submissions only from a
	// device linked to an account (requires_login).
	loginOnly map[string]bool
}

// VersionChangedError says that a form version already published came
// again with other content. Published versions are immutable: apps cache
// them for good, and cases were validated against them.
type VersionChangedError struct {
	File    string
	Form    string
	Version int
}

func (e *VersionChangedError) Error() string {
	return fmt.Sprintf("form file %s: form %s version %d is already published with other content; published versions cannot change, give the changed form version %d",
		e.File, e.Form, e.Version, e.Version+1)
}

// buildPublished checks the catalog and the forms and builds the state to
// publish. The form versions of prev stay (drafts begun on them may still
// be sent); one of them given again must be byte for byte the same.
func buildPublished(prev *published, c api.Catalog, files map[string][]byte) (*published, error) {
	p := &published{cat: c, forms: map[string]*form{}, services: map[string]api.FormRef{}, keys: map[string]*jose.JSONWebKey{}}
	if prev != nil {
		for k, f := range prev.forms {
			p.forms[k] = f
		}
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	sort.Strings(names) // so that the error for a duplicate is stable
	fresh := map[string]bool{}
	for _, name := range names {
		raw := files[name]
		f, err := formschema.Parse(raw)
		if err != nil {
			return nil, fmt.Errorf("server: form file %s: %w", name, err)
		}
		k := formKey(f.Def.ID, f.Def.Version)
		if fresh[k] {
			return nil, fmt.Errorf("server: form file %s: form %s version %d is defined twice", name, f.Def.ID, f.Def.Version)
		}
		fresh[k] = true
		if old := p.forms[k]; old != nil {
			if !bytes.Equal(old.body, raw) {
				return nil, &VersionChangedError{File: name, Form: f.Def.ID, Version: f.Def.Version}
			}
			continue
		}
		p.forms[k] = &form{resource: newResource(raw), compiled: f}
	}
	for _, svc := range c.Services {
		if _, dup := p.services[svc.ID]; dup {
			return nil, fmt.Errorf("server: catalog: service %s is listed twice", svc.ID)
		}
		if p.forms[formKey(svc.Form.ID, svc.Form.Version)] == nil {
			return nil, fmt.Errorf("server: catalog: service %s uses form %s version %d, which is not loaded",
				svc.ID, svc.Form.ID, svc.Form.Version)
		}
		p.services[svc.ID] = svc.Form
		if svc.RequiresLogin {
			if p.loginOnly == nil {
				p.loginOnly = map[string]bool{}
			}
			p.loginOnly[svc.ID] = true
		}
		if len(svc.EncryptionKey) > 0 {
			k, err := jwe.ParsePublicKey(svc.EncryptionKey)
			if err != nil {
				return nil, fmt.Errorf("server: catalog: service %s: %w", svc.ID, err)
			}
			p.keys[svc.ID] = k
		}
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, fmt.Errorf("server: catalog: %w", err)
	}
	p.catalog = newResource(b)
	return p, nil
}

// Publish replaces the catalog and adds the forms while requests are
// served: new services and new form versions, announced to every device
// through the changes feed. Form versions published before stay; one of
// them given with other content is refused with a *VersionChangedError,
// and then nothing changes.
func (s *Server) Publish(ctx context.Context, c api.Catalog, forms map[string][]byte) error {
	s.pubMu.Lock()
	defer s.pubMu.Unlock()
	next, err := buildPublished(s.pub.Load(), c, forms)
	if err != nil {
		return err
	}
	s.pub.Store(next)
	return s.announceCatalogCtx(ctx)
}

// Catalog returns the catalog published now.
func (s *Server) Catalog() api.Catalog { return s.pub.Load().cat }

// Form returns a published form version, or nil.
func (s *Server) Form(id string, version int) *formschema.Form {
	if f := s.pub.Load().forms[formKey(id, version)]; f != nil {
		return f.compiled
	}
	return nil
}

func (s *Server) announceCatalogCtx(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	etag := s.pub.Load().catalog.etag
	changed, err := s.store.RecordCatalog(ctx, etag)
	if err != nil {
		return fmt.Errorf("server: record the catalog version: %w", err)
	}
	if changed {
		s.log.Info("catalog changed; announced in the changes feed", "etag", etag)
	}
	return nil
}

// FormCount says how many form versions are published.
func (s *Server) FormCount() int { return len(s.pub.Load().forms) }

// Mount serves h for every request under prefix ("/staff/"), through the
// same admission, logging and panic recovery as the API: areas of the
// backend that live in packages of their own (the staff console).
func (s *Server) Mount(prefix string, h http.Handler) {
	s.mux.Handle(prefix, h)
}
