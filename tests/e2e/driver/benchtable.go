package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strings"
)

// renderBenchTable turns two bench reports (-reports "label=file,label=file", the first
// being ours and the second the baseline) into the markdown table BENCHMARKS.md records,
// with baseline/ours ratios: above 1 means we are faster.
func renderBenchTable(spec string) error {
	parts := strings.Split(spec, ",")
	if len(parts) != 2 {
		usageError("-reports wants exactly two label=file entries (ours first, baseline second)")
	}
	var labels [2]string
	var reports [2]benchReport
	for i, p := range parts {
		label, file, ok := strings.Cut(p, "=")
		if !ok {
			usageError("-reports entry %q is not label=file", p)
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if err := json.Unmarshal(data, &reports[i]); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		labels[i] = label
	}
	ours, base := reports[0], reports[1]

	type row struct {
		name      string
		ours, bas *latencyStats
	}
	rows := []row{
		{"ADD", &ours.Add, &base.Add},
		{"CHECK", &ours.Check, &base.Check},
		{"DEL", &ours.Del, &base.Del},
		{"first ping IPv6 after ADD", ours.FirstPing6, base.FirstPing6},
		{"first ping IPv4 after ADD", ours.FirstPing4, base.FirstPing4},
	}
	fmt.Printf("| operation (%d pods, serial, libcni) | %s p50 | %s p99 | %s p50 | %s p99 | p50 ratio %s/%s | p99 ratio %s/%s |\n",
		ours.Pods, labels[0], labels[0], labels[1], labels[1], labels[1], labels[0], labels[1], labels[0])
	fmt.Println("|---|---:|---:|---:|---:|---:|---:|")
	for _, r := range rows {
		if r.ours == nil || r.bas == nil {
			continue
		}
		fmt.Printf("| %s | %s | %s | %s | %s | %s | %s |\n", r.name,
			ms(r.ours, r.ours.P50ms), ms(r.ours, r.ours.P99ms), ms(r.bas, r.bas.P50ms), ms(r.bas, r.bas.P99ms),
			ratio(r.bas.P50ms, r.ours.P50ms), ratio(r.bas.P99ms, r.ours.P99ms))
	}
	for i, r := range reports {
		for _, s := range []struct {
			op string
			st *latencyStats
		}{{"ADD", &r.Add}, {"CHECK", &r.Check}, {"DEL", &r.Del}, {"ping6", r.FirstPing6}, {"ping4", r.FirstPing4}} {
			if s.st != nil && s.st.Errors > 0 {
				fmt.Printf("\n%s: %d of %d %s failed, first error: %s\n", labels[i], s.st.Errors, s.st.Count, s.op, s.st.FirstError)
			}
		}
	}
	return nil
}

func ms(s *latencyStats, v float64) string {
	if s.Count == s.Errors {
		return "failed"
	}
	return fmt.Sprintf("%.1f ms", v)
}

func ratio(base, ours float64) string {
	if ours <= 0 || base <= 0 {
		return "–"
	}
	if r := base / ours; r >= 100 {
		return fmt.Sprintf("%.0f×", r)
	}
	return fmt.Sprintf("%.1f×", base/ours)
}
