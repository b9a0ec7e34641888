package model

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestComponents: data sets are grouped exactly as by comparing every pair
// for a shared service, directly or through other data sets, and the
// groups come in the order of their first data set.
func TestComponents(t *testing.T) {
	services := make([]*Service, 6)
	for i := range services {
		services[i] = &Service{Name: fmt.Sprint("s", i)}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for round := range 200 {
		ds := make([]*Data, rng.IntN(12))
		for i := range ds {
			d := &Data{Name: fmt.Sprint("d", i)}
			for _, s := range services {
				if rng.IntN(5) == 0 {
					d.Services = append(d.Services, s)
				}
			}
			ds[i] = d
		}
		if diff := cmp.Diff(pairwiseComponents(ds), names(components(ds))); diff != "" {
			t.Fatalf("round %d: groups (-pairwise +components):\n%s", round, diff)
		}
	}
}

// pairwiseComponents groups data sets by growing each group, in order,
// with every data set that shares a service with one already in it.
func pairwiseComponents(ds []*Data) [][]string {
	group := make([]int, len(ds))
	for i := range group {
		group[i] = -1
	}
	var out [][]string
	for i := range ds {
		if group[i] >= 0 {
			continue
		}
		g := len(out)
		group[i] = g
		for changed := true; changed; {
			changed = false
			for j := range ds {
				if group[j] >= 0 {
					continue
				}
				for k := range ds {
					if group[k] == g && slices.ContainsFunc(ds[j].Services, func(s *Service) bool { return slices.Contains(ds[k].Services, s) }) {
						group[j], changed = g, true
						break
					}
				}
			}
		}
		var members []string
		for j := range ds {
			if group[j] == g {
				members = append(members, ds[j].Name)
			}
		}
		out = append(out, members)
	}
	return out
}

func names(groups [][]*Data) [][]string {
	var out [][]string
	for _, g := range groups {
		var ns []string
		for _, d := range g {
			ns = append(ns, d.Name)
		}
		out = append(out, ns)
	}
	return out
}
