package kit

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
)

// box is an object of a fixed least size.
func box(w, h float32) fyne.CanvasObject {
	r := canvas.NewRectangle(nil)
	r.SetMinSize(fyne.NewSize(w, h))
	return r
}

// TestFlow: the objects stand on one line, at the trailing edge, while
// they fit, and go on the next line when they do not; the least width is
// the widest object's, and the height follows the lines.
func TestFlow(t *testing.T) {
	test.NewTempApp(t)
	pad := theme.Padding()
	rows := []struct {
		width     float32
		wantLines int
	}{
		{1000, 1},
		{3*100 + 2*pad, 1},
		{3*100 + 2*pad - 1, 2},
		{150, 3},
	}
	for _, row := range rows {
		t.Run(fmt.Sprint(row.width), func(t *testing.T) {
			a, b, c := box(100, 20), box(100, 20), box(100, 20)
			f := NewFlow(a, b, c)
			f.Resize(fyne.NewSize(row.width, 100))
			ys := map[float32]bool{}
			for _, o := range []fyne.CanvasObject{a, b, c} {
				ys[o.Position().Y] = true
				if right := o.Position().X + o.Size().Width; right > row.width+0.5 {
					t.Errorf("an object reaches %.0f, past %.0f", right, row.width)
				}
			}
			if len(ys) != row.wantLines {
				t.Errorf("%d lines, want %d", len(ys), row.wantLines)
			}
			if got := c.Position().X + c.Size().Width; got != row.width {
				t.Errorf("the last object ends at %.0f, want the trailing edge %.0f", got, row.width)
			}
			min := f.MinSize()
			if min.Width != 100 {
				t.Errorf("least width %.0f, want the widest object's 100", min.Width)
			}
			if want := float32(row.wantLines)*20 + float32(row.wantLines-1)*pad; min.Height != want {
				t.Errorf("least height %.0f, want %.0f for %d lines", min.Height, want, row.wantLines)
			}
		})
	}
}

// TestPair: two objects share the width in halves while each fits its
// half; otherwise the second stands above the first, both full width.
func TestPair(t *testing.T) {
	test.NewTempApp(t)
	rows := []struct {
		width   float32
		stacked bool
	}{{400, false}, {200 + theme.Padding(), false}, {200 + theme.Padding() - 1, true}, {120, true}}
	for _, row := range rows {
		t.Run(fmt.Sprint(row.width), func(t *testing.T) {
			back, next := box(100, 30), box(80, 30)
			p := NewPair(back, next)
			p.Resize(fyne.NewSize(row.width, 100))
			stacked := next.Position().Y < back.Position().Y
			if stacked != row.stacked {
				t.Fatalf("stacked %v, want %v (back at %v, next at %v)", stacked, row.stacked, back.Position(), next.Position())
			}
			if !stacked && (back.Size().Width != next.Size().Width || back.Position().X != 0) {
				t.Errorf("halves: back %v at %v, next %v", back.Size(), back.Position(), next.Size())
			}
			if stacked && (back.Size().Width != row.width || next.Size().Width != row.width) {
				t.Errorf("stacked: widths %.0f and %.0f, want %.0f", back.Size().Width, next.Size().Width, row.width)
			}
			if got := p.MinSize().Width; got != 100 {
				t.Errorf("least width %.0f, want the wider object's 100", got)
			}
		})
	}
}
