package schema

import (
	"encoding/json"
	"sort"
	"strconv"

	"github.com/hashicorp/hcl/v2"

	"github.com/kpgen/kpgen/internal/par"
)

// decode fills spec from a lowered document that the JSON Schema accepted, so
// every type assertion below holds.
func decode(spec *Spec, doc map[string]any, index *ranges) {
	d := decoder{index: index}
	hdr := doc["kpgen"].(map[string]any)
	spec.Header = d.block("kpgen", "/kpgen", hdr)
	spec.Version = d.int(hdr, "version")

	o := doc["organization"].(map[string]any)
	org := &Organization{
		Block:        d.block("organization", "/organization", o),
		Strategy:     d.plain(o, "strategy"),
		Partition:    d.plain(o, "partition"),
		Regions:      d.strs("/organization", o, "regions"),
		OrgID:        d.plain(o, "org_id"),
		SecurityTeam: d.str("/organization", o, "security_team"),
		KeyAccount:   d.str("/organization", o, "key_account"),
		AliasPrefix:  d.plain(o, "alias_prefix"),
		Deployer:     d.str("/organization", o, "deployer"),
	}
	if org.Partition == "" {
		org.Partition = "aws"
	}
	if b, ok := o["budget"].(map[string]any); ok {
		org.Budget = &Budget{Block: d.block("budget", "/organization/budget", b)}
		org.Budget.MaxKeys = d.intp(b, "max_keys")
		if n, ok := b["max_monthly_usd"].(json.Number); ok {
			f, _ := n.Float64()
			org.Budget.MaxMonthlyUSD = &f
		}
	}
	spec.Organization = org

	each(doc, "", "account", func(p string, m map[string]any) {
		spec.Accounts = append(spec.Accounts, &Account{
			Block:    d.block("account", p, m),
			ID:       d.plain(m, "id"),
			Deployer: d.str(p, m, "deployer"),
		})
	})
	each(doc, "", "classification", func(p string, m map[string]any) {
		spec.Classifications = append(spec.Classifications, &Classification{
			Block:         d.block("classification", p, m),
			Rank:          d.int(m, "rank"),
			MinKeyType:    d.plain(m, "min_key_type"),
			Rotation:      d.bool(m, "rotation"),
			IAMDelegation: d.bool(m, "iam_delegation"),
			Regions:       d.strs(p, m, "regions"),
		})
	})
	each(doc, "", "team", func(p string, m map[string]any) {
		spec.Teams = append(spec.Teams, &Team{
			Block:          d.block("team", p, m),
			Administrators: d.strs(p, m, "administrators"),
		})
	})
	// Applications are most of a large spec: decode them on every CPU.
	apps, _ := doc["application"].([]any)
	spec.Applications = make([]*Application, len(apps))
	par.Each(len(apps), func(i int) {
		p, m := "/application/"+strconv.Itoa(i), apps[i].(map[string]any)
		app := &Application{Block: d.block("application", p, m), Team: d.str(p, m, "team")}
		each(m, p, "stage", func(p string, m map[string]any) {
			st := &Stage{Block: d.block("stage", p, m), Account: d.str(p, m, "account")}
			if v, ok := m["production"].(bool); ok {
				st.Production = &v
			}
			app.Stages = append(app.Stages, st)
		})
		each(m, p, "data", func(p string, m map[string]any) {
			app.Data = append(app.Data, &Data{
				Block:          d.block("data", p, m),
				Classification: d.str(p, m, "classification"),
				Services:       d.strs(p, m, "services"),
				Users:          d.strs(p, m, "users"),
				Key:            d.str(p, m, "key"),
				KeyType:        d.str(p, m, "key_type"),
			})
		})
		each(m, p, "key", func(p string, m map[string]any) {
			app.Keys = append(app.Keys, &Key{
				Block:              d.block("key", p, m),
				Description:        d.plain(m, "description"),
				Users:              d.strs(p, m, "users"),
				Administrators:     d.strs(p, m, "administrators"),
				Services:           d.strs(p, m, "services"),
				Spec:               d.plain(m, "spec"),
				Usage:              d.plain(m, "usage"),
				RotationDays:       d.intp(m, "rotation_days"),
				DeletionWindowDays: d.intp(m, "deletion_window_days"),
				Regions:            d.strs(p, m, "regions"),
				Origin:             d.plain(m, "origin"),
				EncryptionContext:  d.kvs(p, m, "encryption_context"),
				IAMDelegation:      d.bool(m, "iam_delegation"),
				SharedAcrossStages: d.bool(m, "shared_across_stages"),
				Tags:               d.kvs(p, m, "tags"),
			})
		})
		spec.Applications[i] = app
	})
}

