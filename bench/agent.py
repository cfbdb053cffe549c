#!/usr/bin/env python3
"""The agent at scale, for bench/suite.sh: prints one JSON object with what it measured.

Runs in a throwaway node namespace (PREFIX-node, an "uplink" veth holding fd00:5f::1/64 and 10.95.0.1/16, on which
every peer's address lies, so every peer gets a host-gw route per pod CIDR):

1. API mode, idle: a fake Kubernetes apiserver (this script, plain HTTP on 127.0.0.1:6443 inside the namespace:
   list, watch as a chunked stream, get, status PATCH, Events) knows only the agent's own Node; RSS once Ready.
2. API mode, N Nodes: a fresh agent against N Nodes (1 own + N-1 peers, each with a /64 and a /24): time from start
   to /readyz and to all 2(N-1) routes installed, RSS and peak RSS (VmRSS, VmHWM) holding them; then one Node added
   (an ADDED watch event) → both its routes installed, and deleted → both gone (routes polled every 2 ms).
3. Static mode: the same N-1 peers in the configuration file (no apiserver): start → /readyz 200, and peak RSS.
"""
import argparse
import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

API_PORT, HEALTH_PORT = 6443, 9646


def node_name(i):
    return f"n{i}"


def node_json(i, rv):
    """Node i as kube-apiserver serializes it: address fd00:5f::(i+1) / 10.95.x.y, pod CIDRs fd00:10:244:i::/64, 10.(128+i/256).(i%256).0/24."""
    name = node_name(i)
    return {
        "kind": "Node", "apiVersion": "v1",
        "metadata": {"name": name, "uid": f"00000000-0000-4000-8000-{i:012d}", "resourceVersion": str(rv),
                     "creationTimestamp": "2026-11-24T00:00:00Z",
                     "labels": {"kubernetes.io/arch": "amd64", "kubernetes.io/hostname": name, "kubernetes.io/os": "linux"},
                     "annotations": {"node.alpha.kubernetes.io/ttl": "0"}},
        "spec": {"podCIDR": f"fd00:10:244:{i:x}::/64", "podCIDRs": [f"fd00:10:244:{i:x}::/64", f"10.{128 + i // 256}.{i % 256}.0/24"],
                 "providerID": f"kind://docker/cv6/{name}"},
        "status": {"capacity": {"cpu": "2", "memory": "24684068Ki", "pods": "110"},
                   "conditions": [{"type": "Ready", "status": "True", "lastHeartbeatTime": "2026-11-24T00:00:00Z",
                                   "lastTransitionTime": "2026-11-24T00:00:00Z", "reason": "KubeletReady",
                                   "message": "kubelet is posting ready status"}],
                   "addresses": [{"type": "InternalIP", "address": f"fd00:5f::{i + 1:x}"},
                                 {"type": "InternalIP", "address": f"10.95.{(i + 1) // 256}.{(i + 1) % 256}"},
                                 {"type": "Hostname", "address": name}],
                   "nodeInfo": {"kubeletVersion": "v1.34.0", "containerRuntimeVersion": "containerd://2.1.4",
                                "operatingSystem": "linux", "architecture": "amd64"}},
    }


