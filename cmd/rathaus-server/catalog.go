package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"rathaus/api"
	"rathaus/assets"
	"rathaus/server/catalog"
)

const envCatalog = "RATHAUS_CATALOG"

// Files in the data folder that tie "catalog publish" to the running
// server: where it is (pidFile) and what its last publication gave
// (publishStatusFile).
const (
	pidFile           = "rathaus-server.pid"
	publishStatusFile = "catalog-status.json"
)

const catalogUsage = `rathaus-server catalog checks and publishes a town's own catalog: a folder
with catalog.json and forms/*.json, laid out like assets/demo in the source
(docs/forms.md describes a form; rathaus-server forms import makes one from
an XDatenfelder file).

Usage:
  rathaus-server catalog check DIR [--data FOLDER]
      report every problem of the folder at once, each with its file and
      the JSON Pointer into it: broken JSON or schemas, missing German or
      English texts, unknown widgets, services whose form is missing, and
      form versions already published with other content (published
      versions never change: give a changed form a new version). Exit
      status 0 when there is none, 1 otherwise.
  rathaus-server catalog publish DIR [--data FOLDER]
      check the folder, then have the server running with --catalog DIR
      on this data folder publish it (it is sent SIGHUP, which does the
      same): new services and form versions reach the apps through the
      changes feed. Waits for the server's answer and prints it.

Flags:
  --data FOLDER   the server's data folder, where the published versions
                  are recorded. Environment: RATHAUS_DATA. Default: ` + defaultData + `
`

// runCatalog runs "rathaus-server catalog ...": it returns the exit code.
func runCatalog(args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	if len(args) == 0 || (args[0] != "check" && args[0] != "publish") {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fmt.Fprint(stdout, catalogUsage)
			return 0
		}
		fmt.Fprint(stderr, catalogUsage)
		return 1
	}
	cmd := args[0]
	data := defaultData
	if v := getenv(envData); v != "" {
		data = v
	}
	fs := flag.NewFlagSet("catalog "+cmd, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.StringVar(&data, "data", data, "")
	var dir string
	rest := args[1:]
	// The folder may come before or after the flags.
	if len(rest) > 0 && len(rest[0]) > 0 && rest[0][0] != '-' {
		dir, rest = rest[0], rest[1:]
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			fmt.Fprint(stdout, catalogUsage)
			return 0
		}
		fmt.Fprintf(stderr, "rathaus-server catalog %s: %v\n", cmd, err)
		return 1
	}
	if dir == "" && fs.NArg() == 1 {
		dir = fs.Arg(0)
	} else if fs.NArg() > 0 || dir == "" {
		fmt.Fprintf(stderr, "rathaus-server catalog %s: give one catalog folder\n", cmd)
		return 1
	}
	published, err := catalog.ReadPublished(data)
	if err != nil {
		fmt.Fprintf(stderr, "rathaus-server catalog %s: %v\n", cmd, err)
		return 1
	}
	problems := catalog.Check(dir, published)
	for _, p := range problems {
		fmt.Fprintln(stdout, p.String())
	}
	if len(problems) > 0 {
		fmt.Fprintf(stderr, "rathaus-server catalog %s: %s has %d problem(s); nothing was published\n", cmd, dir, len(problems))
		return 1
	}
	if cmd == "check" {
		fmt.Fprintf(stdout, "%s: no problems\n", dir)
		return 0
	}
	if err := signalPublish(data, dir, stdout); err != nil {
		fmt.Fprintf(stderr, "rathaus-server catalog publish: %v\n", err)
		return 1
	}
	return 0
}

// runningServer is what a server writes to its pid file.
type runningServer struct {
	PID     int    `json:"pid"`
	Catalog string `json:"catalog"` // absolute; "" for the demo
}

// publishStatus is what a server writes after each publication.
type publishStatus struct {
	At    time.Time `json:"at"`
	OK    bool      `json:"ok"`
	Error string    `json:"error,omitempty"`
	// Services and Forms count what is published now.
	Services int `json:"services"`
	Forms    int `json:"forms"`
}