type decoder struct {
	index *ranges
}

func each(obj map[string]any, ptr, typ string, fn func(string, map[string]any)) {
	arr, _ := obj[typ].([]any)
	for i, v := range arr {
		fn(ptr+"/"+typ+"/"+strconv.Itoa(i), v.(map[string]any))
	}
}

func (d decoder) block(typ, ptr string, m map[string]any) Block {
	b := Block{Type: typ, DefRange: d.index.at(ptr), Range: d.index.at(ptr + "#block"), Attrs: map[string]hcl.Range{}}
	if name, ok := m["name"].(string); ok {
		b.Name = name
		b.NameRange = d.index.at(ptr + "/name")
	}
	for k := range m {
		if _, isAttr := d.index.get(ptr + "/" + k + "#attr"); isAttr {
			b.Attrs[k] = d.index.at(ptr + "/" + k)
		}
	}
	for _, kv := range d.kvs(ptr, m, "lint_ignore") {
		b.LintIgnore = append(b.LintIgnore, Suppression{Rule: kv.Key, Reason: kv.Value, Range: kv.KeyRange})
	}
	return b
}

func (d decoder) plain(m map[string]any, name string) string {
	s, _ := m[name].(string)
	return s
}

func (d decoder) str(ptr string, m map[string]any, name string) String {
	s, ok := m[name].(string)
	if !ok {
		return String{}
	}
	return String{Value: s, Range: d.index.at(ptr + "/" + name)}
}

func (d decoder) strs(ptr string, m map[string]any, name string) []String {
	arr, ok := m[name].([]any)
	if !ok {
		return nil
	}
	out := make([]String, len(arr))
	for i, v := range arr {
		p := ptr + "/" + name + "/" + strconv.Itoa(i)
		r, ok := d.index.get(p)
		if !ok {
			r = d.index.at(ptr + "/" + name)
		}
		out[i] = String{Value: v.(string), Range: r}
	}
	return out
}

// kvs returns a map attribute's entries sorted by key.
func (d decoder) kvs(ptr string, m map[string]any, name string) []KV {
	obj, ok := m[name].(map[string]any)
	if !ok {
		return nil
	}
	out := make([]KV, 0, len(obj))
	for k, v := range obj {
		p := ptr + "/" + name + "/" + escapePointer(k)
		r, ok := d.index.get(p)
		if !ok {
			r = d.index.at(ptr + "/" + name)
		}
		kr, ok := d.index.get(p + "#key")
		if !ok {
			kr = r
		}
		out = append(out, KV{Key: k, Value: v.(string), Range: r, KeyRange: kr})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out
}

func (d decoder) bool(m map[string]any, name string) bool {
	b, _ := m[name].(bool)
	return b
}

func (d decoder) int(m map[string]any, name string) int {
	if p := d.intp(m, name); p != nil {
		return *p
	}
	return 0
}

func (d decoder) intp(m map[string]any, name string) *int {
	n, ok := m[name].(json.Number)
	if !ok {
		return nil
	}
	// Lowering writes a whole number without a fraction, and the schema
	// admits only whole numbers here.
	i, err := strconv.Atoi(string(n))
	if err != nil {
		return nil
	}
	return &i
}
