package casework_test

import (
	"errors"
	"strings"
	"testing"

	"rathaus/api"
	"rathaus/server/casework"
)

func TestCheckMove(t *testing.T) {
	tests := []struct {
		from, to string
		ok       bool
	}{
		{api.StatusReceived, api.StatusInReview, true},
		{api.StatusReceived, api.StatusDecided, true},
		{api.StatusInReview, api.StatusReceived, false},
		{api.StatusInReview, api.StatusInReview, false},
		{api.StatusInspection, api.StatusInfoNeeded, true},
		{api.StatusInfoNeeded, api.StatusInReview, true},
		{api.StatusInfoNeeded, api.StatusReceived, false},
		{api.StatusInReview, api.StatusClosed, false},
		{api.StatusDecided, api.StatusClosed, true},
		{api.StatusDecided, api.StatusInReview, false},
		{api.StatusClosed, api.StatusDecided, false},
	}
	for _, tt := range tests {
		t.Run(tt.from+">"+tt.to, func(t *testing.T) {
			err := casework.CheckMove(tt.from, tt.to)
			if got := err == nil; got != tt.ok {
				t.Fatalf("CheckMove = %v, want allowed %v", err, tt.ok)
			}
			var me *casework.MoveError
			if err != nil && !errors.As(err, &me) {
				t.Errorf("error %T, want *MoveError", err)
			}
		})
	}
	// Every status is reachable from received.
	seen := map[string]bool{api.StatusReceived: true}
	for queue := []string{api.StatusReceived}; len(queue) > 0; queue = queue[1:] {
		for _, n := range casework.Next(queue[0]) {
			if !seen[n] {
				seen[n] = true
				queue = append(queue, n)
			}
		}
	}
	for _, s := range api.Statuses {
		if !seen[s] {
			t.Errorf("status %s cannot be reached", s)
		}
	}
}

func TestMoveErrorSaysWhatIsAllowed(t *testing.T) {
	err := casework.CheckMove(api.StatusClosed, api.StatusDecided)
	if err == nil || !strings.Contains(err.Error(), "cannot move any more") {
		t.Errorf("err = %v", err)
	}
}
