package model

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/diag"
	"github.com/kpgen/kpgen/schema"
)

// Key defaults that the language fixes (docs/spec.md).
const (
	DefaultRotationDays       = 365
	DefaultDeletionWindowDays = 30
	DefaultSpec               = "SYMMETRIC_DEFAULT"
)

// productionNames are the stage names that are production unless the stage
// says otherwise.
var productionNames = map[string]bool{"prod": true, "production": true, "prd": true, "live": true}

// Build resolves a spec. It reports every reference error it finds; the model
// is complete only when the diagnostics hold no error.
func Build(spec *schema.Spec) (*Model, diag.Diagnostics) {
	b := &builder{
		m:        &Model{Spec: spec},
		accounts: map[string]*Account{},
		classes:  map[string]*Classification{},
		teams:    map[string]*Team{},
	}
	b.organization()
	b.declarations()
	b.resolveOrganization()
	for _, sa := range spec.Applications {
		b.application(sa)
	}
	if b.diags.HasErrors() {
		return b.m, b.diags
	}
	for _, app := range b.m.Applications {
		b.derive(app)
		explainKeys(app)
	}
	if b.diags.HasErrors() {
		return b.m, b.diags
	}
	b.instantiate()
	b.explainAdministrators()
	return b.m, b.diags
}

type builder struct {
	m        *Model
	diags    diag.Diagnostics
	accounts map[string]*Account
	classes  map[string]*Classification
	teams    map[string]*Team
}

func (b *builder) errorf(rng hcl.Range, summary, format string, args ...any) {
	b.diags = b.diags.Errorf(rng, summary, format, args...)
}

func (b *builder) organization() {
	so := b.m.Spec.Organization
	org := &Organization{
		Name:        so.Name,
		Strategy:    so.Strategy,
		Partition:   so.Partition,
		OrgID:       so.OrgID,
		AliasPrefix: so.AliasPrefix,
		Source:      so,
	}
	for _, r := range so.Regions {
		b.checkRegion(r)
		org.Regions = append(org.Regions, r.Value)
	}
	b.m.Organization = org
	if so.Deployer.Value != "" {
		org.Deployer = b.principal(so.Deployer, useDeployer)
	}
}

// declarations indexes accounts, classifications and teams, refusing
// duplicate names.
func (b *builder) declarations() {
	spec := b.m.Spec
	for _, sa := range spec.Accounts {
		if prev, dup := b.accounts[sa.Name]; dup {
			b.duplicate("account", sa.Name, sa.NameRange, prev.Source.NameRange)
			continue
		}
		a := &Account{Name: sa.Name, ID: sa.ID, Source: sa}
		if sa.Deployer.Value != "" {
			a.Deployer = b.principal(sa.Deployer, useDeployer)
		}
		b.accounts[sa.Name] = a
		b.m.Accounts = append(b.m.Accounts, a)
	}
	for _, sc := range spec.Classifications {
		if prev, dup := b.classes[sc.Name]; dup {
			b.duplicate("classification", sc.Name, sc.NameRange, prev.Source.NameRange)
			continue
		}
		c := &Classification{Name: sc.Name, Rank: sc.Rank, MinKeyType: parseKeyType(sc.MinKeyType),
			Rotation: sc.Rotation, IAMDelegation: sc.IAMDelegation, Source: sc}
		for _, r := range sc.Regions {
			b.checkRegion(r)
			c.Regions = append(c.Regions, r.Value)
		}
		b.classes[sc.Name] = c
		b.m.Classifications = append(b.m.Classifications, c)
	}
	for _, st := range spec.Teams {
		if prev, dup := b.teams[st.Name]; dup {
			b.duplicate("team", st.Name, st.NameRange, prev.Source.NameRange)
			continue
		}
		t := &Team{Name: st.Name, Source: st}
		t.Administrators = b.principals(st.Administrators, useAdministrator)
		b.teams[st.Name] = t
		b.m.Teams = append(b.m.Teams, t)
	}
}