// signalPublish sends SIGHUP to the server running on the data folder and
// waits for its publish status.
func signalPublish(data, dir string, stdout io.Writer) error {
	b, err := os.ReadFile(filepath.Join(data, pidFile))
	if err != nil {
		return fmt.Errorf("no server is running on the data folder %s (%v); start it with --catalog %s", data, unwrapPath(err), dir)
	}
	var rs runningServer
	if err := json.Unmarshal(b, &rs); err != nil {
		return fmt.Errorf("read %s: %w", pidFile, err)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	if rs.Catalog != abs {
		return fmt.Errorf("the server running on %s serves %q, not %s; restart it with --catalog %s", data, rs.Catalog, abs, dir)
	}
	sent := time.Now()
	if err := syscall.Kill(rs.PID, syscall.SIGHUP); err != nil {
		return fmt.Errorf("signal the server (pid %d): %w", rs.PID, err)
	}
	for deadline := sent.Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		b, err := os.ReadFile(filepath.Join(data, publishStatusFile))
		if err != nil {
			continue
		}
		var st publishStatus
		if json.Unmarshal(b, &st) != nil || st.At.Before(sent.Truncate(time.Millisecond)) {
			continue
		}
		if !st.OK {
			return fmt.Errorf("the server refused the catalog: %s", st.Error)
		}
		fmt.Fprintf(stdout, "published: %d services, %d form versions; the apps get it through the changes feed\n", st.Services, st.Forms)
		return nil
	}
	return errors.New("the server did not answer within 30 s; see its log")
}

// loadCatalog reads the catalog the server is to publish: the folder
// given, checked against the versions published before, or the demo town.
func (m *Main) loadCatalog() (api.Catalog, map[string][]byte, error) {
	if m.CatalogDir == "" {
		cat, err := assets.DemoCatalog()
		if err != nil {
			return cat, nil, fmt.Errorf("load catalog: %w", err)
		}
		forms, err := assets.DemoFormFiles()
		if err != nil {
			return cat, nil, fmt.Errorf("load forms: %w", err)
		}
		return cat, forms, nil
	}
	published, err := catalog.ReadPublished(m.DataDir)
	if err != nil {
		return api.Catalog{}, nil, err
	}
	f, err := catalog.Load(m.CatalogDir, published)
	if err != nil {
		return api.Catalog{}, nil, fmt.Errorf("catalog %s: %w", m.CatalogDir, err)
	}
	return f.Catalog, f.Forms, nil
}

// recordPublished notes the form versions of the town's own catalog as
// published, so that none of them can change later, also across restarts.
func (m *Main) recordPublished(forms map[string][]byte) error {
	if m.CatalogDir == "" {
		return nil
	}
	published, err := catalog.ReadPublished(m.DataDir)
	if err != nil {
		return err
	}
	return published.Record(m.DataDir, forms)
}

// writePidFile tells "catalog publish" where this server is.
func (m *Main) writePidFile() error {
	rs := runningServer{PID: os.Getpid()}
	if m.CatalogDir != "" {
		abs, err := filepath.Abs(m.CatalogDir)
		if err != nil {
			return err
		}
		rs.Catalog = abs
	}
	b, _ := json.Marshal(rs)
	return os.WriteFile(filepath.Join(m.DataDir, pidFile), b, 0o600)
}

// removePidFile removes the pid file if it is still this process's
// (several processes on one data folder write it in turn).
func (m *Main) removePidFile() {
	path := filepath.Join(m.DataDir, pidFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var rs runningServer
	if json.Unmarshal(b, &rs) == nil && rs.PID == os.Getpid() {
		_ = os.Remove(path)
	}
}

// Reload reads the catalog folder again and publishes it (SIGHUP). A
// folder with problems, or a published form version changed, leaves what
// is served as it was. The outcome goes to the log and to the status file
// "catalog publish" waits for.
func (m *Main) Reload(ctx context.Context) error {
	st := publishStatus{}
	err := m.reload(ctx)
	if err != nil {
		m.Logger.Error("catalog not published", "dir", m.CatalogDir, "err", err)
		st.Error = err.Error()
	} else {
		st.OK = true
		cat := m.backend.Catalog()
		st.Services = len(cat.Services)
		st.Forms = m.backend.FormCount()
		m.Logger.Info("catalog published", "dir", m.CatalogDir, "services", st.Services, "forms", st.Forms)
	}
	st.At = time.Now()
	b, _ := json.Marshal(st)
	if werr := os.WriteFile(filepath.Join(m.DataDir, publishStatusFile), b, 0o600); werr != nil {
		m.Logger.Error("write the catalog status", "err", werr)
	}
	return err
}

func (m *Main) reload(ctx context.Context) error {
	if m.CatalogDir == "" {
		return errors.New("the server serves the demo town; start it with --catalog DIR to publish a folder")
	}
	cat, forms, err := m.loadCatalog()
	if err != nil {
		return err
	}
	if err := m.backend.Publish(ctx, cat, forms); err != nil {
		return err
	}
	return m.recordPublished(forms)
}
