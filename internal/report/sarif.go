package report

import (
	"cmp"
	"io"
	"net/url"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/lint"
)

// SARIF 2.1.0, the subset code scanning reads.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations,omitempty"`
	Results     []sarifResult     `json:"results"`
}

// sarifInvocation carries what has no place in a file: a diagnostic without
// a location (an empty spec directory) is a notification of the run, not a
// result, since code scanning refuses a result without a location.
type sarifInvocation struct {
	ExecutionSuccessful        bool                `json:"executionSuccessful"`
	ToolExecutionNotifications []sarifNotification `json:"toolExecutionNotifications"`
}

type sarifNotification struct {
	Level   string    `json:"level"`
	Message sarifText `json:"message"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Version        string      `json:"version,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRule struct {
	ID                   string              `json:"id"`
	Name                 string              `json:"name"`
	ShortDescription     sarifText           `json:"shortDescription"`
	FullDescription      sarifText           `json:"fullDescription"`
	Help                 sarifText           `json:"help"`
	DefaultConfiguration sarifConfig         `json:"defaultConfiguration"`
	Properties           sarifRuleProperties `json:"properties"`
}

// sarifRuleProperties carry, beside the rule's principle, what GitHub code
// scanning reads to rank an alert: the security tag, the precision, and a
// security severity (0.0 to 10.0; 7.0 and above is high).
type sarifRuleProperties struct {
	Principle        string   `json:"principle"`
	Tags             []string `json:"tags,omitempty"`
	Precision        string   `json:"precision,omitempty"`
	SecuritySeverity string   `json:"security-severity,omitempty"`
}

// securitySeverity is the security severity of a lint rule's findings, by
// the rule's severity: an error is a key policy or strategy that breaks the
// AWS guidance, a warning a weakness to review.
func securitySeverity(s diag.Severity) string {
	if s == diag.Error {
		return "8.0"
	}
	return "5.0"
}

type sarifConfig struct {
	Level string `json:"level"`
}

