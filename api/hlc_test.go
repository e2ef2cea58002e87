package api

import (
	"sort"
	"testing"
)

func TestHLCStringAndParse(t *testing.T) {
	tests := []struct {
		name string
		c    HLC
		want string
	}{
		{"zero wall", HLC{Device: "d_1"}, "0000000000000-00000-d_1"},
		{"typical", HLC{Wall: 1796032800000, Counter: 3, Device: "d_5f0c2a9e11b7d402"}, "1796032800000-00003-d_5f0c2a9e11b7d402"},
		{"maxima", HLC{Wall: MaxHLCWall, Counter: MaxHLCCounter, Device: "x-y"}, "9999999999999-99999-x-y"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.c.String()
			if got != tt.want {
				t.Fatalf("String() = %q, want %q", got, tt.want)
			}
			back, err := ParseHLC(got)
			if err != nil || back != tt.c {
				t.Errorf("ParseHLC(%q) = %+v, %v; want %+v", got, back, err, tt.c)
			}
		})
	}
}

func TestParseHLCRefuses(t *testing.T) {
	for _, s := range []string{
		"", "1796032800000-00003-", "1796032800000-00003", "179603280000-00003-d_1",
		"1796032800000-0003-d_1", "1796032800000-00003-d 1", "+796032800000-00003-d_1",
		"1796032800000_00003-d_1", "1796032800000-0000a-d_1", "1796032800000-00003-d_ü",
	} {
		t.Run(s, func(t *testing.T) {
			if c, err := ParseHLC(s); err == nil {
				t.Errorf("ParseHLC(%q) = %+v, want an error", s, c)
			}
		})
	}
}

// TestHLCStringOrderIsClockOrder: sorting the strings sorts the clocks.
func TestHLCStringOrderIsClockOrder(t *testing.T) {
	clocks := []HLC{
		{Wall: 2, Counter: 0, Device: "d_a"},
		{Wall: 1, Counter: 99999, Device: "d_b"},
		{Wall: 1, Counter: 5, Device: "d_ab"},
		{Wall: 1, Counter: 5, Device: "d_a"},
		{Wall: 1000000000000, Counter: 0, Device: "d_0"},
		{Wall: 1, Counter: 10, Device: "d_a"},
	}
	strs := make([]string, len(clocks))
	for i, c := range clocks {
		strs[i] = c.String()
	}
	sort.Strings(strs)
	sort.Slice(clocks, func(i, j int) bool { return clocks[i].Compare(clocks[j]) < 0 })
	for i := range clocks {
		if clocks[i].String() != strs[i] {
			t.Errorf("position %d: by Compare %s, by string %s", i, clocks[i], strs[i])
		}
	}
	if c := clocks[0]; c.Compare(c) != 0 {
		t.Errorf("%s.Compare(itself) = %d, want 0", c, c.Compare(c))
	}
}

func TestHLCTickAndObserve(t *testing.T) {
	local := HLC{Wall: 100, Counter: 2, Device: "d_a"}
	tests := []struct {
		name string
		got  HLC
		want HLC
	}{
		{"tick, wall moved on", local.Tick(150), HLC{Wall: 150, Device: "d_a"}},
		{"tick, same wall", local.Tick(100), HLC{Wall: 100, Counter: 3, Device: "d_a"}},
		{"tick, wall behind", local.Tick(90), HLC{Wall: 100, Counter: 3, Device: "d_a"}},
		{"tick, counter full", HLC{Wall: 100, Counter: MaxHLCCounter, Device: "d_a"}.Tick(100), HLC{Wall: 101, Device: "d_a"}},
		{"observe, remote ahead", local.Observe(HLC{Wall: 200, Counter: 7, Device: "d_b"}, 150), HLC{Wall: 200, Counter: 8, Device: "d_a"}},
		{"observe, same wall", local.Observe(HLC{Wall: 100, Counter: 9, Device: "d_b"}, 50), HLC{Wall: 100, Counter: 10, Device: "d_a"}},
		{"observe, local ahead", local.Observe(HLC{Wall: 50, Counter: 9, Device: "d_b"}, 50), HLC{Wall: 100, Counter: 3, Device: "d_a"}},
		{"observe, now ahead", local.Observe(HLC{Wall: 50, Counter: 9, Device: "d_b"}, 300), HLC{Wall: 300, Device: "d_a"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got != tt.want {
				t.Errorf("got %s, want %s", tt.got, tt.want)
			}
		})
	}
	remote := HLC{Wall: 100, Counter: 9, Device: "d_b"}
	if next := local.Observe(remote, 100).Tick(100); next.Compare(remote) <= 0 || next.Compare(local) <= 0 {
		t.Errorf("a tick after observing %s is %s, want later than it and than %s", remote, next, local)
	}
}
