// Package cloudformation writes the KMS keys of the model as CloudFormation
// templates: one stack per application stage with its AWS::KMS::Key and
// AWS::KMS::Alias resources, and one stack per replica region with the
// AWS::KMS::ReplicaKey resources of its multi-Region keys. Every key policy
// is the document internal/policy built, carried as an object.
package cloudformation

import (
	"fmt"
	"maps"
	"path"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/internal/model"
	"github.com/kpgen/kpgen/internal/output"
	"github.com/kpgen/kpgen/internal/policy"
)

// Formats of the templates.
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// Generate returns the templates of every application stage, in format
// "yaml" (the default, also for "") or "json":
//
//   - cloudformation/APP-STAGE.EXT: the stage's keys (and the keys the
//     application shares across stages, in the stack of its first stage),
//     deployed in the account where they live and in the organization's
//     primary region (its first); the file is left out when the stage has
//     no key there;
//   - cloudformation/APP-STAGE-REGION.EXT: the replicas in REGION of the
//     stage's multi-Region keys. A replica stack takes each primary key's
//     ARN as a parameter: Fn::ImportValue cannot reach another region;
//   - cloudformation/APP-STAGE-REGION-keys.EXT: keys whose primary region
//     is another region. They get stacks of their own, apart from the
//     replicas, so that no two stacks wait for each other's outputs.
func Generate(m *model.Model, pols []*policy.KeyPolicy, format string) ([]output.File, diag.Diagnostics) {
	var diags diag.Diagnostics
	switch format {
	case "":
		format = FormatYAML
	case FormatYAML, FormatJSON:
	default:
		return nil, diags.Errorf(hcl.Range{}, "Unknown CloudFormation format",
			"kpgen writes CloudFormation templates as %q or %q, not %q.", FormatYAML, FormatJSON, format)
	}
	g := &generator{org: m.Organization, ids: map[*model.Application]map[string]string{}}
	for _, app := range m.Applications {
		ids, ds := logicalBases(app)
		g.ids[app] = ids
		diags = append(diags, ds...)
	}
	stacks := g.stacks(pols)
	exports := map[string]*model.KeyInstance{}
	var files []output.File
	badApp := map[*model.Application]bool{}
	for _, s := range stacks {
		files = append(files, output.File{
			Path:   path.Join("cloudformation", s.name+"."+format),
			Render: func() []byte { return g.render(s, format) },
			Source: s.stage.Source.DefRange,
		})
		diags = append(diags, checkExports(exports, s)...)
		diags = append(diags, g.checkLimits(s, format)...)
		switch {
		case stackName.MatchString(s.name):
		case !isLetter(s.app.Name[0]):
			// The application's name is at fault, whatever the stage:
			// once, at the application.
			if !badApp[s.app] {
				badApp[s.app] = true
				diags = diags.Errorf(s.app.Source.DefRange, "Stack name CloudFormation refuses",
					"The stacks of this application would be named %s and so on, but a CloudFormation stack name starts with a letter. Rename the application to a name that starts with a letter.", s.name)
			}
		default:
			diags = diags.Errorf(s.stage.Source.DefRange, "Stack name CloudFormation refuses",
				"The stack of this stage would be named %s, but a CloudFormation stack name starts with a letter and has at most 128 letters, digits and hyphens. Rename the application or stage (an application name that starts with a letter, shorter names).", s.name)
		}
	}
	slices.SortFunc(files, func(a, b output.File) int { return strings.Compare(a.Path, b.Path) })
	return files, diags
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// stackName is the form of a CloudFormation stack name, which a template's
// file name (without its extension) is meant to be deployed as.
var stackName = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9-]{0,127}$`)

// CloudFormation's quotas on one template (AWS CloudFormation User Guide,
// "Understand CloudFormation quotas").
const (
	maxOutputs      = 200     // 500 resources and 200 parameters come later
	maxTemplateSize = 1 << 20 // a template body in S3; 51,200 bytes inline
)

// checkLimits reports a stack over CloudFormation's quotas. Each key brings
// two resources (the key or replica, and its alias) and two outputs (ARN
// and id), and a replica stack takes each primary's ARN as a parameter, so
// the outputs' quota is the first a stack reaches. The template is rendered
// to be measured only when its policies alone come near the size limit, so
// that lint renders nothing for ordinary stacks, and not when a policy is
// over AWS's own limit, which rule KP802 reports.
func (g *generator) checkLimits(s *stack, format string) diag.Diagnostics {
	var diags diag.Diagnostics
	n := len(s.keys)
	if 2*n > maxOutputs {
		diags = diags.Errorf(s.stage.Source.DefRange, "CloudFormation template over its quota",
			"The stack %s would hold %d keys, which makes %d outputs, over the %d CloudFormation allows in one template. Move some of the stage's data to another application, or share keys between data of one classification, so that a stack holds at most %d keys.",
			s.name, n, 2*n, maxOutputs, maxOutputs/2)
	}
	policies := 0
	for _, kp := range s.keys {
		if kp.Size > policy.MaxSize {
			// KP802 refuses the spec already; rendering a template of
			// such policies (a replica stack per region, each with the
			// policy) would cost much and tell nothing more.
			return diags
		}
		policies += kp.Size
	}
	if policies+2048*n > maxTemplateSize/4 {
		if size := len(g.render(s, format)); size > maxTemplateSize {
			diags = diags.Errorf(s.stage.Source.DefRange, "CloudFormation template too large",
				"The template of stack %s would be %d bytes, over the 1 MiB CloudFormation accepts (from S3; 51,200 bytes inline). Its key policies take most of it: split the stage's keys across applications, or name fewer principals per key.",
				s.name, size)
		}
	}
	return diags
}

// render writes a stack's template. It is called when the file is written;
// the template holds only values kpgen made, so encoding it cannot fail
// but through a bug.
func (g *generator) render(s *stack, format string) []byte {
	tmpl := g.template(s)
	var data []byte
	var err error
	if format == FormatJSON {
		data, err = encodeJSON(tmpl)
	} else {
		data, err = encodeYAML(tmpl)
	}
	if err != nil {
		panic(fmt.Sprintf("cloudformation: cannot encode template %s: %v", s.name, err))
	}
	return data
}

// stack is one template: the primary keys of an application stage in one
// region, or the replicas of its keys in one region.
type stack struct {
	name    string // the file name without extension
	app     *model.Application
	stage   *model.Stage
	account *model.Account
	region  string
	// replica is true for a stack of replica keys.
	replica bool
	keys    []*policy.KeyPolicy
	// primaryStack names, for a replica stack, the stack of each key's
	// primary.
	primaryStack map[*policy.KeyPolicy]string
}

type generator struct {
	org *model.Organization
	// ids maps each application's key names to the base of their logical
	// ids.
	ids map[*model.Application]map[string]string
}

// StackName is the CloudFormation stack that declares a key instance: its
// application and stage (a key shared across stages, the first stage), in
// the organization's first region; a key whose primary region is another
// has a stack of its own there. It follows from the key alone, so that a
// key added or removed never moves another to a new stack.
func StackName(org *model.Organization, ki *model.KeyInstance) string {
	st := ki.Stage
	if st == nil {
		st = ki.Stages[0]
	}
	name := ki.App.Name + "-" + st.Name
	if ki.Region != org.Regions[0] {
		name += "-" + ki.Region + "-keys"
	}
	return name
}

// stacks groups the key policies into stacks, in the model's order.
func (g *generator) stacks(pols []*policy.KeyPolicy) []*stack {
	type appStage struct {
		app   *model.Application
		stage *model.Stage
		keys  []*policy.KeyPolicy
	}
	var order []*appStage
	byStage := map[*model.Stage]*appStage{}
	for _, kp := range pols {
		ki := kp.Instance
		// A key shared across stages goes into the stack of the
		// application's first stage.
		st := ki.Stage
		if st == nil {
			st = ki.Stages[0]
		}
		as := byStage[st]
		if as == nil {
			as = &appStage{app: ki.App, stage: st}
			byStage[st] = as
			order = append(order, as)
		}
		as.keys = append(as.keys, kp)
	}

	var out []*stack
	for _, as := range order {
		base := as.app.Name + "-" + as.stage.Name
		// Each key in the stack StackName names; its replicas in a stack
		// of the stage per replica region.
		primaries := map[string]*stack{}
		replicas := map[string]*stack{}
		var regions []string
		for _, kp := range as.keys {
			ki := kp.Instance
			s := primaries[ki.Region]
			if s == nil {
				s = &stack{name: StackName(g.org, ki), app: as.app, stage: as.stage, account: ki.Account, region: ki.Region}
				primaries[ki.Region] = s
				regions = appendUnique(regions, ki.Region)
			}
			s.keys = append(s.keys, kp)
		}
		for _, kp := range as.keys {
			ki := kp.Instance
			for _, r := range ki.ReplicaRegions {
				s := replicas[r]
				if s == nil {
					s = &stack{name: base + "-" + r, app: as.app, stage: as.stage, account: ki.Account, region: r,
						replica: true, primaryStack: map[*policy.KeyPolicy]string{}}
					replicas[r] = s
				}
				s.keys = append(s.keys, kp)
				s.primaryStack[kp] = primaries[ki.Region].name
			}
		}
		for _, r := range regions {
			out = append(out, primaries[r])
		}
		for _, r := range slices.Sorted(maps.Keys(replicas)) {
			out = append(out, replicas[r])
		}
	}
	return out
}

// template builds the template of a stack.
func (g *generator) template(s *stack) *object {
	t := &object{}
	t.add("AWSTemplateFormatVersion", "2010-09-09")
	t.add("Description", s.description())
	meta := &object{}
	meta.add("application", s.app.Name)
	meta.add("stage", s.stage.Name)
	meta.add("account", s.account.Name)
	meta.add("account_id", s.account.ID)
	meta.add("region", s.region)
	meta.add("generated_by", word("kpgen"))
	meta.add("do_not_edit", "Generated by kpgen from the spec. Do not edit: change the spec and regenerate with kpgen build.")
	t.add("Metadata", (&object{}).add("kpgen", meta))

	params := &object{}
	resources := &object{}
	outputs := &object{}
	for _, kp := range s.keys {
		ki := kp.Instance
		doc := documentValue(kp.Document)
		base := g.ids[ki.App][ki.Key.Name]
		if s.replica {
			g.replica(s, kp, base, doc, params, resources, outputs)
		} else {
			g.primary(ki, base, doc, resources, outputs)
		}
	}
	if len(params.fields) > 0 {
		t.add("Parameters", params)
	}
	t.add("Resources", resources)
	t.add("Outputs", outputs)
	return t
}

func (s *stack) description() string {
	where := fmt.Sprintf("Deploy in account %s (%s), region %s", s.account.Name, s.account.ID, s.region)
	if s.replica {
		return fmt.Sprintf("Replicas in %s of the multi-Region KMS keys of application %s, stage %s. Generated by kpgen. %s, after the stacks of the primary keys, passing each primary key's ARN as a parameter.",
			s.region, s.app.Name, s.stage.Name, where)
	}
	d := fmt.Sprintf("KMS keys of application %s, stage %s. Generated by kpgen. %s.", s.app.Name, s.stage.Name, where)
	for _, kp := range s.keys {
		if kp.Instance.Stage == nil {
			return d + " The keys tagged without kpgen:stage serve every stage of the application."
		}
	}
	return d
}

// primary adds a key, its alias and their outputs.
func (g *generator) primary(ki *model.KeyInstance, base string, doc any, resources, outputs *object) {
	k := ki.Key
	id := base + "Key"
	props := &object{}
	props.add("Description", k.Description)
	props.add("Enabled", true)
	// KMS rotates only symmetric keys with AWS_KMS key material; the
	// property is left out where it cannot apply.
	if k.CanRotate() {
		props.add("EnableKeyRotation", k.RotationDays > 0)
		if k.RotationDays > 0 {
			props.add("RotationPeriodInDays", k.RotationDays)
		}
	}
	props.add("KeySpec", word(k.Spec))
	props.add("KeyUsage", word(k.Usage))
	props.add("MultiRegion", k.MultiRegion())
	props.add("Origin", word(strings.ToUpper(k.Origin)))
	props.add("PendingWindowInDays", k.DeletionWindowDays)
	props.add("KeyPolicy", doc)
	props.add("Tags", tags(ki))
	resources.add(id, retained("AWS::KMS::Key", props))
	resources.add(id+"Alias", alias(ki.Alias, id))

	what := fmt.Sprintf("key %s (%s)", ki.Alias, ki.Region)
	outputs.add(id+"Arn", out("ARN of "+what, getAtt(id, "Arn"), exportName(ki, "", "arn")))
	outputs.add(id+"Id", out("Key id of "+what, ref(id), exportName(ki, "", "id")))
}

// replica adds the replica of a key in the stack's region, the parameter
// that takes its primary's ARN, its alias and their outputs.
func (g *generator) replica(s *stack, kp *policy.KeyPolicy, base string, doc any, params, resources, outputs *object) {
	ki := kp.Instance
	k := ki.Key
	primaryID := base + "Key"
	param := primaryID + "PrimaryKeyArn"
	p := &object{}
	p.add("Type", word("String"))
	p.add("Description", fmt.Sprintf("ARN of the primary key %s in %s: output %sArn of stack %s (export %s).",
		ki.Alias, ki.Region, primaryID, s.primaryStack[kp], exportName(ki, "", "arn")))
	// A multi-Region key's id is mrk- and 32 hex digits; the pattern also
	// pins the primary's partition, region and account.
	p.add("AllowedPattern", fmt.Sprintf("^arn:%s:kms:%s:%s:key/mrk-[0-9a-f]{32}$", g.org.Partition, ki.Region, ki.Account.ID))
	p.add("ConstraintDescription", fmt.Sprintf("the ARN of a multi-Region key in %s of account %s", ki.Region, ki.Account.ID))
	params.add(param, p)

	id := base + "ReplicaKey"
	props := &object{}
	props.add("PrimaryKeyArn", ref(param))
	props.add("Description", k.Description)
	props.add("Enabled", true)
	props.add("PendingWindowInDays", k.DeletionWindowDays)
	props.add("KeyPolicy", doc)
	props.add("Tags", tags(ki))
	resources.add(id, retained("AWS::KMS::ReplicaKey", props))
	resources.add(id+"Alias", alias(ki.Alias, id))

	what := fmt.Sprintf("replica key %s (%s)", ki.Alias, s.region)
	outputs.add(id+"Arn", out("ARN of "+what, getAtt(id, "Arn"), exportName(ki, s.region, "arn")))
	outputs.add(id+"Id", out("Key id of "+what, ref(id), exportName(ki, s.region, "id")))
}

// retained is a resource that stays when it leaves the stack or is
// replaced: deleting a key destroys every piece of data it encrypted.
func retained(typ string, props *object) *object {
	r := &object{}
	r.add("Type", word(typ))
	r.add("DeletionPolicy", word("Retain"))
	r.add("UpdateReplacePolicy", word("Retain"))
	r.add("Properties", props)
	return r
}

func alias(name, target string) *object {
	props := &object{}
	props.add("AliasName", name)
	props.add("TargetKeyId", ref(target))
	return (&object{}).add("Type", word("AWS::KMS::Alias")).add("Properties", props)
}

func out(description string, value any, export string) *object {
	o := &object{}
	o.add("Description", description)
	o.add("Value", value)
	o.add("Export", (&object{}).add("Name", export))
	return o
}

// ref and getAtt use the long form of the intrinsic functions, never the
// YAML short tags (!Ref), so that any YAML reader sees plain mappings.
func ref(id string) *object { return (&object{}).add("Ref", word(id)) }

func getAtt(id, attr string) *object {
	return (&object{}).add("Fn::GetAtt", []any{word(id), word(attr)})
}

// exportName is the stable name of an output: kpgen-APP-STAGE-KEY-arn (or
// kpgen-APP-KEY-arn for a key shared across stages), with the region before
// the suffix for a replica.
func exportName(ki *model.KeyInstance, region, suffix string) string {
	parts := []string{"kpgen", strings.ReplaceAll(ki.ID(), "/", "-")}
	if region != "" {
		parts = append(parts, region)
	}
	return strings.Join(append(parts, suffix), "-")
}

// tags are kpgen's own tags, then the spec's tags sorted by key.
func tags(ki *model.KeyInstance) []any {
	var out []any
	for _, kv := range ki.Tags() {
		out = append(out, (&object{}).add("Key", kv.Key).add("Value", kv.Value))
	}
	return out
}

// checkExports reports an export name that a stack shares with another
// stack of the same account and region: CloudFormation refuses the second.
func checkExports(seen map[string]*model.KeyInstance, s *stack) diag.Diagnostics {
	var diags diag.Diagnostics
	for _, kp := range s.keys {
		ki := kp.Instance
		region := ""
		if s.replica {
			region = s.region
		}
		for _, suffix := range []string{"arn", "id"} {
			name := exportName(ki, region, suffix)
			key := s.account.ID + "/" + s.region + "/" + name
			if other := seen[key]; other != nil {
				diags = diags.Errorf(ki.Key.Range(), "Two CloudFormation exports with one name",
					"Keys %s and %s would both export %s in account %s, region %s. Rename an application, stage or key so that their names no longer meet.",
					other.ID(), ki.ID(), name, s.account.ID, s.region)
				continue
			}
			seen[key] = ki
		}
	}
	return diags
}

// logicalBases gives each key of an application the base of its logical
// ids: its name in CamelCase ("browsing-history" → "BrowsingHistory"), the
// same in every stack of the application. A base is made from the name
// alone and never numbered, so that adding or removing a key never moves
// another key's logical id (to CloudFormation, a key replaced). Names that
// meet in one base ("v1" and "v-1") are an error.
func logicalBases(app *model.Application) (map[string]string, diag.Diagnostics) {
	var diags diag.Diagnostics
	out := map[string]string{}
	owner := map[string]*model.Key{}
	for _, k := range app.Keys {
		b := camel(k.Name)
		if other := owner[b]; other != nil {
			diags = diags.Errorf(k.Range(), "Two keys with one CloudFormation logical id",
				"Keys %q and %q of application %q would both have the logical id %sKey in CloudFormation, which keeps letters and digits only. Rename one of the keys so that their names no longer meet.",
				other.Name, k.Name, app.Name, b)
		}
		owner[b] = k
		out[k.Name] = b
	}
	return out, diags
}

// camel turns a spec name (lower-case letters, digits and dashes) into
// CamelCase letters and digits.
func camel(name string) string {
	var b strings.Builder
	for _, part := range strings.Split(name, "-") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]))
		b.WriteString(part[1:])
	}
	return b.String()
}

func appendUnique(s []string, v string) []string {
	if slices.Contains(s, v) {
		return s
	}
	return append(s, v)
}
