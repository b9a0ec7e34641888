package cli

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/kpgen/kpgen/generators/cloudformation"
	"github.com/kpgen/kpgen/internal/policy"
	"github.com/kpgen/kpgen/internal/report"
	"github.com/kpgen/kpgen/schema"
)

func (a *app) validateCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "validate [DIR]",
		Short: "Parse the spec, check it against the JSON Schema and resolve its references",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := oneOf("format", format, "text", "json"); err != nil {
				return err
			}
			dir, err := a.specDir(args)
			if err != nil {
				return err
			}
			l, err := load(dir)
			if err != nil {
				return err
			}
			// Names that meet in one output path are errors of the
			// spec's structure too, as lint and build report them.
			l.checkStructure()
			if !l.diags.HasErrors() {
				an := &analysis{loaded: l, policies: policy.Build(l.model)}
				_, odiags := an.outputs(outputKinds, cloudformation.FormatYAML)
				l.diags = append(l.diags, odiags...)
			}
			l.diags.Sort()
			if format == "json" {
				if err := report.JSON(a.stdout, l.diags); err != nil {
					return ioError("%v", err)
				}
			} else {
				printDiags(a.stdout, l.diags, l.sources())
				if !l.diags.HasErrors() {
					fmt.Fprintf(a.stdout, "The spec is valid: %s, %s.\n", report.Count(len(l.model.Applications), "application"), report.Count(len(l.model.Keys), "key instance"))
				}
			}
			if l.diags.HasErrors() {
				return errRejected
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "text", "output format: text or json")
	return c
}

func (a *app) planCmd() *cobra.Command {
	var format string
	c := &cobra.Command{
		Use:   "plan [DIR]",
		Short: "Show the key inventory: how many keys, why each exists, cost per month",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			if err := oneOf("format", format, "text", "markdown", "json"); err != nil {
				return err
			}
			dir, err := a.specDir(args)
			if err != nil {
				return err
			}
			l, err := load(dir)
			if err != nil {
				return err
			}
			l.checkStructure()
			diags := l.diags
			printDiags(a.stderr, diags, l.sources())
			if diags.HasErrors() {
				return errRejected
			}
			p := report.NewPlan(l.model)
			render := report.PlanText
			switch format {
			case "json":
				render = report.PlanJSON
			case "markdown":
				render = report.PlanMarkdown
			}
			if err := render(a.stdout, p); err != nil {
				return ioError("%v", err)
			}
			return nil
		},
	}
	c.Flags().StringVar(&format, "format", "text", "output format: text, markdown or json")
	return c
}

func (a *app) schemaCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the JSON Schema that validate checks the spec against",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if _, err := a.stdout.Write(schema.JSON); err != nil {
				return ioError("%v", err)
			}
			return nil
		},
	}
}

func (a *app) versionCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print kpgen's version",
		Args:  cobra.NoArgs,
		RunE: func(c *cobra.Command, args []string) error {
			fmt.Fprintf(a.stdout, "kpgen %s (spec language version %d)\n", version(), schema.Version)
			return nil
		},
	}
}
