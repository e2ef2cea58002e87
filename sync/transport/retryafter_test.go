package transport_test

import (
	"net/http"
	"testing"
	"time"

	"rathaus/sync/transport"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 11, 28, 10, 0, 0, 0, time.UTC)
	date := func(d time.Duration) string { return now.Add(d).Format(http.TimeFormat) }
	for _, tc := range []struct {
		name, header string
		want         time.Duration
	}{
		{"none", "", 0},
		{"seconds", "120", 2 * time.Minute},
		{"seconds with spaces", " 7 ", 7 * time.Second},
		{"zero", "0", 0},
		{"negative", "-5", 0},
		{"fraction", "1.5", 0},
		{"words", "soon", 0},
		{"a day in seconds", "86400", transport.MaxRetryAfter},
		{"more seconds than an int64 holds", "99999999999999999999", 0},
		{"the largest int64", "9223372036854775807", transport.MaxRetryAfter},
		{"date in a minute", date(time.Minute), time.Minute},
		{"date in the past", date(-time.Minute), 0},
		// The server's clock, or the phone's, a day off: the app waits an
		// hour, not a day.
		{"date a day ahead", date(24*time.Hour + time.Minute), transport.MaxRetryAfter},
		{"date in 2099", "Wed, 21 Oct 2099 07:28:00 GMT", transport.MaxRetryAfter},
		{"garbled date", "Mon, 99 Foo 2026 25:61:00 GMT", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := transport.RetryAfter(tc.header, now); got != tc.want {
				t.Errorf("RetryAfter(%q) = %v, want %v", tc.header, got, tc.want)
			}
		})
	}
}
