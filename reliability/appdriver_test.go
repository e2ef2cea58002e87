package reliability

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"rathaus/api"
	"rathaus/api/formschema"
	"rathaus/app/citizen"
	"rathaus/app/fill"
	"rathaus/app/secrets"
	"rathaus/app/store"
	"rathaus/assets"
	"rathaus/sync/engine"
	"rathaus/sync/portal"
	"rathaus/sync/upload"
)

// The app's core without a window, as TestAppCrash runs it in a child
// process that it SIGKILLs: wired as main.go wires it (the secret store,
// the store on its file, the demo town seeded, the engine's loop against
// the backend), and driven as the form screen drives it: a draft created
// as ServiceScreen.onStart does, typed into through app/fill as
// FormScreen.onChange does (fill.State.Set; the state's saves, coalesced
// while typing on the timer's goroutine and at once on a step change, a
// file attached, leaving the form and sending, go through
// Store.SaveDraft), files attached as the file field does, left as
// FormScreen.Left does and submitted as FormScreen.onSubmit does. Each
// step is reported on a pipe before it starts and again once the store
// returned from it, so that the parent knows, after the kill, what the
// store acknowledged and what was in flight.

// The child's environment: its data folder, the backend, its seed.
const (
	appCrashDirEnv     = "RATHAUS_APPCRASH_DIR"
	appCrashBackendEnv = "RATHAUS_APPCRASH_BACKEND"
	appCrashSeedEnv    = "RATHAUS_APPCRASH_SEED"
)

// appCrashService names the install's secrets; they live in the key file
// (the protection phones always have), so no keyring outlives the test.
const appCrashService = "rathaus-appcrash"

// openAppKeys opens the key file of the data folder, as the app does where
// no keyring answers.
func openAppKeys(dir string) (*secrets.Keychain, error) {
	return secrets.Open(dir, appCrashService, secrets.WithKeyring(secrets.NoKeyring))
}

// appDeviceSecret is where the engine keeps the device credential.
func appDeviceSecret(installID string) string { return "device-token-" + installID }

// reporter writes the driver's lines to the parent, one write each: a line
// the kill cut short is one the parent ignores, and a pipe the parent
// closed ends the driver.
type reporter struct{ f *os.File }

func (r *reporter) say(words ...string) {
	if _, err := r.f.WriteString(strings.Join(words, " ") + "\n"); err != nil {
		os.Exit(3)
	}
}

// valuesDigest identifies a draft's values and step: canonical JSON
// (encoding/json sorts map keys), as the store seals them and unseals them.
func valuesDigest(values map[string]any, step int) string {
	b, err := json.Marshal(values)
	if err != nil {
		return "unmarshalable:" + err.Error()
	}
	var v any
	if err := json.Unmarshal(b, &v); err != nil {
		return "unreadable:" + err.Error()
	}
	b, _ = json.Marshal(v)
	sum := sha256.Sum256(fmt.Appendf(b, "#%d", step))
	return hex.EncodeToString(sum[:8])
}

// reportingSaver is fill's Saver: the store's SaveDraft, with a line
// before ("try") and after ("ack", or "nack" with the error).
type reportingSaver struct {
	st  *store.Store
	rep *reporter
}

var _ fill.Saver = reportingSaver{}

func (s reportingSaver) SaveDraft(ctx context.Context, id string, values map[string]any, step int) error {
	digest := valuesDigest(values, step)
	s.rep.say("try", id, digest)
	if err := s.st.SaveDraft(ctx, id, values, step); err != nil {
		s.rep.say("nack", id, citizen.ErrorCode(err), strconv.Quote(err.Error()))
		return err
	}
	s.rep.say("ack", id, digest)
	return nil
}

// appCrashChild is the child process: it runs the driver until it is
// killed. It never returns by itself unless something failed (which the
// parent reports), or after two minutes, in case the parent is gone.
func appCrashChild(dir string) {
	rep := &reporter{f: os.NewFile(3, "report")}
	seed, _ := strconv.ParseUint(os.Getenv(appCrashSeedEnv), 10, 64)
	time.AfterFunc(2*time.Minute, func() { os.Exit(4) })
	err := runAppDriver(context.Background(), dir, os.Getenv(appCrashBackendEnv), seed, rep)
	rep.say("fail", strconv.Quote(fmt.Sprint(err)))
	fmt.Fprintln(os.Stderr, "app driver:", err)
	os.Exit(2)
}

