#!/usr/bin/env bash
# Checks the Kubernetes manifests (packaging/kubernetes) without a cluster: every document parses as
# YAML, and the DaemonSet keeps the properties the README promises:
#   - host mounts: only the CNI dirs, /var/lib/cni, /lib/modules (read-only) and, of /run, exactly
#     /run/xtables.lock, /run/cniv6 and /run/netns (read-only: the IPAM reclaim checks that a pod's
#     namespace is gone) — never /run itself or another path under it;
#   - no init container (the agent installs the plugin, portmap and loopback itself);
#   - metrics on the node IP: NODE_IP from status.hostIP, --health-address=$(NODE_IP), prometheus.io
#     scrape/port/path annotations that match the health port, probes on that port;
#   - memory: limit >= 200Mi (peak RSS measured with 5000 Nodes from the API server: 92 MiB) and
#     request <= limit;
#   - RBAC: nodes get/list/watch, nodes/status patch (NetworkUnavailable), events create.
# Usage: bash tests/install/manifests.sh   (needs python3 with PyYAML: Debian's python3-yaml)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
# Debian's interpreter on purpose: python3-yaml (scripts/deps.sh) installs PyYAML for it, and a python3
# earlier on PATH (pyenv, a venv) may not have it.
exec /usr/bin/python3 - "$repo/packaging/kubernetes/daemonset.yaml" "$repo/packaging/kubernetes/rbac.yaml" <<'PY'
import re
import sys

import yaml

failures = []


def check(what, ok):
    print(("ok     " if ok else "FAILED ") + what)
    if not ok:
        failures.append(what)


def mebibytes(quantity):
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024, "K": 1e3 / 2**20, "M": 1e6 / 2**20, "G": 1e9 / 2**20}
    m = re.fullmatch(r"([0-9.]+)([KMG]i?)?", str(quantity))
    return float(m.group(1)) * units.get(m.group(2) or "", 1 / 2**20)


daemonset_path, rbac_path = sys.argv[1], sys.argv[2]
with open(daemonset_path) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
with open(rbac_path) as f:
    rbac = [d for d in yaml.safe_load_all(f) if d]
check("daemonset.yaml and rbac.yaml parse as YAML", True)

ds = next(d for d in docs if d.get("kind") == "DaemonSet")
pod = ds["spec"]["template"]["spec"]
annotations = ds["spec"]["template"]["metadata"].get("annotations", {})
agent = next(c for c in pod["containers"] if c["name"] == "agent")

check("no init container (the agent installs plugin, portmap and loopback)", not pod.get("initContainers"))

host_paths = {v["name"]: v["hostPath"]["path"] for v in pod["volumes"] if "hostPath" in v}
run_paths = sorted(p for p in host_paths.values() if p == "/run" or p.startswith("/run/") or p.startswith("/var/run"))
check(f"of /run only /run/cniv6, /run/netns and /run/xtables.lock are mounted (got {run_paths})", run_paths == ["/run/cniv6", "/run/netns", "/run/xtables.lock"])
allowed = {"/opt/cni/bin", "/etc/cni/net.d", "/var/lib/cni", "/run/xtables.lock", "/run/cniv6", "/run/netns", "/lib/modules"}
check(f"no host path beyond {sorted(allowed)} (got {sorted(host_paths.values())})", set(host_paths.values()) <= allowed)
mounts = {m["name"]: m for m in agent["volumeMounts"]}
check("every volume is mounted by the agent", set(mounts) == {v["name"] for v in pod["volumes"]})
modules = next(n for n, p in host_paths.items() if p == "/lib/modules")
check("/lib/modules is read-only", mounts[modules].get("readOnly") is True)
netns = next(n for n, p in host_paths.items() if p == "/run/netns")
check("/run/netns is read-only", mounts[netns].get("readOnly") is True)

env = {e["name"]: e for e in agent.get("env", [])}
check("NODE_IP comes from status.hostIP", env.get("NODE_IP", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "status.hostIP")
check("NODE_NAME comes from spec.nodeName", env.get("NODE_NAME", {}).get("valueFrom", {}).get("fieldRef", {}).get("fieldPath") == "spec.nodeName")
args = agent.get("args", [])
check("metrics bound to the node IP (--health-address=$(NODE_IP))", "--health-address=$(NODE_IP)" in args)
port = next((a.split("=", 1)[1] for a in args if a.startswith("--health-port=")), "9646")
check("prometheus.io/scrape is \"true\"", annotations.get("prometheus.io/scrape") == "true")
check(f"prometheus.io/port is the health port {port}", annotations.get("prometheus.io/port") == port)
check("prometheus.io/path is /metrics", annotations.get("prometheus.io/path") == "/metrics")
for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
    check(f"{probe} on port {port}", str(agent.get(probe, {}).get("httpGet", {}).get("port")) == port)

resources = agent["resources"]
limit = mebibytes(resources["limits"]["memory"])
request = mebibytes(resources["requests"]["memory"])
check(f"memory limit {resources['limits']['memory']} >= 200Mi (peak measured with 5000 Nodes: 92 MiB)", limit >= 200)
check(f"memory request {resources['requests']['memory']} <= limit", request <= limit)
check("hostNetwork", pod.get("hostNetwork") is True)
check("tolerates every taint", {"operator": "Exists"} in pod.get("tolerations", []))

role = next(d for d in rbac if d.get("kind") == "ClusterRole")
rules = [(tuple(r.get("resources", [])), set(r.get("verbs", []))) for r in role["rules"]]
def grants(resource, verb):
    return any(resource in res and verb in verbs for res, verbs in rules)
for resource, verb in [("nodes", "get"), ("nodes", "list"), ("nodes", "watch"), ("nodes/status", "patch"), ("events", "create")]:
    check(f"RBAC grants {verb} {resource}", grants(resource, verb))
check("RBAC grants nothing else", all(set(res) <= {"nodes", "nodes/status", "events"} for res, _ in rules))
account = next(d for d in rbac if d.get("kind") == "ServiceAccount")["metadata"]["name"]
check("the DaemonSet runs as the ServiceAccount of rbac.yaml", pod.get("serviceAccountName") == account)

print(f"manifests: {len(failures)} failed")
sys.exit(1 if failures else 0)
PY
