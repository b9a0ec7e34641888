package report

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/kpgen/kpgen/internal/model"
)

// PlanKey is one key instance in `kpgen plan --format json`.
type PlanKey struct {
	Application        string   `json:"application"`
	Stage              string   `json:"stage"`
	Key                string   `json:"key"`
	Alias              string   `json:"alias"`
	Account            string   `json:"account"`
	AccountName        string   `json:"account_name"`
	Region             string   `json:"region"`
	ReplicaRegions     []string `json:"replica_regions"`
	Derived            bool     `json:"derived"`
	SharedAcrossStages bool     `json:"shared_across_stages"`
	Production         bool     `json:"production"`
	Protects           []string `json:"protects"`
	Classification     string   `json:"classification"`
	// Classifications are those of every data set it protects, the most
	// sensitive (Classification) first: more than one only where KP101
	// reports the key.
	Classifications      []string    `json:"classifications"`
	PolicyAdministrators []string    `json:"policy_administrators"`
	Operators            []string    `json:"operators"`
	Users                []string    `json:"users"`
	Services             []string    `json:"services"`
	Reasons              []string    `json:"reasons"`
	PolicyFile           string      `json:"policy_file"`
	MonthlyUSD           json.Number `json:"monthly_usd"`

	// elsewhere holds the administrators and operators of another account
	// than the key's, whom KMS refuses the management operations.
	elsewhere map[string]bool
}

// PlanAWSKey is data kept on an AWS owned or AWS managed key.
type PlanAWSKey struct {
	Application    string `json:"application"`
	Data           string `json:"data"`
	Classification string `json:"classification"`
	KeyType        string `json:"key_type"`
}

// PlanTotals sums the inventory.
type PlanTotals struct {
	Keys       int         `json:"keys"`
	Replicas   int         `json:"replicas"`
	MonthlyUSD json.Number `json:"monthly_usd"`
}

// PlanCostModel is the cost model the figures come from.
type PlanCostModel struct {
	KeyMonthUSD      json.Number `json:"key_month_usd"`
	RotationMonthUSD json.Number `json:"rotation_month_usd"`
	BilledRotations  int         `json:"billed_rotations"`
	ReplicaIsKey     bool        `json:"replica_billed_as_key"`
	Note             string      `json:"note"`
}

// Plan is the document of `kpgen plan --format json`.
type Plan struct {
	FormatVersion string        `json:"format_version"`
	Organization  string        `json:"organization"`
	Strategy      string        `json:"strategy"`
	Keys          []PlanKey     `json:"keys"`
	AWSKeys       []PlanAWSKey  `json:"aws_keys"`
	Totals        PlanTotals    `json:"totals"`
	CostModel     PlanCostModel `json:"cost_model"`
}

func usd(v float64) json.Number { return json.Number(strconv.FormatFloat(v, 'f', 2, 64)) }

const costNote = "Steady state: a key that rotates automatically is billed for its first two rotations for good. Request charges are not included."

// NewPlan builds the plan document from a model.
func NewPlan(m *model.Model) *Plan {
	p := &Plan{
		FormatVersion: FormatVersion,
		Organization:  m.Organization.Name,
		Strategy:      m.Organization.Strategy,
		Keys:          []PlanKey{},
		AWSKeys:       []PlanAWSKey{},
		Totals:        PlanTotals{Keys: m.Totals.Keys, Replicas: m.Totals.Replicas, MonthlyUSD: usd(m.Totals.MonthlyUSD)},
		CostModel: PlanCostModel{
			KeyMonthUSD:      usd(model.Prices.KeyMonth),
			RotationMonthUSD: usd(model.Prices.RotationMonth),
			BilledRotations:  model.Prices.BilledRotations,
			ReplicaIsKey:     true,
			Note:             costNote,
		},
	}
	for _, ki := range m.Keys {
		k := ki.Key
		pk := PlanKey{
			Application:          ki.App.Name,
			Stage:                ki.StageName(),
			Key:                  k.Name,
			Alias:                ki.Alias,
			Account:              ki.Account.ID,
			AccountName:          ki.Account.Name,
			Region:               ki.Region,
			ReplicaRegions:       append([]string{}, ki.ReplicaRegions...),
			Derived:              k.Derived,
			SharedAcrossStages:   k.SharedAcrossStages,
			Production:           ki.Production(),
			Protects:             []string{},
			Classifications:      []string{},
			PolicyAdministrators: principalStrings(ki.PolicyAdministrators),
			Operators:            principalStrings(ki.Operators),
			Users:                principalStrings(ki.Users),
			Services:             []string{},
			Reasons:              append([]string{}, k.Reasons...),
			PolicyFile:           ki.PolicyFile,
			MonthlyUSD:           usd(ki.MonthlyUSD),
		}
		for _, p := range slices.Concat(ki.PolicyAdministrators, ki.Operators) {
			if p.Kind != model.AWSService && p.Account != ki.Account.ID {
				if pk.elsewhere == nil {
					pk.elsewhere = map[string]bool{}
				}
				pk.elsewhere[p.String()] = true
			}
		}
		for _, d := range k.Protects {
			pk.Protects = append(pk.Protects, d.Name)
		}
		if ki.Classification != nil {
			pk.Classification = ki.Classification.Name
		}
		for _, c := range k.Classifications() {
			pk.Classifications = append(pk.Classifications, c.Name)
		}
		for _, s := range ki.Services {
			pk.Services = append(pk.Services, s.Name)
		}
		p.Keys = append(p.Keys, pk)
	}
	for _, d := range m.AWSKeyData {
		p.AWSKeys = append(p.AWSKeys, PlanAWSKey{Application: d.App.Name, Data: d.Name,
			Classification: d.Classification.Name, KeyType: d.KeyType.String()})
	}
	return p
}

