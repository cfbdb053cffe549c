#!/usr/bin/env bash
# Creates a kind cluster without a default CNI, builds the cniv6 image, loads it into the
# nodes, deploys the agent (RBAC + DaemonSet) and checks that pods get addresses and talk
# across nodes. Needs docker, kind and kubectl.
# The smoke test's image is pulled by the host's docker and loaded into the nodes like the cniv6 image:
# the nodes of an IPv6-only cluster usually cannot reach a registry themselves.
# On failure the cluster is deleted again (KEEP_CLUSTER=1 keeps it for debugging); on success it stays up.
# Usage: packaging/kind/up.sh            (IPv6-only)
#        FAMILY=dual packaging/kind/up.sh   (dual-stack, IPv6 primary)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
family=${FAMILY:-ipv6}
cluster=${CLUSTER:-cniv6}
image=${IMAGE:-cniv6:dev}
smoke_image=${SMOKE_IMAGE:-busybox:1.36}
for tool in docker kind kubectl; do
  command -v "$tool" >/dev/null || { echo "up.sh needs $tool on PATH" >&2; exit 1; }
done
ctx="kind-$cluster"
created=0 finished=0
cleanup() {
  [ "$finished" = 1 ] && return 0
  if [ "$created" = 1 ] && [ "${KEEP_CLUSTER:-0}" != 1 ]; then
    echo "up.sh failed: deleting cluster $cluster (KEEP_CLUSTER=1 keeps it)" >&2
    kind delete cluster --name "$cluster" >&2 || true
  elif [ "$created" = 1 ]; then
    kubectl --context "$ctx" delete pod cv6-smoke-a cv6-smoke-b --ignore-not-found --wait=false >&2 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== images: $image (built here), $smoke_image (pulled by the host)"
docker build --build-arg VERSION="$(git -C "$repo" describe --always --dirty 2>/dev/null || echo dev)" \
  --build-arg REVISION="$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)" -t "$image" "$repo"
docker image inspect "$smoke_image" >/dev/null 2>&1 || docker pull "$smoke_image"

echo "== kind cluster $cluster ($family)"
kind create cluster --name "$cluster" --config "$repo/packaging/kind/kind-$family.yaml"
created=1
kind load docker-image "$image" --name "$cluster"
kind load docker-image "$smoke_image" --name "$cluster"

echo "== cniv6 agent"
kubectl --context "$ctx" apply -f "$repo/packaging/kubernetes/rbac.yaml"
sed "s#image: cniv6:dev#image: $image#" "$repo/packaging/kubernetes/daemonset.yaml" | kubectl --context "$ctx" apply -f -
kubectl --context "$ctx" -n kube-system rollout status daemonset/cniv6-agent --timeout=180s
kubectl --context "$ctx" wait --for=condition=Ready nodes --all --timeout=180s

echo "== smoke test: two pods on different nodes"
kubectl --context "$ctx" delete pod cv6-smoke-a cv6-smoke-b --ignore-not-found --wait=true >/dev/null
mapfile -t workers < <(kubectl --context "$ctx" get nodes -o name | grep worker | sed 's#node/##')
[ "${#workers[@]}" -gt 0 ] || { echo "no worker nodes" >&2; exit 1; }
for i in 0 1; do
  name=cv6-smoke-$([ "$i" = 0 ] && echo a || echo b)
  # Never pull: the image was loaded into the nodes above.
  kubectl --context "$ctx" run "$name" --image="$smoke_image" --image-pull-policy=Never --restart=Never \
    --overrides="{\"spec\":{\"nodeName\":\"${workers[$i]:-${workers[0]}}\"}}" -- sleep 3600
done
kubectl --context "$ctx" wait --for=condition=Ready pod/cv6-smoke-a pod/cv6-smoke-b --timeout=120s
kubectl --context "$ctx" get pods -o wide
for ip in $(kubectl --context "$ctx" get pod cv6-smoke-a -o jsonpath='{.status.podIPs[*].ip}'); do
  echo "cv6-smoke-b -> $ip"
  kubectl --context "$ctx" exec cv6-smoke-b -- ping -c 1 -W 2 "$ip"
done
kubectl --context "$ctx" delete pod cv6-smoke-a cv6-smoke-b --wait=false
finished=1
echo "cluster $cluster is up (kubectl --context $ctx); remove it with packaging/kind/down.sh"
