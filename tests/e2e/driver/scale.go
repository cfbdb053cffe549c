package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/containernetworking/cni/libcni"
)

// scaleLevel is what ADD, CHECK and DEL cost once the node already holds Pods pods.
type scaleLevel struct {
	Pods  int          `json:"pods"`
	Add   latencyStats `json:"add"`
	Check latencyStats `json:"check"`
	Del   latencyStats `json:"del"`
}

type scaleReport struct {
	Network string       `json:"network"`
	Sample  int          `json:"sample"`
	Levels  []scaleLevel `json:"levels"`
	// Untimed filling of the node (pods added in parallel between the levels), for the record.
	FillPods   int     `json:"fill_pods"`
	FillErrors int     `json:"fill_errors"`
	FillFirst  string  `json:"fill_first_error,omitempty"`
	FillS      float64 `json:"fill_s"`
	WallS      float64 `json:"wall_s"`
}

// runScale measures how the plugin's cost grows with the pods on the node. For each level L (ascending, -levels)
// the node is filled up to L pods with -fill-parallel workers (not timed), then -sample more pods are added one
// at a time (timed: ADD), checked (CHECK) and deleted again (DEL) with their namespaces, so the node holds L to
// L+sample pods while a level is measured. The fill pods stay until the end and are not DEL'd: the caller removes
// the node namespace, which takes their host sides with it, and the driver removes their namespaces.
// With -fill-nodad the fill pods' namespaces start with IPv6 duplicate address detection off (the reference ptp
// waits for it on every ADD, which would make thousands of fill pods take hours); measured pods keep the defaults.
func runScale(ctx context.Context, o *options) error {
	if o.conflist == "" {
		usageError("-conflist is required for -op scale")
	}
	levels, err := parseLevels(o.levels)
	if err != nil {
		usageError("-levels: %v", err)
	}
	if o.sample < 1 || o.fillParallel < 1 {
		usageError("-sample and -fill-parallel must be positive")
	}
	list, err := libcni.ConfListFromFile(o.conflist)
	if err != nil {
		return fmt.Errorf("reading %s: %w", o.conflist, err)
	}
	cni := libcni.NewCNIConfigWithCacheDir(splitDirs(o.binDirs), o.cacheDir, nil)

	var mu sync.Mutex
	var fill []string
	defer func() {
		removeNamespaces(fill, o.fillParallel)
	}()
	report := scaleReport{Network: list.Name, Sample: o.sample}
	start := time.Now()
	next := 0
	name := func() string { next++; return fmt.Sprintf("%s%05d", o.prefix, next) }

	for _, level := range levels {
		// Fill: pods up to the level, in parallel, not timed.
		want := level - len(fill)
		names := make([]string, 0, want)
		for i := 0; i < want; i++ {
			names = append(names, name())
		}
		fillStart := time.Now()
		forEachPod(len(names), o.fillParallel, func(i int) error {
			err := createNetns(names[i])
			if err == nil {
				mu.Lock()
				fill = append(fill, names[i])
				mu.Unlock()
				if o.fillNoDad {
					err = disableDad(names[i])
				}
			}
			if err == nil {
				var rt *libcni.RuntimeConf
				if rt, err = runtimeConf(o, names[i], netnsPath(names[i])); err == nil {
					_, err = cni.AddNetworkList(ctx, list, rt)
				}
			}
			if err != nil {
				mu.Lock()
				report.FillErrors++
				if report.FillFirst == "" {
					report.FillFirst = err.Error()
				}
				mu.Unlock()
			}
			return err
		}, nil)
		report.FillS += time.Since(fillStart).Seconds()
		report.FillPods += len(names)
		if ctx.Err() != nil {
			return ctx.Err()
		}

		// Sample: ADD, CHECK, DEL of -sample pods, one at a time.
		sampleNames := make([]string, o.sample)
		rts := make([]*libcni.RuntimeConf, o.sample)
		for i := range sampleNames {
			sampleNames[i] = name()
			if err := createNetns(sampleNames[i]); err != nil {
				removeNamespaces(sampleNames[:i], 1)
				return err
			}
			if rts[i], err = runtimeConf(o, sampleNames[i], netnsPath(sampleNames[i])); err != nil {
				removeNamespaces(sampleNames[:i+1], 1)
				return err
			}
		}
		adds := forEachPod(o.sample, 1, func(i int) error {
			_, err := cni.AddNetworkList(ctx, list, rts[i])
			return err
		}, nil)
		checks := forEachPod(o.sample, 1, func(i int) error { return cni.CheckNetworkList(ctx, list, rts[i]) }, nil)
		dels := forEachPod(o.sample, 1, func(i int) error { return cni.DelNetworkList(ctx, list, rts[i]) }, nil)
		removeNamespaces(sampleNames, 1)
		report.Levels = append(report.Levels, scaleLevel{Pods: level, Add: summarise(adds), Check: summarise(checks), Del: summarise(dels)})
		fmt.Fprintf(os.Stderr, "cnidriver: %s: %d pods on the node: ADD p50 %.1f ms, CHECK %.1f ms, DEL %.1f ms (fill so far %.0f s)\n",
			list.Name, level, report.Levels[len(report.Levels)-1].Add.P50ms, report.Levels[len(report.Levels)-1].Check.P50ms,
			report.Levels[len(report.Levels)-1].Del.P50ms, report.FillS)
	}
	report.WallS = time.Since(start).Seconds()
	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}

func parseLevels(s string) ([]int, error) {
	var levels []int
	for _, f := range strings.Split(s, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(f))
		if err != nil || n < 0 {
			return nil, fmt.Errorf("%q is not a pod count", f)
		}
		levels = append(levels, n)
	}
	sort.Ints(levels)
	return levels, nil
}

// disableDad turns IPv6 duplicate address detection off for interfaces created in (or moved into) the namespace.
func disableDad(name string) error {
	out, err := exec.Command("ip", "netns", "exec", name, "sysctl", "-q", "-w",
		"net.ipv6.conf.default.accept_dad=0", "net.ipv6.conf.all.accept_dad=0").CombinedOutput()
	if err != nil {
		return fmt.Errorf("disabling DAD in %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func removeNamespaces(names []string, workers int) {
	forEachPod(len(names), workers, func(i int) error { deleteNetns(names[i]); return nil }, nil)
}