class FakeApi:
    """Nodes by index; every change is appended to the history and sent to open watches."""

    def __init__(self):
        self.lock = threading.Lock()
        self.nodes = {}
        self.rv = 1000
        self.history = []
        self.watchers = []

    def upsert(self, i):
        with self.lock:
            self.rv += 1
            kind = "MODIFIED" if i in self.nodes else "ADDED"
            self.nodes[i] = self.rv
            self._event(kind, node_json(i, self.rv))

    def delete(self, i):
        with self.lock:
            if self.nodes.pop(i, None) is not None:
                self.rv += 1
                self._event("DELETED", node_json(i, self.rv))

    def _event(self, kind, obj):
        line = (json.dumps({"type": kind, "object": obj}, separators=(",", ":")) + "\n").encode()
        self.history.append((self.rv, line))
        for w in self.watchers:
            w.append(line)

    def serve(self):
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def send(self, code, body):
                data = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                self.send(201, body or b"{}")

            def do_PATCH(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path = self.path.split("?")[0]
                name = path[len("/api/v1/nodes/"):-len("/status")] if path.endswith("/status") else ""
                self.get_node(name)

            def get_node(self, name):
                with api.lock:
                    i = next((k for k in api.nodes if node_name(k) == name), None)
                    obj = node_json(i, api.nodes[i]) if i is not None else None
                if obj is None:
                    self.send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})
                else:
                    self.send(200, obj)

            def do_GET(self):
                path, _, query = self.path.partition("?")
                q = dict(p.split("=", 1) for p in query.split("&") if "=" in p)
                if path == "/api/v1/nodes" and q.get("watch") in ("true", "1"):
                    return self.watch(int(q.get("resourceVersion") or 0), int(q.get("timeoutSeconds") or 1800))
                if path == "/api/v1/nodes":
                    with api.lock:
                        items = [node_json(i, rv) for i, rv in sorted(api.nodes.items())]
                        rv = api.rv
                    return self.send(200, {"kind": "NodeList", "apiVersion": "v1", "metadata": {"resourceVersion": str(rv)}, "items": items})
                if path.startswith("/api/v1/nodes/"):
                    return self.get_node(path[len("/api/v1/nodes/"):])
                self.send(404, {"kind": "Status", "apiVersion": "v1", "status": "Failure", "reason": "NotFound", "code": 404})

            def watch(self, since, timeout):
                queue = []
                with api.lock:
                    queue += [line for rv, line in api.history if rv > since]
                    api.watchers.append(queue)
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                end = time.monotonic() + timeout
                try:
                    while time.monotonic() < end:
                        while queue:
                            line = queue.pop(0)
                            self.wfile.write(f"{len(line):x}\r\n".encode() + line + b"\r\n")
                            self.wfile.flush()
                        time.sleep(0.001)
                    self.wfile.write(b"0\r\n\r\n")
                except (BrokenPipeError, ConnectionResetError):
                    pass
                finally:
                    with api.lock:
                        api.watchers.remove(queue)

        server = ThreadingHTTPServer(("127.0.0.1", API_PORT), Handler)
        server.daemon_threads = True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        return server


def sh(*args):
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)


def memory(pid):
    """VmRSS and VmHWM of the process, KiB."""
    fields = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            k, _, v = line.partition(":")
            if k in ("VmRSS", "VmHWM"):
                fields[k] = int(v.split()[0])
    return fields.get("VmRSS", 0), fields.get("VmHWM", 0)


def ready(timeout):
    """Seconds until /readyz answers 200, or None."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{HEALTH_PORT}/readyz", timeout=1) as r:
                if r.status == 200:
                    return time.monotonic() - start
        except Exception:
            pass
        time.sleep(0.01)
    return None


def our_routes():
    n = 0
    for fam in ("-6", "-4"):
        out = subprocess.run(["ip", fam, "route", "show", "proto", "198"], capture_output=True, text=True).stdout
        n += sum(1 for line in out.splitlines() if line.strip())
    return n


def has_route(cidr):
    fam = "-6" if ":" in cidr else "-4"
    out = subprocess.run(["ip", fam, "route", "show", "exact", cidr, "proto", "198"], capture_output=True, text=True).stdout
    return bool(out.strip())


def wait_for(cond, timeout, interval=0.002):
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if cond():
            return time.monotonic() - start
        time.sleep(interval)
    return None


class Agent:
    def __init__(self, args, workdir, extra):
        os.makedirs(workdir, exist_ok=True)
        self.log = open(os.path.join(workdir, "agent.log"), "w")
        cmd = [args.agent, "--plugin-source", args.plugin,
               "--cni-conf-dir", os.path.join(workdir, "net.d"), "--cni-bin-dir", os.path.join(workdir, "bin"),
               "--ipam-data-dir", os.path.join(workdir, "ipam"), "--reference-plugin-dirs", "",
               "--health-port", str(HEALTH_PORT)] + extra
        self.started = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()


def empty_config(workdir):
    os.makedirs(workdir, exist_ok=True)
    path = os.path.join(workdir, "agent.json")
    with open(path, "w") as f:
        f.write("{}")
    return path


def inside(args):
    res = {"api_nodes": args.nodes, "problems": []}
    api = FakeApi()
    server = api.serve()
    kubeconfig = os.path.join(args.workdir, "kubeconfig")
    os.makedirs(args.workdir, exist_ok=True)
    with open(kubeconfig, "w") as f:
        f.write(f"""apiVersion: v1
kind: Config
clusters:
- name: cv6
  cluster:
    server: http://127.0.0.1:{API_PORT}
contexts:
- name: cv6
  context: {{cluster: cv6, user: agent}}
current-context: cv6
users:
- name: agent
  user: {{token: bench}}