// openAppCore opens the app's data in dir as main.go does: the secret
// store, the database with its data key, the demo town seeded on the first
// start.
func openAppCore(ctx context.Context, dir string) (*secrets.Keychain, *store.Store, api.Catalog, error) {
	keys, err := openAppKeys(dir)
	if err != nil {
		return nil, nil, api.Catalog{}, err
	}
	st, err := store.Open(ctx, filepath.Join(dir, "rathaus.db"), keys)
	if err != nil {
		return nil, nil, api.Catalog{}, err
	}
	cat, err := assets.DemoCatalog()
	if err == nil {
		err = assets.SeedDemo(ctx, st)
	}
	if err != nil {
		st.Close()
		return nil, nil, api.Catalog{}, err
	}
	return keys, st, cat, nil
}

// runAppDriver starts the app's core as main.go does and drives it; it
// returns only with an error.
func runAppDriver(ctx context.Context, dir, backend string, seed uint64, rep *reporter) error {
	keys, st, cat, err := openAppCore(ctx, dir)
	if err != nil {
		return err
	}
	eng := engine.New(st, portal.New(backend), upload.New(backend), keys)
	go eng.Run(ctx)
	rep.say("ready", st.InstallID())
	d := &appDriver{st: st, eng: eng, rep: rep, save: reportingSaver{st, rep},
		rng: rand.New(rand.NewPCG(seed, 0x5eed)), services: cat.Services, forms: map[api.FormRef]*formschema.Form{}}
	return d.run(ctx)
}

// appDriver plays a citizen: a few drafts open at once, each typed into a
// few fields at a time (the citizen goes back and forth between them), and
// sent once it is complete. What it types is the demo example of each
// form, so that every submission is one the backend accepts.
type appDriver struct {
	st       *store.Store
	eng      *engine.Engine
	rep      *reporter
	save     reportingSaver
	rng      *rand.Rand
	services []api.Service
	forms    map[api.FormRef]*formschema.Form
}

// openDrafts is how many drafts the citizen keeps going at once.
const openDrafts = 3

func (a *appDriver) run(ctx context.Context) error {
	for {
		drafts, err := a.st.Drafts(ctx)
		if err != nil {
			return err
		}
		var open []*citizen.Draft
		for _, d := range drafts {
			if d.Locked {
				return fmt.Errorf("draft %s cannot be unsealed with the data key", d.ID)
			}
			if d.State.Editable() {
				open = append(open, d)
			}
		}
		if len(open) < openDrafts {
			if err := a.create(ctx); err != nil {
				return err
			}
			continue
		}
		if err := a.session(ctx, open[a.rng.IntN(len(open))]); err != nil {
			return err
		}
	}
}

// create starts a draft of a random service, as the service screen's
// "Start" does.
func (a *appDriver) create(ctx context.Context) error {
	d := citizen.NewDraft(a.services[a.rng.IntN(len(a.services))], time.Now())
	a.rep.say("create", d.ID)
	if err := a.st.CreateDraft(ctx, d); err != nil {
		return err
	}
	a.rep.say("created", d.ID)
	return nil
}

func (a *appDriver) form(ctx context.Context, ref api.FormRef) (*formschema.Form, error) {
	if f, ok := a.forms[ref]; ok {
		return f, nil
	}
	body, err := a.st.Form(ctx, ref)
	if err != nil {
		return nil, err
	}
	f, err := formschema.Parse(body)
	if err != nil {
		return nil, err
	}
	a.forms[ref] = f
	return f, nil
}

// session opens a draft's form, enters a few of the fields still missing
// and, once none is, sends it (or, now and then, leaves it for later).
func (a *appDriver) session(ctx context.Context, d *citizen.Draft) error {
	f, err := a.form(ctx, d.Form)
	if err != nil {
		return err
	}
	example, err := assets.DemoExample(d.Form.ID)
	if err != nil {
		return err
	}
	// The driver types at a machine's pace: the delays shrink with it, so
	// that the timer's saves (on their own goroutine) happen, and are
	// killed, as often among its keystrokes as among a citizen's.
	state := fill.New(f, d, "en", a.save, fill.WithDelays(2*time.Millisecond, 10*time.Millisecond))
	if err := state.SaveStatus().Err; err != nil {
		return err
	}
	budget := 1 + a.rng.IntN(6)
	for _, l := range exampleLeaves(f, example) {
		if l.entered(state) {
			continue
		}
		if budget == 0 {
			return state.Flush() // the form is left: FormScreen.Left
		}
		budget--
		if err := a.enter(ctx, state, l); err != nil {
			return err
		}
	}
	if !state.CheckAll() {
		var bad []string
		for i := range f.Def.Steps {
			for _, p := range state.StepPointers(i) {
				if m := state.Message(p); m != "" {
					bad = append(bad, p+": "+m)
				}
			}
		}
		return fmt.Errorf("the example of %s, entered, does not pass the form's checks: %s", d.Form.ID, strings.Join(bad, "; "))
	}
	if a.rng.IntN(4) == 0 {
		return state.Flush() // the citizen looks at the summary and sends it later
	}
	if err := state.Flush(); err != nil {
		return err
	}
	a.rep.say("submit", d.ID)
	it, err := a.st.Submit(ctx, d.ID, state.Payload())
	if err != nil {
		return err
	}
	a.rep.say("submitted", d.ID, it.IdempotencyKey)
	a.eng.Kick()
	return nil
}