func (b *builder) resolveOrganization() {
	so := b.m.Spec.Organization
	if so.SecurityTeam.Value != "" {
		b.m.Organization.SecurityTeam = b.team(so.SecurityTeam)
	}
	if so.KeyAccount.Value != "" {
		b.m.Organization.KeyAccount = b.account(so.KeyAccount)
	}
}

func (b *builder) application(sa *schema.Application) {
	for _, prev := range b.m.Applications {
		if prev.Name == sa.Name {
			b.duplicate("application", sa.Name, sa.NameRange, prev.Source.NameRange)
			return
		}
	}
	if sa.Name == "aws" && b.m.Spec.Organization.AliasPrefix == "" {
		b.errorf(sa.NameRange, "Alias reserved for AWS",
			"The keys of application \"aws\" would have aliases alias/aws/…, which AWS keeps for its managed keys and refuses to create. Set organization.alias_prefix, or rename the application.")
	}
	app := &Application{Name: sa.Name, Source: sa, Team: b.team(sa.Team)}
	b.m.Applications = append(b.m.Applications, app)

	seen := map[string]hcl.Range{}
	for _, ss := range sa.Stages {
		if prev, dup := seen[ss.Name]; dup {
			b.duplicate("stage", ss.Name, ss.NameRange, prev)
			continue
		}
		seen[ss.Name] = ss.NameRange
		st := &Stage{Name: ss.Name, App: app, Account: b.account(ss.Account), Source: ss,
			Production: productionNames[ss.Name]}
		if ss.Production != nil {
			st.Production = *ss.Production
		}
		app.Stages = append(app.Stages, st)
	}

	clear(seen)
	for _, sk := range sa.Keys {
		if prev, dup := seen[sk.Name]; dup {
			b.duplicate("key", sk.Name, sk.NameRange, prev)
			continue
		}
		seen[sk.Name] = sk.NameRange
		app.Keys = append(app.Keys, b.explicitKey(app, sk))
	}

	clear(seen)
	for _, sd := range sa.Data {
		if prev, dup := seen[sd.Name]; dup {
			b.duplicate("data", sd.Name, sd.NameRange, prev)
			continue
		}
		seen[sd.Name] = sd.NameRange
		d := &Data{Name: sd.Name, App: app, Source: sd, KeyType: CustomerManaged}
		if c := b.classification(sd.Classification); c != nil {
			d.Classification = c
		}
		d.Services = b.services(sd.Services)
		d.Users = b.principals(sd.Users, useUser)
		if sd.KeyType.Value != "" {
			d.KeyType = parseKeyType(sd.KeyType.Value)
		}
		switch {
		case sd.Key.Value != "" && sd.KeyType.Value != "" && d.KeyType != CustomerManaged:
			b.errorf(sd.KeyType.Range, "Conflicting key and key_type",
				"Data %q names key %q and key_type %q. Keep key to protect the data with a key of the application, or key_type to keep it on an AWS %s key.",
				sd.Name, sd.Key.Value, sd.KeyType.Value, strings.TrimPrefix(sd.KeyType.Value, "aws_"))
		case sd.Key.Value != "":
			d.Key = b.keyOf(app, sd.Key)
			if d.Key != nil {
				d.Key.Protects = append(d.Key.Protects, d)
				d.KeyType = d.Key.KeyType()
			}
		}
		app.Data = append(app.Data, d)
	}
	for _, k := range app.Keys {
		b.keyDefaults(k)
	}
}

