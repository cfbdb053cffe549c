package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"time"
)

func netnsPath(name string) string { return "/var/run/netns/" + name }

// createNetns makes a named namespace with `ip netns add` and brings its loopback up,
// as a runtime's sandbox would have it. When the driver itself runs under
// `ip netns exec`, the namespace is only visible to this process and its children,
// so it must be created and deleted within one driver run.
func createNetns(name string) error {
	if out, err := exec.Command("ip", "netns", "add", name).CombinedOutput(); err != nil {
		return fmt.Errorf("ip netns add %s: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	if out, err := exec.Command("ip", "-n", name, "link", "set", "lo", "up").CombinedOutput(); err != nil {
		return fmt.Errorf("ip -n %s link set lo up: %v: %s", name, err, strings.TrimSpace(string(out)))
	}
	return nil
}

func deleteNetns(name string) {
	if out, err := exec.Command("ip", "netns", "del", name).CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "cnidriver: ip netns del %s: %v: %s\n", name, err, strings.TrimSpace(string(out)))
	}
	// A namespace created under `ip netns exec` leaves its mount point file behind.
	_ = os.Remove(netnsPath(name))
}

// timeFirstPing measures how long after now the pod gets its first echo reply from
// dst: one echo request every 10 ms until the first reply (deadline 10 s).
func timeFirstPing(ctx context.Context, pod string, dst net.IP) sample {
	deadline := 10 * time.Second
	if d, ok := ctx.Deadline(); ok && time.Until(d) < deadline {
		deadline = time.Until(d)
	}
	d, err := firstEchoReply(netnsPath(pod), dst, 10*time.Millisecond, deadline)
	if err != nil {
		return sample{d: d, err: fmt.Errorf("ping %s from %s: %w", dst, pod, err)}
	}
	return sample{d: d}
}
