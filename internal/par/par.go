// Package par runs the iterations of a loop on every CPU.
package par

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"sync"
)

// A Panic is the panic of an iteration, raised again in the caller's
// goroutine with the stack of the goroutine it happened in, which is the
// one that shows where.
type Panic struct {
	Value any
	Stack []byte
}

// String is the panic's value, formatted by fmt.Sprint.
func (p *Panic) String() string { return fmt.Sprint(p.Value) }

// Each runs fn(0), …, fn(n-1) on every CPU and returns when all are done.
// The iterations must be independent. A panic in fn (a bug) is raised again
// in the caller's goroutine as a *Panic, where kpgen's recover reports it.
func Each(n int, fn func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n)
	if workers <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	var once sync.Once
	var crashed any
	next := make(chan int)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer func() {
				if r := recover(); r != nil {
					once.Do(func() {
						if _, ok := r.(*Panic); !ok {
							r = &Panic{Value: r, Stack: debug.Stack()}
						}
						crashed = r
					})
					for range next {
						// drain, so that the sender finishes
					}
				}
			}()
			for i := range next {
				fn(i)
			}
		}()
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	if crashed != nil {
		panic(crashed)
	}
}