type sarifResult struct {
	RuleID    string          `json:"ruleId,omitempty"`
	RuleIndex *int            `json:"ruleIndex,omitempty"`
	Level     string          `json:"level"`
	Message   sarifText       `json:"message"`
	Locations []sarifLocation `json:"locations,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
	EndLine     int `json:"endLine"`
	EndColumn   int `json:"endColumn"`
}

// SpecCheckRule is the SARIF rule of findings that come from no lint rule:
// parse, schema and reference errors, a wrong or unused lint_ignore, and
// outputs that would not deploy.
const SpecCheckRule = "spec-check"

// SARIF writes the diagnostics as a SARIF 2.1.0 log for code scanning, with
// the metadata of every rule (ID, name, descriptions, help, default level)
// taken from the registry.
func SARIF(w io.Writer, ds diag.Diagnostics, rules []*lint.Rule, version string) error {
	driver := sarifDriver{Name: "kpgen", InformationURI: "https://github.com/kpgen/kpgen", Version: version, Rules: []sarifRule{}}
	index := map[string]int{}
	for i, r := range rules {
		index[r.ID] = i
		driver.Rules = append(driver.Rules, sarifRule{
			ID:                   r.ID,
			Name:                 camel(r.Name),
			ShortDescription:     sarifText{Text: r.Summary},
			FullDescription:      sarifText{Text: firstParagraph(r.Doc)},
			Help:                 sarifText{Text: r.Doc, Markdown: r.Doc},
			DefaultConfiguration: sarifConfig{Level: r.Severity.String()},
			Properties: sarifRuleProperties{Principle: r.Principle, Tags: []string{"security", "kms"},
				Precision: "high", SecuritySeverity: securitySeverity(r.Severity)},
		})
	}
	// Findings of no lint rule are results of one more rule, so that every
	// result has a rule.
	index[SpecCheckRule] = len(driver.Rules)
	driver.Rules = append(driver.Rules, sarifRule{
		ID:               SpecCheckRule,
		Name:             "SpecCheck",
		ShortDescription: sarifText{Text: "a check of kpgen's own, outside the lint rules, found a problem"},
		FullDescription: sarifText{Text: "The spec does not parse, validate against kpgen's JSON Schema or resolve; a lint_ignore names no rule, " +
			"a rule nothing silences, or silences nothing; or the outputs would not deploy (names that meet in one file, Terraform name or logical id, CloudFormation's quotas)."},
		Help:                 sarifText{Text: "Fix the spec where the message points; the message says how."},
		DefaultConfiguration: sarifConfig{Level: "error"},
		Properties:           sarifRuleProperties{Principle: "Spec"},
	})
	run := sarifRun{Tool: sarifTool{Driver: driver}, Results: []sarifResult{}}
	var notes []sarifNotification
	for _, d := range ds {
		msg := sarifText{Text: d.Summary + ". " + d.Detail}
		s := d.Subject
		if s == nil {
			notes = append(notes, sarifNotification{Level: d.Severity.String(), Message: msg})
			continue
		}
		rule := cmp.Or(d.Rule, SpecCheckRule)
		i := index[rule]
		res := sarifResult{RuleID: rule, RuleIndex: &i, Level: d.Severity.String(), Message: msg}
		res.Locations = []sarifLocation{{PhysicalLocation: sarifPhysical{
			ArtifactLocation: sarifArtifact{URI: fileURI(s.Filename)},
			Region:           sarifRegion{StartLine: s.Start.Line, StartColumn: s.Start.Column, EndLine: max(s.End.Line, s.Start.Line), EndColumn: max(s.End.Column, 1)},
		}}}
		run.Results = append(run.Results, res)
	}
	if len(notes) > 0 {
		failed := slices.ContainsFunc(notes, func(n sarifNotification) bool { return n.Level == "error" })
		run.Invocations = []sarifInvocation{{ExecutionSuccessful: !failed, ToolExecutionNotifications: notes}}
	}
	return encode(w, sarifLog{
		Schema:  "https://json.schemastore.org/sarif-2.1.0.json",
		Version: "2.1.0",
		Runs:    []sarifRun{run},
	})
}

// camel turns "classification-mix" into "ClassificationMix", the form SARIF
// viewers show rule names in.
func camel(s string) string {
	var b strings.Builder
	for _, part := range strings.Split(s, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

// firstParagraph is a rule doc's "Why" text, without the heading.
func firstParagraph(doc string) string {
	doc = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(doc), "## Why"))
	if i := strings.Index(doc, "\n\n"); i >= 0 {
		doc = doc[:i]
	}
	return strings.Join(strings.Fields(doc), " ")
}

// GitHub writes the diagnostics as GitHub Actions workflow commands, which
// annotate the lines at fault in a pull request.
func GitHub(w io.Writer, ds diag.Diagnostics) error {
	var b strings.Builder
	for _, d := range ds {
		b.WriteString("::")
		b.WriteString(d.Severity.String())
		var props []string
		if s := d.Subject; s != nil {
			props = append(props,
				"file="+ghProperty(filepath.ToSlash(s.Filename)),
				"line="+strconv.Itoa(s.Start.Line), "col="+strconv.Itoa(s.Start.Column),
				"endLine="+strconv.Itoa(max(s.End.Line, s.Start.Line)), "endColumn="+strconv.Itoa(max(s.End.Column, 1)))
		}
		title := d.Summary
		if d.Rule != "" {
			title = d.Rule + " " + d.Summary
		}
		props = append(props, "title="+ghProperty(title))
		b.WriteString(" " + strings.Join(props, ","))
		b.WriteString("::")
		b.WriteString(ghData(d.Detail))
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// ghData escapes a workflow command's message, with its control
// characters made printable first (a CI log is a terminal too), but for the
// line breaks GitHub shows.
func ghData(s string) string { return ghDataEscapes.Replace(PrintableText(s)) }

var ghDataEscapes = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A")

// ghProperty escapes a workflow command's property value, with its
// control characters made printable first.
func ghProperty(s string) string { return ghPropertyEscapes.Replace(Printable(s)) }

var ghPropertyEscapes = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C")

// fileURI is a spec or policy file's name as a SARIF artifact URI: a
// relative reference for a relative name, a file: URI for an absolute one,
// percent-encoded either way, so that a name holding "#", "?", "%" or a
// space points at the file it names.
func fileURI(name string) string {
	u := url.URL{Path: filepath.ToSlash(name)}
	if filepath.IsAbs(name) {
		u.Scheme = "file"
		if !strings.HasPrefix(u.Path, "/") {
			u.Path = "/" + u.Path // a Windows drive letter
		}
	}
	return u.String()
}
