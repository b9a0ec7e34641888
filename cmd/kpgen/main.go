// Command kpgen generates and lints AWS KMS key strategy from an organization
// spec. See the README and docs/ for the language and the commands.
package main

import (
	"os"

	"github.com/kpgen/kpgen/internal/cli"
)

func main() { os.Exit(cli.Main(os.Args[1:], os.Stdout, os.Stderr)) }
