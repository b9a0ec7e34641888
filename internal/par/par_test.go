package par

import (
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
)

func TestEach(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	var sum atomic.Int64
	seen := make([]int32, 1000)
	Each(len(seen), func(i int) {
		atomic.AddInt32(&seen[i], 1)
		sum.Add(int64(i))
	})
	for i, n := range seen {
		if n != 1 {
			t.Fatalf("iteration %d ran %d times", i, n)
		}
	}
	if got := sum.Load(); got != 999*1000/2 {
		t.Errorf("sum %d", got)
	}
}

func TestEachPanics(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer func() {
		p, ok := recover().(*Panic)
		if !ok || p.Value != "boom" {
			t.Fatalf("recovered %#v, want the panic of an iteration", p)
		}
		// The stack is the iteration's, not the caller's.
		if !strings.Contains(string(p.Stack), "par.explode(") {
			t.Errorf("the stack does not show where the iteration panicked:\n%s", p.Stack)
		}
	}()
	Each(100, func(i int) {
		if i == 37 {
			explode()
		}
	})
	t.Error("Each returned after a panic")
}

func explode() { panic("boom") }

// TestEachPanicsNested: a panic in a loop inside a loop keeps the stack of
// the innermost iteration, wrapped once.
func TestEachPanicsNested(t *testing.T) {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(4))
	defer func() {
		p, ok := recover().(*Panic)
		if !ok || p.Value != "boom" {
			t.Fatalf("recovered %#v, want the inner iteration's panic, wrapped once", p)
		}
		if !strings.Contains(string(p.Stack), "par.explode(") {
			t.Errorf("the stack does not show where the iteration panicked:\n%s", p.Stack)
		}
	}()
	Each(10, func(i int) {
		Each(10, func(j int) {
			if i == 3 && j == 7 {
				explode()
			}
		})
	})
}
