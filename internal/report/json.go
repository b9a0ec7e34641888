package report

import (
	"encoding/json"
	"io"

	"github.com/kpgen/kpgen/internal/diag"
)

// FormatVersion is the version of every JSON shape kpgen prints.
const FormatVersion = "1"

type jsonPos struct {
	Line   int `json:"line"`
	Column int `json:"column"`
}

type jsonRange struct {
	Filename string  `json:"filename"`
	Start    jsonPos `json:"start"`
	End      jsonPos `json:"end"`
}

type jsonDiagnostic struct {
	Severity string     `json:"severity"`
	Rule     string     `json:"rule"`
	Summary  string     `json:"summary"`
	Detail   string     `json:"detail"`
	Range    *jsonRange `json:"range"` // null when there is no location
}

type jsonReport struct {
	FormatVersion string           `json:"format_version"`
	Valid         bool             `json:"valid"`
	ErrorCount    int              `json:"error_count"`
	WarningCount  int              `json:"warning_count"`
	Diagnostics   []jsonDiagnostic `json:"diagnostics"`
}

// JSON writes the diagnostics in the stable shape of `kpgen lint --format
// json`: format_version, valid, counts and a diagnostics list that is never
// null.
func JSON(w io.Writer, ds diag.Diagnostics) error {
	errs, warns := ds.Count()
	r := jsonReport{
		FormatVersion: FormatVersion,
		Valid:         errs == 0,
		ErrorCount:    errs,
		WarningCount:  warns,
		Diagnostics:   []jsonDiagnostic{},
	}
	for _, d := range ds {
		jd := jsonDiagnostic{Severity: d.Severity.String(), Rule: d.Rule, Summary: d.Summary, Detail: d.Detail}
		if s := d.Subject; s != nil {
			jd.Range = &jsonRange{
				Filename: s.Filename,
				Start:    jsonPos{s.Start.Line, s.Start.Column},
				End:      jsonPos{s.End.Line, s.End.Column},
			}
		}
		r.Diagnostics = append(r.Diagnostics, jd)
	}
	return encode(w, r)
}

// encode writes v as indented JSON without HTML escaping, so that policy
// text such as "&" reads as written.
func encode(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}
