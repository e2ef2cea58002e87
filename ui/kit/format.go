package kit

import (
	"time"

	"rathaus/app/fill"
)

// The one place the screens write dates and times: the way the chosen
// language writes them (app/fill keeps the rules, so that a form field and
// a list show a date alike). Each writes t in its own location: callers
// pass local time, or an office's.

// Date writes t's day: 07.12.2026 (de, tr, uk), 07/12/2026 (en).
func Date(t time.Time) string { return t.Format(fill.DateLayout(Lang())) }

// DateTime writes t's day and time: 07.12.2026 15:04.
func DateTime(t time.Time) string {
	return t.Format(fill.DateLayout(Lang()) + " 15:04")
}

// DayMonth writes t's day without the year: 07.12. (de), 07/12 (en).
func DayMonth(t time.Time) string { return t.Format(fill.DayMonthLayout(Lang())) }

// Number writes f with decimals places (-1: as many as needed) the
// language's way: 2,5 (de, tr, uk), 2.5 (en).
func Number(f float64, decimals int) string { return fill.FormatNumber(f, decimals, Lang()) }
