package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"sort"
	"sync"
	"time"

	"github.com/containernetworking/cni/libcni"
	"github.com/containernetworking/cni/pkg/types"
	current "github.com/containernetworking/cni/pkg/types/100"
)

// latencyStats summarises one operation over all pods of a bench run.
type latencyStats struct {
	Count      int     `json:"count"`
	Errors     int     `json:"errors"`
	P50ms      float64 `json:"p50_ms"`
	P90ms      float64 `json:"p90_ms"`
	P99ms      float64 `json:"p99_ms"`
	MaxMs      float64 `json:"max_ms"`
	FirstError string  `json:"first_error,omitempty"`
}

type benchReport struct {
	Network    string        `json:"network"`
	Pods       int           `json:"pods"`
	Parallel   int           `json:"parallel"`
	WallS      float64       `json:"wall_s"`
	Add        latencyStats  `json:"add"`
	Check      latencyStats  `json:"check"`
	Del        latencyStats  `json:"del"`
	FirstPing6 *latencyStats `json:"first_ping_ipv6,omitempty"`
	FirstPing4 *latencyStats `json:"first_ping_ipv4,omitempty"`
	// Operations per second of each phase: pods / wall time of the phase (all workers together).
	AddPerS   float64 `json:"add_per_s"`
	CheckPerS float64 `json:"check_per_s"`
	DelPerS   float64 `json:"del_per_s"`
	// The largest peak resident set of any plugin run (wait4 ru_maxrss, KiB; see rusageExec).
	PluginPeakRSSKiB int64 `json:"plugin_peak_rss_kib"`
}

// sample is one timed operation; err is kept so the report can show why it failed.
type sample struct {
	d   time.Duration
	err error
}

func summarise(samples []sample) latencyStats {
	s := latencyStats{}
	var ok []time.Duration
	for _, x := range samples {
		s.Count++
		if x.err != nil {
			s.Errors++
			if s.FirstError == "" {
				s.FirstError = x.err.Error()
			}
			continue
		}
		ok = append(ok, x.d)
	}
	sort.Slice(ok, func(a, b int) bool { return ok[a] < ok[b] })
	s.P50ms, s.P90ms, s.P99ms, s.MaxMs = percentile(ok, 0.50), percentile(ok, 0.90), percentile(ok, 0.99), percentile(ok, 1)
	return s
}

// percentile uses the nearest-rank method over sorted durations, in milliseconds.
func percentile(sorted []time.Duration, p float64) float64 {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(float64(len(sorted))*p+0.999999) - 1
	if rank < 0 {
		rank = 0
	}
	if rank >= len(sorted) {
		rank = len(sorted) - 1
	}
	return float64(sorted[rank].Microseconds()) / 1000
}

// podAddresses is what ADD gave one pod, split by family for the ping probe.
type podAddresses struct {
	ipv6 net.IP
	ipv4 net.IP
}

