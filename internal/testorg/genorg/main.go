// Command genorg writes a generated organization spec of N applications
// into DIR, for benchmarks: go run ./internal/testorg/genorg N DIR.
package main

import (
	"fmt"
	"os"
	"strconv"

	"github.com/kpgen/kpgen/internal/testorg"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: genorg N DIR")
		os.Exit(2)
	}
	n, err := strconv.Atoi(os.Args[1])
	if err != nil || n < 1 {
		fmt.Fprintln(os.Stderr, "genorg: N must be a positive number")
		os.Exit(2)
	}
	if err := testorg.Write(os.Args[2], n); err != nil {
		fmt.Fprintln(os.Stderr, "genorg:", err)
		os.Exit(1)
	}
}
