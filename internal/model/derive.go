package model

import (
	"fmt"
	"slices"
	"strings"
)

// derive makes the keys for data that names neither a key nor an AWS key
// type. Within the application such data is grouped by classification
// (Principle 1); inside a group, data sets that share no service, directly or
// through other data sets of the group, get separate keys (Principle 3).
func (b *builder) derive(app *Application) {
	var groups [][]*Data // by classification, in order of first appearance
	for _, d := range app.Data {
		if d.Key != nil || d.Source.Key.Value != "" || d.KeyType < CustomerManaged {
			continue
		}
		i := slices.IndexFunc(groups, func(g []*Data) bool { return g[0].Classification == d.Classification })
		if i < 0 {
			groups = append(groups, nil)
			i = len(groups) - 1
		}
		groups[i] = append(groups[i], d)
	}
	var derived []*Key
	for _, g := range groups {
		comps := components(g)
		for _, comp := range comps {
			name := comp[0].Classification.Name
			if len(comp) == 1 {
				name = comp[0].Name
			}
			k := &Key{Name: name, App: app, Derived: true, Protects: comp}
			for _, d := range comp {
				d.Key = k
			}
			derived = append(derived, k)
		}
	}
	// Two derived keys that would share a name both take their first data
	// set's name as a suffix.
	count := map[string]int{}
	for _, k := range derived {
		count[k.Name]++
	}
	for _, k := range derived {
		if count[k.Name] > 1 {
			k.Name += "-" + k.Protects[0].Name
		}
	}
	seen := map[string]*Key{}
	for _, k := range app.Keys {
		seen[k.Name] = k
	}
	for _, k := range derived {
		if prev, clash := seen[k.Name]; clash {
			first := k.Protects[0].Source
			detail := fmt.Sprintf("kpgen would derive a key named %q for %s, but application %q already has a key of that name", k.Name, dataNames(k.Protects), app.Name)
			if prev.Derived {
				detail += fmt.Sprintf(" derived for %s", dataNames(prev.Protects))
			}
			b.errorf(first.DefRange, "Derived key name clash",
				"%s. Declare an explicit key block for this data and set key = on it.", detail)
			continue
		}
		seen[k.Name] = k
		b.keyDefaults(k)
		app.Keys = append(app.Keys, k)
	}
}

// components splits data sets into groups connected by shared services.
func components(ds []*Data) [][]*Data {
	parent := make([]int, len(ds))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	// Each data set joins the first one that has each of its services:
	// linear in the data sets, where comparing every pair was quadratic.
	first := map[*Service]int{}
	for i, d := range ds {
		for _, s := range d.Services {
			j, ok := first[s]
			if !ok {
				first[s] = i
				continue
			}
			if ri, rj := find(i), find(j); ri != rj {
				parent[max(ri, rj)] = min(ri, rj)
			}
		}
	}
	var out [][]*Data
	index := map[int]int{}
	for i, d := range ds {
		r := find(i)
		j, ok := index[r]
		if !ok {
			j = len(out)
			index[r] = j
			out = append(out, nil)
		}
		out[j] = append(out[j], d)
	}
	return out
}

func dataNames(ds []*Data) string {
	names := make([]string, len(ds))
	for i, d := range ds {
		names[i] = fmt.Sprintf("%q", d.Name)
	}
	if len(names) == 1 {
		return "data " + names[0]
	}
	return "data " + strings.Join(names, ", ")
}

func plural(n int, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

// explainKeys writes down, for every key of an application, the principles
// that made it a key of its own; Principle 4, which needs the key's
// instances, is explainAdministrators'.
func explainKeys(app *Application) {
	for _, k := range app.Keys {
		var reasons []string
		mine := k.Classifications()
		var otherClasses []string
		var sameClassKeys, chosenKeys, otherTypeKeys []string
		for _, o := range app.Keys {
			if o == k || len(o.Protects) == 0 {
				continue
			}
			for _, c := range o.Classifications() {
				if !containsClass(mine, c) && !slices.Contains(otherClasses, c.Name) {
					otherClasses = append(otherClasses, c.Name)
				}
			}
			if len(mine) == 1 && len(o.Classifications()) == 1 && o.Classifications()[0] == mine[0] {
				// Principle 3 parts data of one classification that flows
				// through different services; keys that share a service
				// are apart because the spec names a key block.
				switch {
				case k.Spec != o.Spec || k.Usage != o.Usage || k.Origin != o.Origin:
					otherTypeKeys = append(otherTypeKeys, o.Name)
				case disjoint(k.Services, o.Services):
					sameClassKeys = append(sameClassKeys, o.Name)
				default:
					chosenKeys = append(chosenKeys, o.Name)
				}
			}
		}
		if len(mine) == 1 && len(otherClasses) > 0 {
			slices.Sort(otherClasses)
			reasons = append(reasons, fmt.Sprintf("P1: %s data apart from %s", mine[0].Name, strings.Join(otherClasses, ", ")))
		}
		if k.SharedAcrossStages {
			reasons = append(reasons, "P2: one key shared by all stages")
		} else {
			reasons = append(reasons, "P2: one key per stage")
		}
		if len(sameClassKeys) > 0 {
			var svc []string
			for _, s := range k.Services {
				svc = append(svc, s.Name)
			}
			slices.Sort(sameClassKeys)
			what := "its data"
			if len(svc) > 0 {
				what = "data in " + strings.Join(svc, ", ")
			}
			reasons = append(reasons, fmt.Sprintf("P3: %s apart from other %s data (%s %s)", what, mine[0].Name, plural(len(sameClassKeys), "key"), strings.Join(sameClassKeys, ", ")))
		}
		if len(otherTypeKeys) > 0 {
			slices.Sort(otherTypeKeys)
			what := k.Spec + " " + k.Usage
			if k.Origin == "external" {
				what += ", imported material"
			}
			reasons = append(reasons, fmt.Sprintf("key type: %s, apart from other %s data on keys of other types (%s %s)", what, mine[0].Name, plural(len(otherTypeKeys), "key"), strings.Join(otherTypeKeys, ", ")))
		}
		if len(chosenKeys) > 0 {
			slices.Sort(chosenKeys)
			reasons = append(reasons, fmt.Sprintf("key block: apart from other %s data in the same services by the spec's choice (%s %s)", mine[0].Name, plural(len(chosenKeys), "key"), strings.Join(chosenKeys, ", ")))
		}
		k.Reasons = reasons
	}
}

// explainAdministrators adds Principle 4 to the reasons of every key whose
// administrators, in one of its instances, are not those the strategy
// would give it: the same principals written another way (a full ARN, the
// deployer named again) are not administrators of its own.
func (b *builder) explainAdministrators() {
	own := map[*Key]bool{}
	for _, ki := range b.m.Keys {
		k := ki.Key
		if !k.AdministratorsSet || own[k] {
			continue
		}
		def := uniquePrincipals(b.strategyAdministrators(ki))
		if !slices.EqualFunc(ki.PolicyAdministrators, def, func(a, b Principal) bool { return a.Key() == b.Key() }) {
			own[k] = true
			if len(k.Administrators) == 0 {
				k.Reasons = append(k.Reasons, "P4: no administrators but the deployer")
			} else {
				k.Reasons = append(k.Reasons, "P4: administrators of its own")
			}
		}
	}
}

// disjoint reports whether two service lists have no service in common. A
// key without services may be used through any, so it meets every other.
func disjoint(a, b []*Service) bool {
	if len(a) == 0 || len(b) == 0 {
		return false
	}
	for _, s := range a {
		if slices.Contains(b, s) {
			return false
		}
	}
	return true
}
