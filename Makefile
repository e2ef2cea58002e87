# Rathaus: the two commands a newcomer needs are `make run` and `make test`.
# Every target installs what it is missing first (scripts/deps.sh).

# One set of build tags for every build and test, so that they share one
# build cache: FTS5 in go-sqlite3, and secure delete (deleted rows zeroed).
export GOFLAGS := -tags=sqlite_fts5,sqlite_secure_delete

STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2

.PHONY: run test build deps lint screenshot screenshots-all clean load fuzz package bench-start

## run: build, start the reference backend and the app against it
run:
	@scripts/check-display.sh
	@$(MAKE) --no-print-directory build
	@scripts/run.sh

## test: install what is missing, lint, run every test with a real keyring
## and a throwaway PostgreSQL cluster (for server/postgres and scale-out)
test: lint
	LANG=en_US.UTF-8 RATHAUS_REQUIRE_KEYRING=1 scripts/with-postgres.sh scripts/with-keyring.sh go test -count=1 ./...

## build: the app (bin/rathaus) and the backend (bin/rathaus-server)
build: deps
	go build -o bin/rathaus .
	go build -o bin/rathaus-server ./cmd/rathaus-server

## deps: Debian packages for Fyne's cgo build, Xvfb, keyring; Go modules
deps:
	@scripts/deps.sh

## lint: go vet (also of the screenshot tests), gofmt, staticcheck
lint: deps
	go vet ./...
	@# the screenshot tests build only with their tag: vetted so that they keep compiling
	go vet -tags=sqlite_fts5,sqlite_secure_delete,screenshot ./ui/...
	@unformatted=$$(gofmt -l .); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change: $$unformatted"; exit 1; fi
	go run $(STATICCHECK) ./...

## screenshot: the real app under Xvfb: docs/screenshot.png (main screen),
## docs/sync-status.png (sync indicator, per-item status), docs/form-repeat.png,
## docs/reports-search.png and docs/reports-duplicates.png (the issue report),
## docs/opendata.png and docs/opendata-decisions.png (the open data),
## docs/account-signed-out.png, docs/account-code.png, docs/account.png (the login)
## docs/kiosk-start.png, docs/kiosk-session.png, docs/kiosk-handoff.png, docs/kiosk-receipt.png (kiosk mode)
## docs/polls*.png (Mitreden: the list, an answer, results at 100 and 200 %)
screenshot: build
	scripts/screenshot.sh docs/screenshot.png
	RATHAUS_LANG=$${RATHAUS_LANG:-de} xvfb-run -a -s "-screen 0 1280x900x24" \
		go test -count=1 -tags=sqlite_fts5,sqlite_secure_delete,screenshot -run '^TestScreenshots$$' ./ui/ -args -shots $(CURDIR)/docs
	RATHAUS_LANG=$${RATHAUS_LANG:-de} xvfb-run -a -s "-screen 0 1280x1000x24" \
		go test -count=1 -tags=sqlite_fts5,sqlite_secure_delete,screenshot -run Screenshots ./ui/reports/ -args -shots $(CURDIR)/docs
	RATHAUS_LANG=$${RATHAUS_LANG:-de} xvfb-run -a -s "-screen 0 1280x800x24" \
		go test -count=1 -tags=sqlite_fts5,sqlite_secure_delete,screenshot -run Screenshots ./ui/kiosk/ -args -shots $(CURDIR)/docs
	RATHAUS_LANG=$${RATHAUS_LANG:-de} xvfb-run -a -s "-screen 0 1280x1000x24" \
		go test -count=1 -tags=sqlite_fts5,sqlite_secure_delete,screenshot -run Screenshots ./ui/polls/ -args -shots $(CURDIR)/docs

