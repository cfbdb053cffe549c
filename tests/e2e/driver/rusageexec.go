package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os/exec"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/containernetworking/cni/pkg/invoke"
	"github.com/containernetworking/cni/pkg/types"
	"github.com/containernetworking/cni/pkg/version"
)

// rusageExec runs plugins exactly as libcni's default executor does (invoke.RawExec: stdin, environment,
// "text file busy" retries, the same error mapping) and also keeps the largest peak resident set any plugin
// run had: wait4's ru_maxrss, which covers the plugin process and every descendant it waited for (ptp's
// iptables runs, say). The benchmark reports it as the plugin's peak RSS.
type rusageExec struct {
	version.PluginDecoder
	peakKiB atomic.Int64
}

func (e *rusageExec) FindInPath(plugin string, paths []string) (string, error) {
	return invoke.FindInPath(plugin, paths)
}

func (e *rusageExec) ExecPlugin(ctx context.Context, pluginPath string, stdinData []byte, environ []string) ([]byte, error) {
	for attempt := 0; ; attempt++ {
		stdout, stderr := &bytes.Buffer{}, &bytes.Buffer{}
		c := exec.CommandContext(ctx, pluginPath)
		c.Env = environ
		c.Stdin = bytes.NewReader(stdinData)
		c.Stdout, c.Stderr = stdout, stderr
		err := c.Run()
		if c.ProcessState != nil {
			if ru, ok := c.ProcessState.SysUsage().(*syscall.Rusage); ok {
				for {
					old := e.peakKiB.Load()
					if ru.Maxrss <= old || e.peakKiB.CompareAndSwap(old, ru.Maxrss) {
						break
					}
				}
			}
		}
		if err == nil {
			return stdout.Bytes(), nil
		}
		if strings.Contains(err.Error(), "text file busy") && attempt < 5 {
			time.Sleep(time.Second)
			continue
		}
		return nil, pluginError(err, stdout.Bytes(), stderr.Bytes())
	}
}

// pluginError is invoke.RawExec's mapping of a failed run to the CNI error the runtime sees.
func pluginError(err error, stdout, stderr []byte) error {
	emsg := types.Error{}
	if len(stdout) == 0 {
		if len(stderr) == 0 {
			emsg.Msg = fmt.Sprintf("netplugin failed with no error message: %v", err)
		} else {
			emsg.Msg = fmt.Sprintf("netplugin failed: %q", string(stderr))
		}
	} else if perr := json.Unmarshal(stdout, &emsg); perr != nil {
		emsg.Msg = fmt.Sprintf("netplugin failed but error parsing its diagnostic message %q: %v", string(stdout), perr)
	}
	return &emsg
}
