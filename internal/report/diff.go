package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/kpgen/kpgen/internal/specdiff"
)

// legend explains the signs of a text diff report.
const legend = "Legend: + key added or access gained, - key removed or access lost, ~ key changed"

// DiffText writes a diff report for a terminal: a legend, one section per
// key with its property and access changes, and a footer in Terraform's
// "N to add, N to change, N to destroy" convention. With color, its signs
// are coloured.
func DiffText(w io.Writer, r *specdiff.Report, color bool) error {
	var b strings.Builder
	fmt.Fprintf(&b, "kpgen diff %s → %s\n\n", printable(r.Base), printable(r.Head))
	if r.Empty() {
		b.WriteString("No changes: the two specs make the same keys with the same policies.\n\nKeys: 0 to add, 0 to change, 0 to destroy.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	b.WriteString(legend + "\n\n")
	for _, k := range r.Keys {
		sign := "~"
		switch k.Change {
		case specdiff.Added:
			sign = "+"
		case specdiff.Removed:
			sign = "-"
		}
		fmt.Fprintf(&b, "%s %s (%s) %s", sign, k.ID(), k.Alias, k.Change)
		if d := k.MonthlyAfter - k.MonthlyBefore; d != 0 {
			fmt.Fprintf(&b, ", USD %+.2f per month", d)
		}
		b.WriteString("\n")
		if len(k.Replaces) > 0 {
			fmt.Fprintf(&b, "    ! replaces the key: %s\n", strings.Join(k.Replaces, "; "))
		}
		if len(k.DataMoves) > 0 {
			fmt.Fprintf(&b, "    ! %s\n", dataMoves(k.Key, k.DataMoves))
		}
		if len(k.ReplicasRemoved) > 0 {
			fmt.Fprintf(&b, "    ! removes its %s in %s: %s\n", replicaWord(len(k.ReplicasRemoved)), strings.Join(k.ReplicasRemoved, ", "), replicaFate)
		}
		for _, p := range k.Properties {
			fmt.Fprintf(&b, "    %s: %s → %s\n", p.Name, printable(orNone(p.Before)), printable(orNone(p.After)))
		}
		for _, a := range k.Access {
			for _, g := range a.Gained {
				fmt.Fprintf(&b, "    + %s gained %s\n          %s\n", a.Principal, strings.Join(g.Actions, ", "), printableJoin(g.Where, "\n          "))
			}
			for _, g := range a.Lost {
				fmt.Fprintf(&b, "    - %s lost %s\n          %s\n", a.Principal, strings.Join(g.Actions, ", "), printableJoin(g.Where, "\n          "))
			}
		}
		b.WriteString("\n")
	}
	added, removed, changed := r.Counts()
	fmt.Fprintf(&b, "Keys: %d to add, %d to change, %d to destroy.\n", added, changed, removed)
	if n := r.Replaced(); n > 0 {
		fmt.Fprintf(&b, "%s: AWS creates a new key, and the old one, with the data it encrypts, is left for deletion.\n", replacedCount(n))
	}
	if n := r.ReplicasRemoved(); n > 0 {
		fmt.Fprintf(&b, "Replica keys: %d to destroy.\n", n)
	}
	fmt.Fprintf(&b, "Cost: USD %.2f → %.2f per month (%+.2f).\n", r.MonthlyBefore, r.MonthlyAfter, r.MonthlyAfter-r.MonthlyBefore)
	out := b.String()
	if color {
		out = colouriseDiff(out)
	}
	_, err := io.WriteString(w, out)
	return err
}

// DiffMarkdown writes a diff report to paste into a pull-request comment: a
// summary line, then a table per key of who gained or lost what.
func DiffMarkdown(w io.Writer, r *specdiff.Report) error {
	var b strings.Builder
	b.WriteString("### kpgen: key and access changes\n\n")
	if r.Empty() {
		b.WriteString("No changes: the two specs make the same keys with the same policies.\n")
		_, err := io.WriteString(w, b.String())
		return err
	}
	added, removed, changed := r.Counts()
	fmt.Fprintf(&b, "**%d to add, %d to change, %d to destroy.** Cost: USD %.2f → %.2f per month (%+.2f).\n",
		added, changed, removed, r.MonthlyBefore, r.MonthlyAfter, r.MonthlyAfter-r.MonthlyBefore)
	if n := r.Replaced(); n > 0 {
		fmt.Fprintf(&b, "\n**%s**: AWS creates a new key, and the old one, with the data it encrypts, is left for deletion.\n", replacedCount(n))
	}
	if n := r.ReplicasRemoved(); n > 0 {
		fmt.Fprintf(&b, "\n**Replica keys: %d to destroy.**\n", n)
	}
	for _, k := range r.Keys {
		fmt.Fprintf(&b, "\n#### %s `%s` (%s)\n\n", strings.ToUpper(k.Change[:1])+k.Change[1:], k.ID(), mdEscape(k.Alias))
		if len(k.Replaces) > 0 {
			fmt.Fprintf(&b, "Replaces the key: %s.\n\n", mdEscape(strings.Join(k.Replaces, "; ")))
		}
		if len(k.DataMoves) > 0 {
			fmt.Fprintf(&b, "%s\n\n", mdEscape(capitalize(dataMoves(k.Key, k.DataMoves))))
		}
		if len(k.ReplicasRemoved) > 0 {
			fmt.Fprintf(&b, "Removes its %s in %s: %s\n\n", replicaWord(len(k.ReplicasRemoved)), strings.Join(k.ReplicasRemoved, ", "), replicaFate)
		}
		if len(k.Properties) > 0 {
			b.WriteString("| Property | Before | After |\n|---|---|---|\n")
			for _, p := range k.Properties {
				before, after := cells(orNone(p.Before), orNone(p.After))
				fmt.Fprintf(&b, "| %s | %s | %s |\n", p.Name, mdEscape(before), mdEscape(after))
			}
			b.WriteString("\n")
		}
		if len(k.Access) > 0 {
			b.WriteString("| Principal | Change | Actions | Where |\n|---|---|---|---|\n")
			for _, a := range k.Access {
				for _, g := range a.Gained {
					fmt.Fprintf(&b, "| `%s` | gained | %s | %s |\n", mdCode(a.Principal), mdActions(g.Actions), mdEscape(strings.Join(g.Where, "; ")))
				}
				for _, g := range a.Lost {
					fmt.Fprintf(&b, "| `%s` | lost | %s | %s |\n", mdCode(a.Principal), mdActions(g.Actions), mdEscape(strings.Join(g.Where, "; ")))
				}
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func mdCode(s string) string { return strings.ReplaceAll(s, "`", "") }

func mdActions(actions []string) string {
	q := make([]string, len(actions))
	for i, a := range actions {
		q[i] = "`" + mdCode(a) + "`"
	}
	return strings.Join(q, " ")
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// DiffJSON is the document of `kpgen diff --format json`.
type DiffJSON struct {
	FormatVersion string        `json:"format_version"`
	Base          string        `json:"base"`
	Head          string        `json:"head"`
	Summary       DiffSummary   `json:"summary"`
	Keys          []DiffKeyJSON `json:"keys"`
}

// DiffSummary counts the changes.
type DiffSummary struct {
	Added            int         `json:"added"`
	Removed          int         `json:"removed"`
	Changed          int         `json:"changed"`
	Replaced         int         `json:"replaced"`         // of the changed, those AWS replaces
	ReplicasRemoved  int         `json:"replicas_removed"` // replicas the changed keys no longer have
	MonthlyUSDBefore json.Number `json:"monthly_usd_before"`
	MonthlyUSDAfter  json.Number `json:"monthly_usd_after"`
	MonthlyUSDDelta  json.Number `json:"monthly_usd_delta"`
}

// DiffKeyJSON is one key's changes.
type DiffKeyJSON struct {
	Application      string                    `json:"application"`
	Stage            string                    `json:"stage"`
	Key              string                    `json:"key"`
	Alias            string                    `json:"alias"`
	Change           string                    `json:"change"`
	Replaces         []string                  `json:"replaces"`
	ReplicasRemoved  []string                  `json:"replicas_removed"` // their regions
	DataMoves        []specdiff.DataMove       `json:"data_moves"`       // of a removed key
	Properties       []specdiff.PropertyChange `json:"properties"`
	Access           []DiffAccessJSON          `json:"access"`
	MonthlyUSDBefore json.Number               `json:"monthly_usd_before"`
	MonthlyUSDAfter  json.Number               `json:"monthly_usd_after"`
}

// DiffAccessJSON is what one principal gained and lost.
type DiffAccessJSON struct {
	Principal string          `json:"principal"`
	Gained    []DiffGrantJSON `json:"gained"`
	Lost      []DiffGrantJSON `json:"lost"`
}

// DiffGrantJSON is a set of actions and the conditions they are allowed
// under.
type DiffGrantJSON struct {
	Actions []string `json:"actions"`
	Where   []string `json:"where"`
}

// DiffJSONReport writes the JSON document.
func DiffJSONReport(w io.Writer, r *specdiff.Report) error {
	added, removed, changed := r.Counts()
	doc := DiffJSON{
		FormatVersion: FormatVersion, Base: r.Base, Head: r.Head,
		Summary: DiffSummary{Added: added, Removed: removed, Changed: changed, Replaced: r.Replaced(), ReplicasRemoved: r.ReplicasRemoved(),
			MonthlyUSDBefore: usd(r.MonthlyBefore), MonthlyUSDAfter: usd(r.MonthlyAfter), MonthlyUSDDelta: usd(r.MonthlyAfter - r.MonthlyBefore)},
		Keys: []DiffKeyJSON{},
	}
	grants := func(gs []specdiff.Grant) []DiffGrantJSON {
		out := []DiffGrantJSON{}
		for _, g := range gs {
			out = append(out, DiffGrantJSON{Actions: g.Actions, Where: g.Where})
		}
		return out
	}
	for _, k := range r.Keys {
		dk := DiffKeyJSON{Application: k.Application, Stage: k.Stage, Key: k.Key, Alias: k.Alias, Change: k.Change,
			Replaces: append([]string{}, k.Replaces...), ReplicasRemoved: append([]string{}, k.ReplicasRemoved...),
			DataMoves:  append([]specdiff.DataMove{}, k.DataMoves...),
			Properties: append([]specdiff.PropertyChange{}, k.Properties...), Access: []DiffAccessJSON{},
			MonthlyUSDBefore: usd(k.MonthlyBefore), MonthlyUSDAfter: usd(k.MonthlyAfter)}
		for _, a := range k.Access {
			dk.Access = append(dk.Access, DiffAccessJSON{Principal: a.Principal, Gained: grants(a.Gained), Lost: grants(a.Lost)})
		}
		doc.Keys = append(doc.Keys, dk)
	}
	return encode(w, doc)
}

// printableJoin joins user-facing strings, each made printable, with sep.
func printableJoin(items []string, sep string) string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = printable(it)
	}
	return strings.Join(out, sep)
}

// replicaFate says what becomes of a replica a key no longer has.
const replicaFate = "Terraform destroys a replica key whose block leaves the module, prevent_destroy or not; CloudFormation retains it (DeletionPolicy Retain). Data encrypted under it stays readable with the primary key."

// maxCell is how many characters of a property's value a pull-request
// comment shows: a description may hold 8,192, which would push the access
// tables out of a comment GitHub limits to 65,536 characters.
const maxCell = 200

// cells cuts a property's values before and after to maxCell characters
// each, around where they first differ (a quarter of the window before it),
// so that the change shows; an ellipsis marks each cut.
func cells(before, after string) (string, string) {
	b, a := []rune(before), []rune(after)
	if len(b) <= maxCell && len(a) <= maxCell {
		return before, after
	}
	i := 0
	for i < len(b) && i < len(a) && b[i] == a[i] {
		i++
	}
	from := max(0, i-maxCell/4)
	cut := func(r []rune) string {
		start := min(from, max(0, len(r)-maxCell))
		end := min(len(r), start+maxCell)
		s := string(r[start:end])
		if start > 0 {
			s = "…" + s
		}
		if end < len(r) {
			s += "…"
		}
		return s
	}
	return cut(b), cut(a)
}

// dataMoves says where a removed key's data goes, and what that means for
// what is encrypted under the key.
func dataMoves(key string, moves []specdiff.DataMove) string {
	var parts []string
	for _, m := range moves {
		parts = append(parts, m.Data+" to "+m.To)
	}
	keep := fmt.Sprintf("declare it (key %q) and set key = %q on its data", key, key)
	if slices.ContainsFunc(moves, func(m specdiff.DataMove) bool { return strings.HasSuffix(m.To, "/"+key) }) {
		// The key keeps its name and changes its stages: it stopped
		// being shared across stages, or started.
		keep = "set its shared_across_stages back as it was"
	}
	return fmt.Sprintf("its data moves to another key (%s): what is encrypted under this key can be read only while the key exists. To keep it, %s; otherwise re-encrypt the data under the new key before this one is deleted.", strings.Join(parts, ", "), keep)
}

func capitalize(s string) string { return strings.ToUpper(s[:1]) + s[1:] }

func replicaWord(n int) string {
	if n == 1 {
		return "replica"
	}
	return "replicas"
}

// replacedCount says how many changed keys AWS replaces.
func replacedCount(n int) string {
	if n == 1 {
		return "1 changed key is replaced"
	}
	return fmt.Sprintf("%d changed keys are replaced", n)
}