func (b *builder) explicitKey(app *Application, sk *schema.Key) *Key {
	k := &Key{
		Name:               sk.Name,
		App:                app,
		Source:             sk,
		Description:        sk.Description,
		Users:              b.principals(sk.Users, useUser),
		Administrators:     b.principals(sk.Administrators, useAdministrator),
		AdministratorsSet:  sk.Has("administrators"),
		Spec:               sk.Spec,
		Usage:              sk.Usage,
		Origin:             sk.Origin,
		EncryptionContext:  sk.EncryptionContext,
		IAMDelegation:      sk.IAMDelegation,
		SharedAcrossStages: sk.SharedAcrossStages,
		Tags:               sk.Tags,
	}
	if sk.Spec == "SM2" && b.m.Spec.Organization.Partition != "aws-cn" {
		b.errorf(sk.AttrRange("spec"), "Key spec only in the China Regions",
			"SM2 keys exist only in the China Regions (partition \"aws-cn\"); AWS refuses to create them in partition %q. Choose another spec, such as ECC_NIST_P256 for signing or SYMMETRIC_DEFAULT for encryption.", b.m.Spec.Organization.Partition)
	}
	for i, kv := range sk.EncryptionContext {
		for _, prev := range sk.EncryptionContext[:i] {
			if strings.EqualFold(prev.Key, kv.Key) {
				b.errorf(kv.KeyRange, "Encryption context keys that differ only in case",
					"%q and %q differ only in case. Condition key names in a key policy ignore case, so kms:EncryptionContext:%s cannot require both, and AWS advises against such pairs. Keep one of them.", prev.Key, kv.Key, kv.Key)
			}
		}
	}
	if sk.Has("services") {
		k.Services = b.services(sk.Services)
	}
	if sk.RotationDays != nil {
		k.RotationDays = *sk.RotationDays
	} else {
		k.RotationDays = -1 // set by keyDefaults once the spec is known
	}
	if sk.DeletionWindowDays != nil {
		k.DeletionWindowDays = *sk.DeletionWindowDays
	}
	for _, r := range sk.Regions {
		b.checkRegion(r)
		if !slices.Contains(b.m.Organization.Regions, r.Value) {
			b.errorf(r.Range, "Region outside the organization",
				"Region %q is not among the organization's regions (%s). Add it to organization.regions or remove it here.",
				r.Value, strings.Join(b.m.Organization.Regions, ", "))
		}
		k.Regions = append(k.Regions, r.Value)
	}
	return k
}

// keyDefaults fills what a key block left out, once the data it protects is
// known: explicit keys and derived keys get the same defaults.
func (b *builder) keyDefaults(k *Key) {
	if k.Spec == "" {
		k.Spec = DefaultSpec
	}
	if k.Usage == "" {
		k.Usage = DefaultUsage(k.Spec)
	}
	if k.Origin == "" {
		k.Origin = "aws_kms"
	}
	if k.RotationDays < 0 || (k.Source == nil && k.RotationDays == 0) {
		k.RotationDays = 0
		if k.CanRotate() {
			k.RotationDays = DefaultRotationDays
		}
	}
	if k.DeletionWindowDays == 0 {
		k.DeletionWindowDays = DefaultDeletionWindowDays
	}
	if k.Source == nil || !k.Source.Has("services") {
		k.Services = nil
		for _, d := range k.Protects {
			for _, s := range d.Services {
				if !slices.Contains(k.Services, s) {
					k.Services = append(k.Services, s)
				}
			}
		}
		slices.SortFunc(k.Services, func(a, b *Service) int { return cmp.Compare(a.Name, b.Name) })
	}
	if len(k.Regions) == 0 {
		k.Regions = []string{b.defaultRegion(k)}
	}
	if k.Description == "" {
		k.Description = defaultDescription(k)
	}
}

// defaultRegion is the first organization region that every classification
// the key protects allows; the primary region when none does (lint reports
// the residency breach).
func (b *builder) defaultRegion(k *Key) string {
	regions := b.m.Organization.Regions
	for _, r := range regions {
		ok := true
		for _, d := range k.Protects {
			if c := d.Classification; c != nil && len(c.Regions) > 0 && !slices.Contains(c.Regions, r) {
				ok = false
			}
		}
		if ok {
			return r
		}
	}
	return regions[0]
}