// leaf is one value of an example the citizen enters on its own: a text
// typed, a choice picked, a file attached.
type leaf struct {
	pointer string
	value   any
	widget  api.Widget
	repeat  string // the repeat it is in, if any
	item    int    // its item's index there
}

// exampleLeaves lists the values of example in the form's order.
func exampleLeaves(f *formschema.Form, example map[string]any) []leaf {
	var out []leaf
	var walk func(fields []api.Field, base, repeat string, item int)
	walk = func(fields []api.Field, base, repeat string, item int) {
		for i := range fields {
			fd := &fields[i]
			if !fd.Widget.HasValue() {
				continue
			}
			p := base + api.PointerToken(fd.Key)
			v, ok := formschema.Get(example, p)
			if !ok {
				continue
			}
			switch fd.Widget {
			case api.WidgetGroup, api.WidgetAddress:
				walk(f.Children(fd), p, repeat, item)
			case api.WidgetRepeat:
				items, _ := v.([]any)
				for j := range items {
					walk(f.Children(fd), p+"/"+strconv.Itoa(j), p, j)
				}
			default:
				out = append(out, leaf{pointer: p, value: v, widget: fd.Widget, repeat: repeat, item: item})
			}
		}
	}
	for _, st := range f.Def.Steps {
		walk(st.Fields, "", "", 0)
	}
	return out
}

// typed reports whether a widget takes its value keystroke by keystroke.
func typed(w api.Widget) bool {
	switch w {
	case api.WidgetText, api.WidgetTextarea, api.WidgetEmail, api.WidgetPhone, api.WidgetPostcode, api.WidgetIBAN:
		return true
	}
	return false
}

// entered reports whether the draft holds the leaf's value (for a file:
// any file).
func (l leaf) entered(state *fill.State) bool {
	cur, ok := state.Value(l.pointer)
	if !ok {
		return false
	}
	if l.widget == api.WidgetFile || l.widget == api.WidgetPhoto {
		m, _ := cur.(map[string]any)
		id, _ := m["id"].(string)
		return id != ""
	}
	a, _ := json.Marshal(cur)
	b, _ := json.Marshal(l.value)
	return string(a) == string(b)
}

// enter goes to the leaf's step and enters its value: a text a few
// characters per change (a keystroke, or a few at once from a fast
// typist), a file attached as the file field does, anything else at once.
func (a *appDriver) enter(ctx context.Context, state *fill.State, l leaf) error {
	if step := state.Form().StepOf(l.pointer); step >= 0 && step != state.Step() {
		state.GoTo(step)
	}
	if l.repeat != "" {
		for state.Items(l.repeat) <= l.item {
			state.AddItem(l.repeat)
		}
	}
	switch {
	case typed(l.widget):
		target := []rune(fmt.Sprint(l.value))
		cur, _ := state.Value(l.pointer)
		s, _ := cur.(string)
		if !strings.HasPrefix(string(target), s) {
			state.Set(l.pointer, nil)
			s = ""
		}
		for n := len([]rune(s)); n < len(target); {
			n = min(n+1+a.rng.IntN(4), len(target))
			state.Set(l.pointer, string(target[:n]))
			if err := state.SaveStatus().Err; err != nil {
				return err
			}
			time.Sleep(time.Duration(a.rng.IntN(3000)) * time.Microsecond)
		}
	case l.widget == api.WidgetFile || l.widget == api.WidgetPhoto:
		ex, _ := l.value.(map[string]any)
		name, _ := ex["name"].(string)
		mediaType, _ := ex["type"].(string)
		// A photo as the phone leaves it after downscaling: up to 1 MB,
		// enough for a kill to land in its upload now and then.
		data := make([]byte, 64<<10+a.rng.IntN(960<<10))
		var seed [32]byte
		for i := range seed {
			seed[i] = byte(a.rng.Uint32())
		}
		_, _ = rand.NewChaCha8(seed).Read(data)
		att, err := a.st.AddAttachment(ctx, state.Draft().ID, name, mediaType, data)
		if err != nil {
			return err
		}
		state.Set(l.pointer, fill.ToValue(att))
		return state.Flush() // as the file field does
	default:
		state.Set(l.pointer, l.value)
	}
	return state.SaveStatus().Err
}
