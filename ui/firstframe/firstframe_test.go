package firstframe

import (
	"testing"

	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

func TestFrame(t *testing.T) {
	for _, tc := range []struct {
		env      string
		wantExit bool
	}{
		{"1", true},
		{"", false},
	} {
		t.Run("env="+tc.env, func(t *testing.T) {
			t.Setenv(Env, tc.env)
			test.NewTempApp(t)
			label := widget.NewLabel("content")
			exited := make(chan int, 1)
			content := Frame(label, func(code int) { exited <- code })
			if !tc.wantExit && content != label {
				t.Fatalf("without %s the content changed: %T", Env, content)
			}
			w := test.NewTempWindow(t, content)
			select {
			case code := <-exited:
				t.Fatalf("exited with %d before any frame", code)
			default:
			}
			w.Canvas().Capture() // draws a frame
			select {
			case code := <-exited:
				if !tc.wantExit || code != 0 {
					t.Errorf("got exit %d, want an exit: %v", code, tc.wantExit)
				}
			default:
				if tc.wantExit {
					t.Error("no exit after the first frame")
				}
			}
		})
	}
}