// runBench creates N pod namespaces, then runs ADD for all, CHECK for all and DEL for
// all through libcni, timing each call; with -ping, each new pod (after the first)
// pings the first pod right after its ADD returns and the time to the first reply is
// recorded. Namespaces are removed at the end whatever happened.
func runBench(ctx context.Context, o *options) error {
	if o.conflist == "" {
		usageError("-conflist is required for -op bench")
	}
	if o.pods < 1 || o.parallel < 1 {
		usageError("-n and -parallel must be positive")
	}
	if o.ping && o.parallel != 1 {
		usageError("-ping measures each pod right after its own ADD and needs -parallel 1")
	}
	list, err := libcni.ConfListFromFile(o.conflist)
	if err != nil {
		return fmt.Errorf("reading %s: %w", o.conflist, err)
	}
	measured := &rusageExec{}
	cni := libcni.NewCNIConfigWithCacheDir(splitDirs(o.binDirs), o.cacheDir, measured)

	names := make([]string, o.pods)
	for i := range names {
		names[i] = fmt.Sprintf("%s%04d", o.prefix, i)
	}
	created := make([]string, 0, len(names))
	defer func() {
		for _, n := range created {
			deleteNetns(n)
		}
	}()
	for _, n := range names {
		if err := createNetns(n); err != nil {
			return err
		}
		created = append(created, n)
	}

	rts := make([]*libcni.RuntimeConf, len(names))
	for i, n := range names {
		if rts[i], err = runtimeConf(o, n, netnsPath(n)); err != nil {
			return err
		}
	}

	report := benchReport{Network: list.Name, Pods: o.pods, Parallel: o.parallel}
	addrs := make([]podAddresses, len(names))
	var ping6, ping4 []sample
	start := time.Now()
	perSecond := func(since time.Time) float64 { return float64(o.pods) / time.Since(since).Seconds() }

	phase := time.Now()
	addSamples := forEachPod(o.pods, o.parallel, func(i int) error {
		res, err := cni.AddNetworkList(ctx, list, rts[i])
		if err != nil {
			return err
		}
		addrs[i] = addressesOf(res)
		return nil
	}, func(i int, err error) {
		// Runs right after pod i's ADD (serial mode only when -ping is set).
		if !o.ping || err != nil || i == 0 {
			return
		}
		if addrs[0].ipv6 != nil && addrs[i].ipv6 != nil {
			ping6 = append(ping6, timeFirstPing(ctx, names[i], addrs[0].ipv6))
		}
		if addrs[0].ipv4 != nil && addrs[i].ipv4 != nil {
			ping4 = append(ping4, timeFirstPing(ctx, names[i], addrs[0].ipv4))
		}
	})
	report.AddPerS = perSecond(phase)
	report.Add = summarise(addSamples)
	// CHECK and DEL are only timed for pods whose ADD worked; DEL still runs for every
	// pod so a half-failed run leaves nothing behind.
	errAddFailed := errors.New("not measured: ADD failed")
	phase = time.Now()
	report.Check = summarise(forEachPod(o.pods, o.parallel, func(i int) error {
		if addSamples[i].err != nil {
			return errAddFailed
		}
		return cni.CheckNetworkList(ctx, list, rts[i])
	}, nil))
	report.CheckPerS = perSecond(phase)
	phase = time.Now()
	delSamples := forEachPod(o.pods, o.parallel, func(i int) error {
		return cni.DelNetworkList(ctx, list, rts[i])
	}, nil)
	report.DelPerS = perSecond(phase)
	for i := range delSamples {
		if addSamples[i].err != nil && delSamples[i].err == nil {
			delSamples[i].err = errAddFailed
		}
	}
	report.Del = summarise(delSamples)
	report.WallS = time.Since(start).Seconds()
	report.PluginPeakRSSKiB = measured.peakKiB.Load()
	if o.ping {
		p6, p4 := summarise(ping6), summarise(ping4)
		report.FirstPing6, report.FirstPing4 = &p6, &p4
	}

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(report)
}

// forEachPod runs op for pods 0..n-1 on `workers` goroutines and returns one timed
// sample per pod; after (optional) is called on the worker right after each op.
func forEachPod(n, workers int, op func(i int) error, after func(i int, err error)) []sample {
	samples := make([]sample, n)
	jobs := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				t0 := time.Now()
				err := op(i)
				samples[i] = sample{d: time.Since(t0), err: err}
				if after != nil {
					after(i, err)
				}
			}
		}()
	}
	for i := 0; i < n; i++ {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return samples
}

func addressesOf(res types.Result) podAddresses {
	var out podAddresses
	r, err := current.NewResultFromResult(res)
	if err != nil {
		return out
	}
	for _, ip := range r.IPs {
		if ip.Address.IP.To4() != nil {
			if out.ipv4 == nil {
				out.ipv4 = ip.Address.IP
			}
		} else if out.ipv6 == nil {
			out.ipv6 = ip.Address.IP
		}
	}
	return out
}
