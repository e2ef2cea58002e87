package portal_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"rathaus/api"
	"rathaus/app/citizen"
	"rathaus/sync/portal"
)

func TestBookClassifiesAnswers(t *testing.T) {
	req := api.BookingRequest{Service: "anmeldung-wohnung", Office: "buergerbuero", Start: time.Date(2026, 12, 8, 8, 0, 0, 0, time.UTC)}
	taken := `{"type":"` + api.ProblemSlotTaken + `","title":"Slot Taken","status":409,
		"alternatives":[{"start":"2026-12-08T08:15:00Z","end":"2026-12-08T08:30:00Z"}]}`
	for _, tc := range []struct {
		name                 string
		h                    http.HandlerFunc
		status               int
		transient, slotTaken bool
		code                 string
	}{
		{"slot taken", respond(409, api.ContentTypeProblem, taken), 409, false, true, citizen.EREJECTED},
		{"other conflict", respond(409, api.ContentTypeProblem, `{"type":"`+api.ProblemConflict+`","title":"Conflict","status":409}`), 409, false, false, citizen.EREJECTED},
		{"busy", respond(503, api.ContentTypeProblem, `{"title":"Service Unavailable","status":503}`, "Retry-After", "1"), 503, true, false, citizen.EUNAVAILABLE},
		{"booking without code", respond(201, api.ContentTypeJSON, `{"id":"b_1"}`), 201, true, false, citizen.EUNAVAILABLE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := portal.New(serve(t, tc.h).URL)
			_, err := c.Book(context.Background(), "k", req)
			responseError(t, err, tc.status, tc.transient, tc.code)
			st, ok := errors.AsType[*portal.SlotTakenError](err)
			if ok != tc.slotTaken {
				t.Fatalf("SlotTakenError = %v, want %v", ok, tc.slotTaken)
			}
			if ok && (len(st.Alternatives) != 1 || !st.Alternatives[0].Start.Equal(req.Start.Add(15*time.Minute))) {
				t.Errorf("alternatives = %+v, want the one the backend sent", st.Alternatives)
			}
		})
	}
}

func TestBookSendsKeyAndReadsBooking(t *testing.T) {
	var key string
	c := portal.New(serve(t, func(w http.ResponseWriter, r *http.Request) {
		key = r.Header.Get(api.HeaderIdempotencyKey)
		respond(201, api.ContentTypeJSON, `{"id":"b_1","code":"K7MQ-P2XD","status":"booked"}`)(w, r)
	}).URL)
	b, err := c.Book(context.Background(), "key-1", api.BookingRequest{})
	if err != nil || b.ID != "b_1" || b.Code != "K7MQ-P2XD" || key != "key-1" {
		t.Errorf("Book = %+v, %v, key %q; want b_1 with its code, sent under key-1", b, err, key)
	}
}
