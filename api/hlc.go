package api

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// HLC is a hybrid logical clock reading, the Clock of a DraftField. Its text
// form is "%013d-%05d-%s": the wall time in Unix milliseconds, a counter that
// orders changes within one millisecond, and the id of the device that made
// the change, for example "1796032800000-00003-d_5f0c2a9e11b7d402".
//
// The widths are fixed, so comparing two clock strings as strings orders
// them like Compare does; two devices never make the same clock because
// their ids differ. The later clock wins.
type HLC struct {
	Wall    int64  // Unix milliseconds, 0 to MaxHLCWall
	Counter uint32 // 0 to MaxHLCCounter
	Device  string // the device's id (Device.ID); not empty
}

// Bounds of the clock's numeric parts (their decimal widths).
const (
	MaxHLCWall    = 9999999999999
	MaxHLCCounter = 99999
)

// String returns the clock's text form.
func (c HLC) String() string {
	return fmt.Sprintf("%013d-%05d-%s", c.Wall, c.Counter, c.Device)
}

// ParseHLC reads a clock in its text form, strictly: 13 digits, "-", 5
// digits, "-", and a device id of printable ASCII without spaces.
func ParseHLC(s string) (HLC, error) {
	bad := func(why string) (HLC, error) {
		return HLC{}, fmt.Errorf("clock %q: %s; want WALLMS13-COUNTER5-DEVICE", s, why)
	}
	if len(s) < 21 || s[13] != '-' || s[19] != '-' {
		return bad("malformed")
	}
	if !allDigits(s[:13]) || !allDigits(s[14:19]) {
		return bad("wall time and counter must be digits")
	}
	wall, err1 := strconv.ParseInt(s[:13], 10, 64)
	counter, err2 := strconv.ParseUint(s[14:19], 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return bad(err.Error())
	}
	dev := s[20:]
	for i := 0; i < len(dev); i++ {
		if dev[i] <= ' ' || dev[i] > '~' {
			return bad("the device id must be printable ASCII without spaces")
		}
	}
	return HLC{Wall: wall, Counter: uint32(counter), Device: dev}, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Compare returns -1, 0 or +1 as c is earlier than, the same as, or later
// than o: by wall time, then counter, then device id.
func (c HLC) Compare(o HLC) int {
	switch {
	case c.Wall != o.Wall:
		return cmpInt(c.Wall, o.Wall)
	case c.Counter != o.Counter:
		return cmpInt(int64(c.Counter), int64(o.Counter))
	}
	return strings.Compare(c.Device, o.Device)
}

func cmpInt(a, b int64) int {
	if a < b {
		return -1
	}
	return 1
}

// Tick returns the clock of a new local change at wall time now (Unix
// milliseconds): later than c, and than now's reading. c.Device is kept.
func (c HLC) Tick(now int64) HLC {
	if now > c.Wall {
		return HLC{Wall: now, Device: c.Device}
	}
	return c.next(c.Wall, c.Counter)
}

// Observe returns the local clock after seeing a remote clock at wall time
// now, so that the next Tick is later than both. c.Device is kept.
func (c HLC) Observe(remote HLC, now int64) HLC {
	wall := max(c.Wall, remote.Wall, now)
	switch {
	case wall == c.Wall && wall == remote.Wall:
		return c.next(wall, max(c.Counter, remote.Counter))
	case wall == c.Wall:
		return c.next(wall, c.Counter)
	case wall == remote.Wall:
		return c.next(wall, remote.Counter)
	}
	return HLC{Wall: wall, Device: c.Device}
}

// next is (wall, counter+1), or the next millisecond when the counter would
// outgrow its five digits.
func (c HLC) next(wall int64, counter uint32) HLC {
	if counter >= MaxHLCCounter {
		return HLC{Wall: wall + 1, Device: c.Device}
	}
	return HLC{Wall: wall, Counter: counter + 1, Device: c.Device}
}
