package main

import (
	"go/build"
	"path"
	"strings"
	"testing"
)

// TestAppImportsNoTestSupport: the app's binary holds none of the packages
// made for tests (servertest, uitest, demotest, savetest, filltest: they
// start backends and fail tests) and nothing of the backend.
func TestAppImportsNoTestSupport(t *testing.T) {
	ctx := build.Default
	ctx.BuildTags = append(ctx.BuildTags, "sqlite_fts5")
	seen := map[string]string{} // package -> a package that imports it
	var visit func(pkg, dir string)
	visit = func(pkg, dir string) {
		p, err := ctx.Import(pkg, dir, 0)
		if err != nil {
			t.Fatalf("%s: %v", pkg, err)
		}
		for _, imp := range p.Imports {
			if _, ok := seen[imp]; ok || (imp != "rathaus" && !strings.HasPrefix(imp, "rathaus/")) {
				continue
			}
			seen[imp] = pkg
			visit(imp, dir)
		}
	}
	visit(".", ".")
	if len(seen) == 0 {
		t.Fatal("the app imports no package of the project: the walk read nothing")
	}
	for imp, by := range seen {
		if strings.HasSuffix(path.Base(imp), "test") || imp == "rathaus/server" || strings.HasPrefix(imp, "rathaus/server/") {
			t.Errorf("the app imports %s (through %s)", imp, by)
		}
	}
}
