package main

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/containernetworking/cni/libcni"
)

// portMapping is one entry of the portMappings capability (CONVENTIONS.md).
type portMapping struct {
	HostPort      int    `json:"hostPort"`
	ContainerPort int    `json:"containerPort"`
	Protocol      string `json:"protocol"`
}

// portMapFlag collects repeated -portmap HOST:CONTAINER/PROTO flags.
type portMapFlag []portMapping

func (p *portMapFlag) String() string { return fmt.Sprint(*p) }

func (p *portMapFlag) Set(value string) error {
	ports, proto := value, "tcp"
	if i := strings.IndexByte(value, '/'); i >= 0 {
		ports, proto = value[:i], strings.ToLower(value[i+1:])
	}
	parts := strings.Split(ports, ":")
	if len(parts) != 2 {
		return fmt.Errorf("want HOSTPORT:CONTAINERPORT[/PROTO], got %q", value)
	}
	host, err := strconv.Atoi(parts[0])
	if err != nil {
		return fmt.Errorf("host port %q: %w", parts[0], err)
	}
	container, err := strconv.Atoi(parts[1])
	if err != nil {
		return fmt.Errorf("container port %q: %w", parts[1], err)
	}
	*p = append(*p, portMapping{HostPort: host, ContainerPort: container, Protocol: proto})
	return nil
}

// runtimeConf builds what a runtime passes for one attachment: identity, CNI_ARGS
// (with the Kubernetes pod keys kubelet sends) and capability arguments.
func runtimeConf(o *options, containerID, netns string) (*libcni.RuntimeConf, error) {
	rt := &libcni.RuntimeConf{
		ContainerID: containerID,
		NetNS:       netns,
		IfName:      o.ifName,
		Args: [][2]string{
			{"IgnoreUnknown", "1"},
			{"K8S_POD_NAMESPACE", "default"},
			{"K8S_POD_NAME", "pod-" + containerID},
			{"K8S_POD_INFRA_CONTAINER_ID", containerID},
		},
	}
	if o.cniArgs != "" {
		for _, kv := range strings.Split(o.cniArgs, ";") {
			k, v, ok := strings.Cut(kv, "=")
			if !ok {
				return nil, fmt.Errorf("-args: %q is not K=V", kv)
			}
			rt.Args = append(rt.Args, [2]string{k, v})
		}
	}
	caps := map[string]interface{}{}
	if o.capArgs != "" {
		if err := json.Unmarshal([]byte(o.capArgs), &caps); err != nil {
			return nil, fmt.Errorf("-capargs: %w", err)
		}
	}
	if len(o.portMaps) > 0 {
		caps["portMappings"] = []portMapping(o.portMaps)
	}
	if len(caps) > 0 {
		rt.CapabilityArgs = caps
	}
	return rt, nil
}
