package loadtest

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Markdown writes the report as tables for BENCHMARKS.md.
func (r *Report) Markdown(w io.Writer) {
	o := r.Options
	fmt.Fprintf(w, "Each step %v at a constant arrival rate (open loop), request timeout %v, %.0f %% repeats of an earlier request; sustained: at least 99.9 %% 2xx, 2xx/s at least 95 %% of the rate, p99 at most %v.\n\n",
		o.Duration, o.Timeout, o.Repeat*100, o.SLO)
	fmt.Fprintln(w, "| target | rate/s | sent/s | 2xx/s | p50 | p99 | max | answers | sustained | in the database |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	results := slices.Clone(r.Results)
	slices.SortStableFunc(results, func(a, b Result) int {
		if c := slices.Index(r.Targets, a.Target) - slices.Index(r.Targets, b.Target); c != 0 {
			return c
		}
		return a.Rate - b.Rate
	})
	for _, res := range results {
		s := res.Step
		sus := "no"
		if s.Sustained(o.SLO) {
			sus = "yes"
		}
		if s.GeneratorLimited() {
			sus += " (generator behind)"
		}
		stored := "–"
		if res.Check != nil {
			stored = res.Check.String()
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %.0f | %s | %s | %s | %s | %s | %s |\n", s.Target, thousands(s.Rate), s.Sent, s.Throughput,
			ms(s.P50), ms(s.P99), ms(s.Max), answers(s), sus, stored)
	}
	fmt.Fprintln(w)
	base := r.Sustainable["baseline"]
	for _, t := range r.Targets {
		line := fmt.Sprintf("- %s: sustains %s/s", t, thousands(r.Sustainable[t]))
		if u := r.Unsustained[t]; u > 0 {
			line += fmt.Sprintf(", not %s/s", thousands(u))
		} else {
			line += " (every rate tried)"
		}
		if t != "baseline" && base > 0 {
			line += fmt.Sprintf("; %.2fx the baseline's sustainable rate", float64(r.Sustainable[t])/float64(base))
		}
		fmt.Fprintln(w, line)
	}
	r.ratios(w)
	if len(r.Overload) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| overload | rate/s | 2xx/s | p50 | p99 | answers | shed with Retry-After | /healthz probes failed (slowest) | in the database | verdict |")
	fmt.Fprintln(w, "|---|---|---|---|---|---|---|---|---|---|")
	for _, ov := range r.Overload {
		verdict := "pass"
		if f := ov.Failures(); len(f) > 0 {
			verdict = "FAIL: " + strings.Join(f, "; ")
		}
		stored := "not checked (server down)"
		if ov.Check != nil {
			stored = ov.Check.String()
		}
		fmt.Fprintf(w, "| %s | %s | %.0f | %s | %s | %s | %d | %d of %d (%s) | %s | %s |\n", ov.Target, thousands(ov.Rate), ov.Throughput,
			ms(ov.P50), ms(ov.P99), answers(ov.Step), ov.Shed, ov.HealthFailed, ov.HealthProbes, ms(ov.HealthMax), stored, verdict)
	}
}

// ratios writes each target's 2xx/s over the baseline's at the rates both
// ran.
func (r *Report) ratios(w io.Writer) {
	base := map[int]float64{}
	for _, res := range r.Results {
		if res.Target == "baseline" {
			base[res.Rate] = res.Throughput
		}
	}
	if len(base) == 0 {
		return
	}
	for _, t := range r.Targets {
		if t == "baseline" {
			continue
		}
		var parts []string
		for _, res := range r.Results {
			if res.Target == t && base[res.Rate] > 0 {
				parts = append(parts, fmt.Sprintf("%s/s %.2f", thousands(res.Rate), res.Throughput/base[res.Rate]))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(w, "- %s 2xx/s over the baseline's, per rate: %s\n", t, strings.Join(parts, ", "))
		}
	}
}

func answers(s *Step) string {
	codes := make([]string, 0, len(s.Status))
	for c := range s.Status {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	parts := make([]string, len(codes))
	for i, c := range codes {
		parts[i] = fmt.Sprintf("%s: %d", c, s.Status[c])
	}
	out := strings.Join(parts, ", ")
	if len(s.Errors) > 0 {
		out += " (" + strings.Join(s.Errors, ", ") + ")"
	}
	return out
}

func ms(d time.Duration) string {
	switch {
	case d >= time.Second:
		return fmt.Sprintf("%.2f s", d.Seconds())
	case d >= 10*time.Millisecond:
		return fmt.Sprintf("%.0f ms", float64(d)/1e6)
	}
	return fmt.Sprintf("%.1f ms", float64(d)/1e6)
}

// thousands writes n with a comma between thousands, as BENCHMARKS.md does.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
