#!/usr/bin/env bash
# Creates a kind cluster without a default CNI, builds the cniv6 image, loads it into the
# nodes, deploys the agent (RBAC + DaemonSet) and checks that pods get addresses and talk
# across nodes. Needs docker, kind and kubectl.
# Usage: packaging/kind/up.sh            (IPv6-only)
#        FAMILY=dual packaging/kind/up.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
family=${FAMILY:-ipv6}
cluster=${CLUSTER:-cniv6}
image=${IMAGE:-cniv6:dev}
for tool in docker kind kubectl; do
  command -v "$tool" >/dev/null || { echo "up.sh needs $tool on PATH" >&2; exit 1; }
done

echo "== image $image"
docker build -t "$image" "$repo"

echo "== kind cluster $cluster ($family)"
kind create cluster --name "$cluster" --config "$repo/packaging/kind/kind-$family.yaml"
kind load docker-image "$image" --name "$cluster"
ctx="kind-$cluster"

echo "== cniv6 agent"
kubectl --context "$ctx" apply -f "$repo/packaging/kubernetes/rbac.yaml"
sed "s#image: cniv6:dev#image: $image#" "$repo/packaging/kubernetes/daemonset.yaml" | kubectl --context "$ctx" apply -f -
kubectl --context "$ctx" -n kube-system rollout status daemonset/cniv6-agent --timeout=180s
kubectl --context "$ctx" wait --for=condition=Ready nodes --all --timeout=180s

echo "== smoke test: two pods on different nodes"
kubectl --context "$ctx" delete pod cv6-smoke-a cv6-smoke-b --ignore-not-found --wait=true >/dev/null
workers=($(kubectl --context "$ctx" get nodes -o name | grep worker | sed 's#node/##'))
for i in 0 1; do
  name=cv6-smoke-$([ "$i" = 0 ] && echo a || echo b)
  kubectl --context "$ctx" run "$name" --image=busybox:1.36 --restart=Never \
    --overrides="{\"spec\":{\"nodeName\":\"${workers[$i]:-${workers[0]}}\"}}" -- sleep 3600
done
kubectl --context "$ctx" wait --for=condition=Ready pod/cv6-smoke-a pod/cv6-smoke-b --timeout=120s
kubectl --context "$ctx" get pods -o wide
for ip in $(kubectl --context "$ctx" get pod cv6-smoke-a -o jsonpath='{.status.podIPs[*].ip}'); do
  echo "cv6-smoke-b -> $ip"
  kubectl --context "$ctx" exec cv6-smoke-b -- ping -c 1 -W 2 "$ip"
done
kubectl --context "$ctx" delete pod cv6-smoke-a cv6-smoke-b --wait=false
echo "cluster $cluster is up (kubectl --context $ctx); remove it with packaging/kind/down.sh"