func defaultDescription(k *Key) string {
	var names []string
	for _, d := range k.Protects {
		names = append(names, d.Name)
	}
	if len(names) == 0 {
		return fmt.Sprintf("Key %s of application %s", k.Name, k.App.Name)
	}
	cls := k.Classifications()
	if len(cls) == 0 {
		return fmt.Sprintf("Data of application %s: %s", k.App.Name, strings.Join(names, ", "))
	}
	return fmt.Sprintf("%s data of application %s: %s", cls[0].Name, k.App.Name, strings.Join(names, ", "))
}

// DefaultUsage is the KeyUsage a key spec gets when the key does not set one.
func DefaultUsage(spec string) string {
	switch {
	case strings.HasPrefix(spec, "HMAC_"):
		return "GENERATE_VERIFY_MAC"
	case strings.HasPrefix(spec, "ECC_"), strings.HasPrefix(spec, "ML_DSA_"):
		return "SIGN_VERIFY"
	}
	return "ENCRYPT_DECRYPT"
}

func (b *builder) duplicate(typ, name string, at, first hcl.Range) {
	b.errorf(at, fmt.Sprintf("Duplicate %s", typ),
		"%s named %q is already declared at %s:%d:%d. Rename one of them or merge the two blocks.",
		article(typ), name, first.Filename, first.Start.Line, first.Start.Column)
}

func (b *builder) account(ref schema.String) *Account {
	if a, ok := b.accounts[ref.Value]; ok {
		return a
	}
	b.unknown("account", ref, keys(b.accounts))
	return nil
}

func (b *builder) team(ref schema.String) *Team {
	if t, ok := b.teams[ref.Value]; ok {
		return t
	}
	b.unknown("team", ref, keys(b.teams))
	return nil
}

func (b *builder) classification(ref schema.String) *Classification {
	if c, ok := b.classes[ref.Value]; ok {
		return c
	}
	b.unknown("classification", ref, keys(b.classes))
	return nil
}

func (b *builder) keyOf(app *Application, ref schema.String) *Key {
	var names []string
	for _, k := range app.Keys {
		if k.Name == ref.Value {
			return k
		}
		names = append(names, k.Name)
	}
	d := diag.New(diag.Error, ref.Range, "Unknown key",
		fmt.Sprintf("Application %q has no key block named %q.", app.Name, ref.Value))
	if sug := schema.DidYouMean(ref.Value, names); sug != "" {
		d.Detail += fmt.Sprintf(" Did you mean %q?", sug)
	} else {
		d.Detail += fmt.Sprintf(" Add key %q { } to the application, or remove key = to let kpgen derive one.", ref.Value)
	}
	b.diags = append(b.diags, d)
	return nil
}

func (b *builder) unknown(typ string, ref schema.String, names []string) {
	detail := fmt.Sprintf("No %s named %q is declared.", typ, ref.Value)
	if sug := schema.DidYouMean(ref.Value, names); sug != "" {
		detail += fmt.Sprintf(" Did you mean %q?", sug)
	} else if len(names) > 0 && len(names) <= 8 {
		detail += fmt.Sprintf(" Declared: %s.", strings.Join(names, ", "))
	}
	b.errorf(ref.Range, fmt.Sprintf("Unknown %s", typ), "%s", detail)
}

func (b *builder) services(refs []schema.String) []*Service {
	var out []*Service
	for _, r := range refs {
		s := LookupService(r.Value)
		if s == nil {
			detail := fmt.Sprintf("%q is not in kpgen's service catalogue.", r.Value)
			sug := serviceSuggestion(r.Value)
			sp := LookupServicePrincipal(r.Value)
			switch {
			case sp != nil:
				detail += fmt.Sprintf(" %s uses keys as a service principal: add \"service:%s\" to the users instead, and keep in services a service of the catalogue through which your roles use the data (a data set names at least one; with no role among its users, it only decides which data share a key).", sp.Title, sp.Name)
			case sug != "":
				detail += fmt.Sprintf(" Did you mean %q?", sug)
			default:
				detail += " The catalogue: " + strings.Join(ServiceNames(), ", ") + "."
			}
			b.errorf(r.Range, "Unknown service", "%s", detail)
			continue
		}
		out = append(out, s)
	}
	return out
}