""")
    api_args = ["--node-name", node_name(0), "--kubeconfig", kubeconfig]

    # 1. Idle: only its own Node.
    api.upsert(0)
    wd = os.path.join(args.workdir, "idle")
    agent = Agent(args, wd, api_args + ["--config", empty_config(wd)])
    try:
        if ready(60) is None:
            res["problems"].append("idle agent: not ready within 60 s")
        time.sleep(args.settle)
        res["api_idle_rss_kib"], res["api_idle_peak_kib"] = memory(agent.proc.pid)
    finally:
        agent.stop()

    # 2. N Nodes.
    for i in range(1, args.nodes):
        api.upsert(i)
    want = 2 * (args.nodes - 1)
    wd = os.path.join(args.workdir, "api")
    agent = Agent(args, wd, api_args + ["--config", empty_config(wd)])
    try:
        r = ready(300)
        res["api_ready_s"] = r
        synced = wait_for(lambda: our_routes() >= want, 600, 0.1)
        if synced is None:
            res["problems"].append(f"API agent: only {our_routes()} of {want} routes after 600 s")
        else:
            res["api_sync_s"] = time.monotonic() - agent.started
        time.sleep(args.settle)
        res["api_rss_kib"], res["api_peak_kib"] = memory(agent.proc.pid)
        new = args.nodes
        cidrs = node_json(new, 0)["spec"]["podCIDRs"]
        t0 = time.monotonic()
        api.upsert(new)
        added = wait_for(lambda: all(has_route(c) for c in cidrs), 60)
        res["api_change_add_ms"] = None if added is None else (time.monotonic() - t0) * 1000
        t0 = time.monotonic()
        api.delete(new)
        gone = wait_for(lambda: not any(has_route(c) for c in cidrs), 60)
        res["api_change_del_ms"] = None if gone is None else (time.monotonic() - t0) * 1000
        if added is None or gone is None:
            res["problems"].append("API agent: the changed Node's routes did not follow within 60 s")
    finally:
        agent.stop()
    server.shutdown()

    # 3. Static mode: the same peers from the configuration file.
    if args.static:
        wd = os.path.join(args.workdir, "static")
        os.makedirs(wd, exist_ok=True)
        peers = [{"Name": node_name(i), "Addresses": [a["address"] for a in node_json(i, 0)["status"]["addresses"][:2]],
                  "PodCidrs": node_json(i, 0)["spec"]["podCIDRs"]} for i in range(1, args.nodes)]
        own = node_json(0, 0)
        config = {"NodeName": node_name(0), "Source": "static",
                  "Static": {"Pools": own["spec"]["podCIDRs"], "Peers": peers}}
        path = os.path.join(wd, "agent.json")
        with open(path, "w") as f:
            json.dump(config, f)
        # Routes of the API run stay (same owner, same routes): remove them so static mode installs its own.
        for fam in ("-6", "-4"):
            subprocess.run(["ip", fam, "route", "flush", "proto", "198"], check=False)
        agent = Agent(args, wd, ["--config", path])
        try:
            res["static_peers"] = args.nodes - 1
            res["static_ready_s"] = ready(600)
            if res["static_ready_s"] is None:
                res["problems"].append("static agent: not ready within 600 s")
            time.sleep(args.settle)
            res["static_rss_kib"], res["static_peak_kib"] = memory(agent.proc.pid)
        finally:
            agent.stop()
    json.dump(res, sys.stdout, indent=2)
    print()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--agent", required=True)
    ap.add_argument("--plugin", required=True)
    ap.add_argument("--nodes", type=int, default=5000)
    ap.add_argument("--netns-prefix", default="cv6z-agent")
    ap.add_argument("--workdir", required=True)
    ap.add_argument("--settle", type=float, default=2.0, help="seconds between sync and the RSS reading")
    ap.add_argument("--no-static", dest="static", action="store_false")
    ap.add_argument("--inside", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.inside:
        return inside(args)
    ns = f"{args.netns_prefix}-node"
    sh("ip", "netns", "add", ns)
    try:
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "link", "add", "uplink", "type", "veth", "peer", "name", "peer")
        sh("ip", "-n", ns, "addr", "add", "fd00:5f::1/64", "dev", "uplink", "nodad")
        sh("ip", "-n", ns, "addr", "add", "10.95.0.1/16", "dev", "uplink")
        sh("ip", "-n", ns, "link", "set", "uplink", "up")
        sh("ip", "-n", ns, "link", "set", "peer", "up")
        rc = subprocess.run(["ip", "netns", "exec", ns, sys.executable, os.path.abspath(__file__), "--inside"] + sys.argv[1:]).returncode
        sys.exit(rc)
    finally:
        subprocess.run(["ip", "netns", "del", ns], check=False)


if __name__ == "__main__":
    main()
