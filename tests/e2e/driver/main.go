// cnidriver drives CNI network configuration lists through libcni, the library
// container runtimes use, so the end-to-end tests exercise our plugin exactly the
// way kubelet/containerd would. It runs in whatever network namespace it is started
// in (the tests start it inside a throwaway "node" namespace with `ip netns exec`).
//
//	cnidriver -conflist F -bin DIRS -netns PATH -containerid ID [-ifname eth0] -op add|check|del
//	cnidriver -conflist F -bin DIRS -op bench -n 50 [-parallel 1] [-prefix cv6b-x-] [-ping]
//	cnidriver -conflist F -bin DIRS -op scale -levels 10,100,1000,5000 [-sample 20] [-fill-parallel 4] [-fill-nodad]
//	cnidriver -op serve -listen ADDR [-reply TEXT]     (a one-shot TCP listener for port-mapping tests)
//	cnidriver -op dial -addr ADDR                       (connects and prints what the listener sent)
//
// add prints the plugin chain's result JSON; check and del print {}; on failure
// the error is printed as CNI error JSON and the exit code is 1 (2 for usage errors).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/containernetworking/cni/libcni"
)

type options struct {
	conflist    string
	binDirs     string
	netns       string
	containerID string
	ifName      string
	op          string
	cacheDir    string
	cniArgs     string
	capArgs     string
	portMaps    portMapFlag
	timeout     time.Duration

	// bench
	pods     int
	parallel int
	prefix   string
	ping     bool

	// scale
	levels       string
	sample       int
	fillParallel int
	fillNoDad    bool

	// serve / dial
	listen string
	reply  string
	addr   string
}

func parseFlags() *options {
	o := &options{}
	flag.StringVar(&o.conflist, "conflist", "", "network configuration list file")
	flag.StringVar(&o.binDirs, "bin", "/opt/cni/bin", "plugin directories (CNI_PATH), separated by ':'")
	flag.StringVar(&o.netns, "netns", "", "path of the pod network namespace (CNI_NETNS)")
	flag.StringVar(&o.containerID, "containerid", "", "container id (CNI_CONTAINERID)")
	flag.StringVar(&o.ifName, "ifname", "eth0", "interface name inside the pod (CNI_IFNAME)")
	flag.StringVar(&o.op, "op", "", "add|check|del|bench|scale|serve|dial")
	flag.StringVar(&o.cacheDir, "cachedir", libcni.CacheDir, "libcni result cache directory (must be the same for add, check and del)")
	flag.StringVar(&o.cniArgs, "args", "", "CNI_ARGS as K=V;K=V")
	flag.StringVar(&o.capArgs, "capargs", "", "capability arguments as a JSON object, e.g. {\"portMappings\":[...]}")
	flag.Var(&o.portMaps, "portmap", "port mapping HOSTPORT:CONTAINERPORT/PROTO (repeatable); sent as the portMappings capability")
	flag.DurationVar(&o.timeout, "timeout", 2*time.Minute, "overall time limit of one operation")
	flag.IntVar(&o.pods, "n", 50, "bench: number of pods")
	flag.IntVar(&o.parallel, "parallel", 1, "bench: concurrent workers")
	flag.StringVar(&o.prefix, "prefix", "cv6b-", "bench: prefix of pod namespaces and container ids")
	flag.BoolVar(&o.ping, "ping", false, "bench: after each ADD, time the first successful ping from the new pod to the first pod")
	flag.StringVar(&o.levels, "levels", "10,100,1000,5000", "scale: pods on the node at which ADD/CHECK/DEL are measured")
	flag.IntVar(&o.sample, "sample", 20, "scale: pods added, checked and deleted (one at a time) at each level")
	flag.IntVar(&o.fillParallel, "fill-parallel", 4, "scale: workers that fill the node between levels (not timed)")
	flag.BoolVar(&o.fillNoDad, "fill-nodad", false, "scale: fill pods' namespaces start with IPv6 DAD off (the measured pods keep the default)")
	flag.StringVar(&o.listen, "listen", "", "serve: address to listen on, e.g. [::]:8080")
	flag.StringVar(&o.reply, "reply", "hello from the pod", "serve: text written to the accepted connection")
	flag.StringVar(&o.addr, "addr", "", "dial: address to connect to")
	flag.Parse()
	return o
}

func main() {
	o := parseFlags()
	ctx, cancel := context.WithTimeout(context.Background(), o.timeout)
	defer cancel()

	var err error
	switch o.op {
	case "add", "check", "del":
		err = runSingle(ctx, o)
	case "bench":
		err = runBench(ctx, o)
	case "scale":
		err = runScale(ctx, o)
	case "serve":
		err = serve(ctx, o.listen, o.reply)
	case "dial":
		err = dial(ctx, o.addr)
	default:
		fmt.Fprintf(os.Stderr, "cnidriver: unknown -op %q (want add, check, del, bench, scale, serve or dial)\n", o.op)
		os.Exit(2)
	}
	if err != nil {
		printError(err)
		os.Exit(1)
	}
}

func usageError(format string, a ...interface{}) {
	fmt.Fprintf(os.Stderr, "cnidriver: "+format+"\n", a...)
	os.Exit(2)
}

func splitDirs(dirs string) []string {
	var out []string
	for _, d := range strings.Split(dirs, ":") {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}