func (b *builder) principal(s schema.String, use principalUse) *PrincipalRef {
	ref, d := parsePrincipal(s, use, b.m.Organization.Partition)
	if d != nil {
		b.diags = append(b.diags, d)
	}
	return ref
}

func (b *builder) principals(ss []schema.String, use principalUse) []*PrincipalRef {
	var out []*PrincipalRef
	for _, s := range ss {
		if r := b.principal(s, use); r != nil {
			out = append(out, r)
		}
	}
	return out
}

// regionPartition is the partition a region belongs to, by its prefix.
func regionPartition(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	}
	return "aws"
}

// Regions are the regions of each partition kpgen knows: those AWS had
// opened when this release was made (AWS General Reference, "AWS Regions").
// Rule KP703 warns about any other.
var Regions = map[string][]string{
	"aws": {
		"af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3",
		"ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3",
		"ap-southeast-4", "ap-southeast-5", "ap-southeast-6", "ap-southeast-7", "ca-central-1",
		"ca-west-1", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
		"eu-west-1", "eu-west-2", "eu-west-3", "il-central-1", "me-central-1", "me-south-1",
		"mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1", "us-west-2",
	},
	"aws-cn":     {"cn-north-1", "cn-northwest-1"},
	"aws-us-gov": {"us-gov-east-1", "us-gov-west-1"},
}

// regionShape is the form of a region of the three partitions kpgen
// supports: the isolated partitions' regions (us-iso-east-1) have a
// further part and are not among them.
var regionShape = regexp.MustCompile(`^(?:[a-z]{2}|us-gov)-[a-z]+-[0-9]+$`)

func (b *builder) checkRegion(r schema.String) {
	p := b.m.Spec.Organization.Partition
	if !regionShape.MatchString(r.Value) {
		b.errorf(r.Range, "Not a region of a supported partition",
			"%q is not a region of the aws, aws-cn or aws-us-gov partition (regions look like \"eu-west-1\"). Use a region of %q.", r.Value, p)
		return
	}
	if rp := regionPartition(r.Value); rp != p {
		b.errorf(r.Range, "Region in another partition",
			"Region %q is in partition %q, but the organization's partition is %q. Set organization.partition or use a region of %q.", r.Value, rp, p, p)
	}
}

// serviceOtherNames are names a service is also known by (its kms:ViaService
// host, its former or marketing name), mapped to its catalogue name.
var serviceOtherNames = map[string]string{
	"aurora": "rds", "cassandra": "keyspaces", "documentdb": "docdb", "ec2": "ebs",
	"elasticfilesystem": "efs", "elasticsearch": "opensearch", "es": "opensearch",
	"kinesis-firehose": "firehose", "msk": "kafka", "parameter-store": "ssm",
}

// serviceSuggestion is the catalogue name most likely meant by an unknown
// service name: the same name in another case, another name of a service,
// else the nearest catalogue name.
func serviceSuggestion(name string) string {
	lower := strings.ToLower(name)
	if LookupService(lower) != nil {
		return lower
	}
	if s, ok := serviceOtherNames[lower]; ok {
		return s
	}
	return schema.DidYouMean(lower, ServiceNames())
}

// article is "A TYPE" or "An TYPE".
func article(typ string) string {
	if strings.ContainsRune("aeiou", rune(typ[0])) {
		return "An " + typ
	}
	return "A " + typ
}

func keys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sortClasses(cs []*Classification) {
	slices.SortStableFunc(cs, func(a, b *Classification) int {
		if c := cmp.Compare(b.Rank, a.Rank); c != 0 {
			return c
		}
		return cmp.Compare(a.Name, b.Name)
	})
}