func principalStrings(ps []model.Principal) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.String()
	}
	return out
}

// PlanJSON writes the plan document.
func PlanJSON(w io.Writer, p *Plan) error {
	return encode(w, p)
}

// PlanText writes the inventory as a table, then each key's principals and
// reasons, then the totals and the cost model.
func PlanText(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "Key inventory of organization %q (%s)\n\n", p.Organization, p.Strategy)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ALIAS\tACCOUNT\tREGION\tPROTECTS\tCLASSIFICATION\tADMINS\tOPERATORS\tUSERS\tUSD/MONTH\tWHY")
	for _, k := range p.Keys {
		region := k.Region
		if len(k.ReplicaRegions) > 0 {
			region += " +" + strings.Join(k.ReplicaRegions, ",")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%d\t%d\t%d\t%s\t%s\n", k.Alias, k.Account, region,
			orDash(strings.Join(k.Protects, ",")), orDash(strings.Join(k.Classifications, ",")), len(k.PolicyAdministrators),
			len(k.Operators), len(k.Users), k.MonthlyUSD, orDash(principles(k.Reasons)))
	}
	tw.Flush()
	for _, k := range p.Keys {
		fmt.Fprintf(&b, "\n%s\n", k.Alias)
		fmt.Fprintf(&b, "  account         %s (%s), %s\n", k.Account, k.AccountName, describeRegions(k))
		if len(k.Protects) > 0 {
			fmt.Fprintf(&b, "  protects        %s (%s) through %s\n", strings.Join(k.Protects, ", "), strings.Join(k.Classifications, ", "), orDash(strings.Join(k.Services, ", ")))
		} else {
			fmt.Fprintf(&b, "  protects        no data\n")
		}
		list(&b, "administrators", k.managers(k.PolicyAdministrators))
		list(&b, "operators", k.managers(k.Operators))
		list(&b, "users", k.Users)
		for i, r := range k.Reasons {
			label := ""
			if i == 0 {
				label = "why"
			}
			fmt.Fprintf(&b, "  %-15s %s\n", label, r)
		}
		fmt.Fprintf(&b, "  %-15s %s\n", "policy", k.PolicyFile)
	}
	if len(p.AWSKeys) > 0 {
		fmt.Fprintf(&b, "\nData on AWS keys (no key made by kpgen):\n")
		for _, a := range p.AWSKeys {
			fmt.Fprintf(&b, "  %s/%s (%s): %s\n", a.Application, a.Data, a.Classification, a.KeyType)
		}
	}
	fmt.Fprintf(&b, "\n%s, %s, USD %s per month\n", Count(p.Totals.Keys, "key"), Count(p.Totals.Replicas, "replica"), p.Totals.MonthlyUSD)
	fmt.Fprintf(&b, "Cost model: USD %s per key-month (each replica is billed as a key); each of the first %d rotations adds USD %s per month. %s\n",
		p.CostModel.KeyMonthUSD, p.CostModel.BilledRotations, p.CostModel.RotationMonthUSD, p.CostModel.Note)
	_, err := io.WriteString(w, b.String())
	return err
}

