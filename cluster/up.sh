#!/usr/bin/env bash
# Starts (or reuses) a local Kubernetes control plane on 127.0.0.1 with kwokctl's
# binary runtime: etcd, kube-apiserver (RBAC), kube-controller-manager,
# kube-scheduler and kwok with the Stages in cluster/kwok/stages/, plus fake
# kwok nodes. Binaries come from cluster/build.sh's cache; nothing is downloaded.
#
# Usage: cluster/up.sh [NAME]      NAME defaults to $PROMOTE_ACTION_CLUSTER or "promote-action"
# Env:   PROMOTE_ACTION_CACHE      cache root (default ~/.cache/promote-action)
#        PROMOTE_ACTION_NODES      number of kwok nodes (default 3)
#        PROMOTE_ACTION_RECREATE=1 always delete and recreate
#
# Prints the admin kubeconfig path on stdout (last line). Files:
#   $CACHE/clusters/NAME/kubeconfig.yaml   admin kubeconfig (CACHE = cache root/k8s-v1.36.3 = KWOK_WORKDIR)
#   <cache root>/current-kubeconfig.yaml    self-contained copy (certs embedded) of the kubeconfig of the cluster
#                                          started or reused last
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NAME="${1:-${PROMOTE_ACTION_CLUSTER:-promote-action}}"
NODES="${PROMOTE_ACTION_NODES:-3}"
K8S_VERSION=v1.36.3
CACHE_ROOT="${PROMOTE_ACTION_CACHE:-$HOME/.cache/promote-action}"
CACHE="$CACHE_ROOT/k8s-$K8S_VERSION"

log() { printf '[up.sh] %s\n' "$*" >&2; }
die() { printf '[up.sh] ERROR: %s\n' "$*" >&2; exit 1; }

BIN="$("$here/build.sh")" || die "binaries are not available (see cluster/build.sh output above)"

# kwokctl looks kubectl up on PATH (and would try to download one if it were
# missing): the cache's v1.36.3 kubectl must come first.
export PATH="$BIN:$PATH"
export KWOK_WORKDIR="$CACHE"
export KWOK_KUBE_VERSION="$K8S_VERSION"
etcd_version="$("$BIN/etcd" --version 2>/dev/null | awk '/etcd Version:/ {print $3}')"
[ -n "$etcd_version" ] && export KWOK_ETCD_VERSION="$etcd_version"
[ "$(command -v kubectl)" = "$BIN/kubectl" ] || die "kubectl on PATH is $(command -v kubectl), expected $BIN/kubectl"

CLUSTER_DIR="$KWOK_WORKDIR/clusters/$NAME"
KUBECONFIG_OUT="$CLUSTER_DIR/kubeconfig.yaml"
CURRENT="$CACHE_ROOT/current-kubeconfig.yaml"
HASH_FILE="$CLUSTER_DIR/promote-action.config-hash"