## screenshots-all: every screen (the tour in ui/tour_test.go) into
## docs/screens/VARIANT/: desktop, 200 % text, high contrast and Ukrainian
## from the desktop driver, then the phone in fyne's mobile simulation
## (-tags mobile); the index is docs/screens/README.md. Not in `make test`.
SCREENS_VARIANTS ?= desktop,200,high,uk
screenshots-all: deps
	RATHAUS_LANG=$${RATHAUS_LANG:-de} xvfb-run -a -s "-screen 0 1280x1000x24" \
		go test -count=1 -timeout 20m -tags=sqlite_fts5,sqlite_secure_delete,screenshot -run '^TestScreensAll$$' ./ui/ \
		-args -shots $(CURDIR)/docs/screens -variants $(SCREENS_VARIANTS)
	RATHAUS_LANG=$${RATHAUS_LANG:-de} xvfb-run -a -s "-screen 0 1280x1600x24" \
		go test -count=1 -timeout 20m -tags=sqlite_fts5,sqlite_secure_delete,screenshot,mobile -run '^TestScreensAll$$' ./ui/ \
		-args -shots $(CURDIR)/docs/screens -variants phone

## bench-start: the app's start to its first frame, CPU and peak memory
## against Fyne's hello-world, BENCH_RUNS runs each in turn under Xvfb, and
## what each takes of a core while idle (BENCHMARKS.md). Not in `make test`.
BENCH_RUNS ?= 10
bench-start: deps
	@scripts/deps.sh bench
	scripts/bench-start.sh $(BENCH_RUNS)

## load: open-loop load of submissions at LOAD_RATES per second for
## LOAD_DURATION each, against rathaus-server on SQLite and a bare net/http +
## SQLite baseline, then the overload check; Markdown tables on stdout.
## LOAD_FLAGS adds flags (bin/rathaus-load -h), e.g. --db postgres://...
LOAD_RATES ?= 250,500,1000,2000
LOAD_DURATION ?= 10s
LOAD_FLAGS ?=
load: deps
	go build -o bin/rathaus-load ./cmd/rathaus-load
	bin/rathaus-load --rates $(LOAD_RATES) --duration $(LOAD_DURATION) $(LOAD_FLAGS)

## fuzz: every fuzz target of the module for FUZZTIME each (FUZZ_MATCH
## picks some, FUZZ_SAVE=1 keeps their corpora in testdata/fuzz/)
FUZZTIME ?= 30s
fuzz: deps
	scripts/fuzz.sh $(FUZZTIME)

## reliability: the long runs of what `make test` runs short: the backend
## SIGKILLed under load KILL_CYCLES times, the app's core SIGKILLed
## APP_KILL_CYCLES times and a full disk under it, and the bad-input
## catalogue with its known failures listed. Add a part by adding a target
## to RELIABILITY_PARTS.
KILL_CYCLES ?= 100
APP_KILL_CYCLES ?= 1000
RELIABILITY_PARTS := reliability-backend-kill reliability-app reliability-bad-input
.PHONY: reliability $(RELIABILITY_PARTS)
reliability: $(RELIABILITY_PARTS)

reliability-backend-kill: deps
	go test -count=1 -timeout 60m -run '^TestBackendKill$$' -v ./reliability -kill.cycles=$(KILL_CYCLES)

# The full disk runs on a tmpfs as root, on an injected SQLITE_FULL always.
reliability-app: deps
	go test -count=1 -timeout 60m -run '^(TestAppCrash|TestDiskFull)$$' -v ./reliability -appcrash.kills=$(APP_KILL_CYCLES)

reliability-bad-input: deps
	go test -count=1 -run '^TestBadInput$$' -v ./reliability

## package: the Linux desktop package (tar.xz) and the Windows executable,
## built with the fyne tool from FyneApp.toml, into dist/. The fyne tool goes
## to bin/tools/, the mingw-w64 cross compiler is installed by scripts/deps.sh.
FYNE_TOOL_VERSION := v1.7.4
FYNE := $(CURDIR)/bin/tools/fyne-$(FYNE_TOOL_VERSION)/fyne
$(FYNE):
	GOBIN=$(dir $(FYNE)) go install fyne.io/tools/cmd/fyne@$(FYNE_TOOL_VERSION)

package: $(FYNE)
	@scripts/deps.sh package
	FYNE=$(FYNE) scripts/package.sh

clean:
	rm -rf bin .run dist
