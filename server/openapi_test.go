package server_test

import (
	"bufio"
	"bytes"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server"
)

var (
	specPath   = regexp.MustCompile(`^  (/\S*):\s*$`)
	specMethod = regexp.MustCompile(`^    (get|put|post|delete|patch|head|options):`)
)

// specOperations lists "METHOD /path" for every operation under paths: in
// api/openapi.yaml. A line scan is enough for the document's fixed layout.
func specOperations(t *testing.T) []string {
	t.Helper()
	var ops []string
	inPaths, path := false, ""
	sc := bufio.NewScanner(bytes.NewReader(api.OpenAPI))
	for sc.Scan() {
		line := sc.Text()
		if line != "" && line[0] != ' ' && line[0] != '#' {
			inPaths = line == "paths:"
			continue
		}
		if !inPaths {
			continue
		}
		if m := specPath.FindStringSubmatch(line); m != nil {
			path = m[1]
		} else if m := specMethod.FindStringSubmatch(line); m != nil && path != "" {
			ops = append(ops, strings.ToUpper(m[1])+" "+path)
		}
	}
	if len(ops) == 0 {
		t.Fatal("found no operations under paths: in openapi.yaml")
	}
	return ops
}

// TestSpecOperationsAreServed sends each documented operation and checks
// that its own route, not the router's fallback, serves it, and that the
// handler answers something other than a server error.
func TestSpecOperationsAreServed(t *testing.T) {
	e := newEnv(t)
	svc := e.catalog.Services[0]
	fill := strings.NewReplacer("{id}", svc.Form.ID, "{version}", strconv.Itoa(svc.Form.Version))
	for _, op := range specOperations(t) {
		t.Run(op, func(t *testing.T) {
			method, path, _ := strings.Cut(op, " ")
			if got := routeOf(e.server.Match(method, fill.Replace(path))); got != op {
				t.Errorf("%s is served by route %q, want its own", op, got)
			}
			if r := e.do(t, method, fill.Replace(path), nil, nil); r.status >= 500 {
				t.Errorf("%s = %d %s, want an answer from its handler", op, r.status, r.body)
			}
		})
	}
}

// routeOf turns a mux pattern into the spec's "METHOD /path": "{$}" (the
// end of an exact path) is not part of the path.
func routeOf(pattern string) string { return strings.TrimSuffix(pattern, "{$}") }

// TestNoUndocumentedRoutes checks that every /v1 route is in openapi.yaml.
func TestNoUndocumentedRoutes(t *testing.T) {
	documented := map[string]bool{}
	for _, op := range specOperations(t) {
		documented[op] = true
	}
	cat, forms := demoAssets(t)
	s := mustNew(t, server.Config{Store: panicStore{}, Catalog: cat, Forms: forms})
	routes := s.Routes()
	if len(routes) == 0 {
		t.Fatal("the server lists no routes")
	}
	for _, route := range routes {
		route = routeOf(route)
		_, path, _ := strings.Cut(route, " ")
		if strings.HasPrefix(path, "/v1/") && !documented[route] {
			t.Errorf("route %q is not under paths: in api/openapi.yaml", route)
		}
		delete(documented, route)
	}
	for op := range documented {
		t.Errorf("openapi.yaml documents %q, but the server has no such route", op)
	}
}