stage_files=("$here"/kwok/stages/*.yaml)
args=(
  --name "$NAME"
  --runtime binary
  -c "$here/kwok/kwokctl.yaml"
)
for f in "${stage_files[@]}"; do args+=(-c "$f"); done
args+=(
  --kube-apiserver-binary "$BIN/kube-apiserver"
  --kube-controller-manager-binary "$BIN/kube-controller-manager"
  --kube-scheduler-binary "$BIN/kube-scheduler"
  --kwok-controller-binary "$BIN/kwok"
  --etcd-binary "$BIN/etcd"
  --kube-authorization=true
  --extra-args kube-apiserver=endpoint-reconciler-type=none
  # For test/contract's "410 Expired" case: etcd compaction every 10 s (default 5 min;
  # PROMOTE_ACTION_ETCD_COMPACTION overrides) and no watch cache for configmaps (the action never
  # reads them), so a configmaps watch from resourceVersion 1 is served by etcd and expires soon
  # after start-up. A watch cache that has not evicted anything yet replays its snapshot as ADDED
  # events for any older resourceVersion instead of answering 410.
  --extra-args "kube-apiserver=etcd-compaction-interval=${PROMOTE_ACTION_ETCD_COMPACTION:-10s}"
  --extra-args "kube-apiserver=watch-cache-sizes=configmaps#0"
  # kwokctl's default would add a context to ~/.kube/config (or $KUBECONFIG).
  --kubeconfig ""
  --wait 2m
)

config_hash() {
  { cat "$here/kwok/kwokctl.yaml" "${stage_files[@]}"; printf '%s\n' "${args[@]}" "$NODES"; cat "$CACHE/.complete"; } \
    | sha256sum | cut -c1-16
}

kc() { kubectl --kubeconfig "$KUBECONFIG_OUT" "$@"; }

healthy() {
  [ -f "$KUBECONFIG_OUT" ] || return 1
  kc get --raw /readyz --request-timeout=5s >/dev/null 2>&1 || return 1
  local ready
  ready="$(kc get nodes --request-timeout=5s -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' 2>/dev/null | grep -c '^True$' || true)"
  [ "$ready" -ge "$NODES" ]
}

publish() {
  # Self-contained copy (certificates embedded instead of file paths).
  kc config view --raw --flatten > "$CURRENT.tmp" && chmod 600 "$CURRENT.tmp" && mv "$CURRENT.tmp" "$CURRENT"
  log "admin kubeconfig: $KUBECONFIG_OUT (copy: $CURRENT)"
  log "server: $(kc config view -o jsonpath='{.clusters[0].cluster.server}')"
  echo "$KUBECONFIG_OUT"
}

# ---------------------------------------------------------------- reuse?
if [ -d "$CLUSTER_DIR" ] && [ "${PROMOTE_ACTION_RECREATE:-0}" != 1 ]; then
  if [ -f "$HASH_FILE" ] && [ "$(cat "$HASH_FILE")" = "$(config_hash)" ] && healthy; then
    log "cluster '$NAME' is running and healthy with the same configuration; reusing it"
    publish
    exit 0
  fi
  log "cluster '$NAME' exists but is unhealthy or configured differently; recreating it"
fi
"$here/down.sh" "$NAME" >&2

# ---------------------------------------------------------------- dry run: nothing may be downloaded
dry="$(kwokctl create cluster "${args[@]}" --dry-run 2>&1)" || { echo "$dry" >&2; die "kwokctl --dry-run failed"; }
# kwokctl prints "# Download SRC to DEST" for every binary, also for local files,
# which it only symlinks into the cluster folder. Anything whose SRC is not an
# absolute local path (https://dl.k8s.io/..., github.com releases) is refused.
remote="$(grep -i 'download' <<<"$dry" | grep -v '^# Download /' || true)"
if [ -n "$remote" ]; then
  echo "$remote" >&2
  die "kwokctl would download something (lines above); refusing. Check the binaries in $BIN"
fi
# --dry-run leaves nothing behind, but be sure.
"$here/down.sh" "$NAME" >/dev/null 2>&1 || true

# ---------------------------------------------------------------- create
mkdir -p "$CACHE/logs"
create_log="$CACHE/logs/cluster-$NAME-create.log"
start_ns=$(date +%s%N)
if ! kwokctl create cluster "${args[@]}" > "$create_log" 2>&1; then
  tail -n 40 "$create_log" >&2
  "$here/down.sh" "$NAME" >&2 || true
  die "kwokctl create cluster failed (log: $create_log; component logs: $CLUSTER_DIR/logs/)"
fi
created_ns=$(date +%s%N)
if ! kwokctl scale node --name "$NAME" --replicas "$NODES" >> "$create_log" 2>&1; then
  tail -n 20 "$create_log" >&2
  die "kwokctl scale node failed (log: $create_log)"
fi
[ -f "$KUBECONFIG_OUT" ] || die "kwokctl did not write $KUBECONFIG_OUT"
for _ in $(seq 1 120); do healthy && break; sleep 0.5; done
healthy || die "cluster '$NAME' did not get $NODES Ready nodes (log: $create_log)"
# The controller-manager's service-account controller must have run before pods can be created.
for _ in $(seq 1 120); do kc get serviceaccount default -n default >/dev/null 2>&1 && break; sleep 0.5; done
kc get serviceaccount default -n default >/dev/null 2>&1 || die "ServiceAccount default/default never appeared (kube-controller-manager down?)"
end_ns=$(date +%s%N)

config_hash > "$HASH_FILE"
ms() { echo $(( ($1 - start_ns) / 1000000 )); }
printf '%s\tcreate=%sms\tready(%s nodes)=%sms\t%s\n' "$NAME" "$(ms "$created_ns")" "$NODES" "$(ms "$end_ns")" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" >> "$CACHE/cluster-start-times.txt"
log "cluster '$NAME' up in $(ms "$end_ns") ms (kwokctl create $(ms "$created_ns") ms); recorded in $CACHE/cluster-start-times.txt"
publish