// PlanMarkdown writes the inventory as a markdown table, for pull requests
// and wikis.
func PlanMarkdown(w io.Writer, p *Plan) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### Key inventory of `%s` (%s)\n\n", p.Organization, p.Strategy)
	fmt.Fprintf(&b, "**%s**, %s, **USD %s per month**\n\n", Count(p.Totals.Keys, "key"), Count(p.Totals.Replicas, "replica"), p.Totals.MonthlyUSD)
	b.WriteString("| Alias | Account | Region | Protects | Classification | Administrators | Operators | Users | USD/month | Why |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|---:|---|\n")
	for _, k := range p.Keys {
		fmt.Fprintf(&b, "| `%s` | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n",
			k.Alias, k.Account, mdEscape(describeRegions(k)), mdEscape(orDash(strings.Join(k.Protects, ", "))),
			mdEscape(orDash(strings.Join(k.Classifications, ", "))), k.mdManagers(k.PolicyAdministrators), k.mdManagers(k.Operators), mdList(k.Users),
			k.MonthlyUSD, mdEscape(orDash(strings.Join(k.Reasons, "; "))))
	}
	if len(p.AWSKeys) > 0 {
		b.WriteString("\nData on AWS keys (no key made by kpgen): ")
		var items []string
		for _, a := range p.AWSKeys {
			items = append(items, fmt.Sprintf("`%s/%s` (%s, %s)", a.Application, a.Data, mdEscape(a.Classification), a.KeyType))
		}
		b.WriteString(strings.Join(items, ", ") + "\n")
	}
	fmt.Fprintf(&b, "\nCost model: USD %s per key-month, each replica billed as a key; each of the first %d rotations adds USD %s per month. %s\n",
		p.CostModel.KeyMonthUSD, p.CostModel.BilledRotations, p.CostModel.RotationMonthUSD, mdEscape(p.CostModel.Note))
	_, err := io.WriteString(w, b.String())
	return err
}

// elsewhereNote follows an administrator or operator of another account
// than the key's in the text and markdown plans: the key policy names it,
// but KMS does not let it manage a key of another account.
const elsewhereNote = " (another account: may not manage the key)"

// managers returns administrators or operators as the text and markdown
// plans show them, each of another account marked so.
func (k PlanKey) managers(ps []string) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p
		if k.elsewhere[p] {
			out[i] += elsewhereNote
		}
	}
	return out
}

// mdManagers is managers for the markdown plan: the principals as code, the
// marks as text.
func (k PlanKey) mdManagers(ps []string) string {
	if len(ps) == 0 {
		return "-"
	}
	q := make([]string, len(ps))
	for i, p := range ps {
		q[i] = mdList([]string{p})
		if k.elsewhere[p] {
			q[i] += elsewhereNote
		}
	}
	return strings.Join(q, "<br>")
}

func describeRegions(k PlanKey) string {
	if len(k.ReplicaRegions) == 0 {
		return k.Region
	}
	return fmt.Sprintf("%s, replicas in %s", k.Region, strings.Join(k.ReplicaRegions, ", "))
}

func list(b *strings.Builder, label string, items []string) {
	if len(items) == 0 {
		fmt.Fprintf(b, "  %-15s -\n", label)
		return
	}
	for i, it := range items {
		if i > 0 {
			label = ""
		}
		fmt.Fprintf(b, "  %-15s %s\n", label, it)
	}
}

// principles shortens reasons to their principle numbers: "P1, P2".
func principles(reasons []string) string {
	var ps []string
	for _, r := range reasons {
		p, _, _ := strings.Cut(r, ":")
		ps = append(ps, p)
	}
	return strings.Join(ps, ", ")
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// Count is n and word, in the plural unless n is 1: "1 key", "3 keys".
func Count(n int, word string) string {
	if n == 1 {
		return "1 " + word
	}
	return fmt.Sprintf("%d %ss", n, word)
}

func mdList(items []string) string {
	if len(items) == 0 {
		return "-"
	}
	q := make([]string, len(items))
	for i, it := range items {
		q[i] = "`" + strings.ReplaceAll(it, "`", "") + "`"
	}
	return strings.Join(q, "<br>")
}

// mdEscape keeps user text from breaking the table or becoming markup.
// Control characters (a carriage return ends a table row as surely as a
// line feed) become spaces. An empty HTML comment, which renders as
// nothing, follows every "@" and "#" and splits "://" and "www.", so that a
// description in a pull-request comment mentions no one, refers to no issue
// and links nowhere.
func mdEscape(s string) string {
	return mdEscapes.Replace(strings.Map(func(r rune) rune {
		if isControl(r) {
			return ' '
		}
		return r
	}, s))
}

var mdEscapes = strings.NewReplacer(`\`, `\\`, "~", `\~`, "&", "&amp;", "|", `\|`, "<", "&lt;", ">", "&gt;", "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "\n", " ",
	"@", "@<!-- -->", "#", "#<!-- -->", "://", ":<!-- -->//", "www.", "www<!-- -->.")
