#!/usr/bin/env bash
# Stops and deletes the local cluster started by cluster/up.sh. Idempotent:
# succeeds when the cluster does not exist. After `kwokctl delete cluster` it
# kills any process still running from that cluster's folder (found by pid
# files and by command lines naming the folder, one pid at a time), then
# removes the folder.
#
# Usage: cluster/down.sh [NAME]    NAME defaults to $PROMOTE_ACTION_CLUSTER or "promote-action"
set -euo pipefail

NAME="${1:-${PROMOTE_ACTION_CLUSTER:-promote-action}}"
K8S_VERSION=v1.36.3
CACHE_ROOT="${PROMOTE_ACTION_CACHE:-$HOME/.cache/promote-action}"
CACHE="$CACHE_ROOT/k8s-$K8S_VERSION"
BIN="$CACHE/bin"
export KWOK_WORKDIR="$CACHE"
CLUSTER_DIR="$KWOK_WORKDIR/clusters/$NAME"

log() { printf '[down.sh] %s\n' "$*" >&2; }

case "$NAME" in ""|*/*|.|..) log "invalid cluster name '$NAME'"; exit 1 ;; esac

if [ ! -d "$CLUSTER_DIR" ]; then
  log "cluster '$NAME' does not exist ($CLUSTER_DIR)"
else
  if [ -x "$BIN/kwokctl" ]; then
    # --kubeconfig: kwokctl would remove a context from ~/.kube/config (or
    # $KUBECONFIG); up.sh never added one. "" is rejected by delete ("empty
    # path"), so name a file that does not exist.
    PATH="$BIN:$PATH" timeout 60 "$BIN/kwokctl" delete cluster --name "$NAME" \
      --kubeconfig "$CLUSTER_DIR/.no-such-kubeconfig.yaml" >&2 \
      || log "kwokctl delete cluster failed; cleaning up by hand"
  fi
fi

# Leftover processes of this cluster: pids from its pid files, and any process
# whose command line names the cluster folder.
pids=()
if [ -d "$CLUSTER_DIR/pids" ]; then
  for f in "$CLUSTER_DIR"/pids/*.pid; do
    [ -f "$f" ] && pids+=("$(cat "$f")")
  done
fi
for p in /proc/[0-9]*; do
  pid="${p#/proc/}"
  [ "$pid" = "$$" ] && continue
  cmd="$(tr '\0' ' ' < "$p/cmdline" 2>/dev/null || true)"
  case "$cmd" in *"$CLUSTER_DIR/"*|*"$CLUSTER_DIR "*) pids+=("$pid") ;; esac
done
alive=()
for pid in $(printf '%s\n' "${pids[@]}" | sort -un); do
  [[ "$pid" =~ ^[0-9]+$ ]] || continue
  # Only processes that really belong to this cluster.
  tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -qF "$CLUSTER_DIR" || continue
  alive+=("$pid")
done
if [ "${#alive[@]}" -gt 0 ]; then
  log "stopping leftover processes of cluster '$NAME': ${alive[*]}"
  for pid in "${alive[@]}"; do kill "$pid" 2>/dev/null || true; done
  for _ in $(seq 1 50); do
    still=()
    for pid in "${alive[@]}"; do kill -0 "$pid" 2>/dev/null && still+=("$pid"); done
    [ "${#still[@]}" -eq 0 ] && break
    sleep 0.1
  done
  for pid in "${still[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
fi

rm -rf "$CLUSTER_DIR"
# The "current" kubeconfig is removed only if it belongs to this cluster.
CURRENT="$CACHE_ROOT/current-kubeconfig.yaml"
if [ -f "$CURRENT" ] && grep -q "name: kwok-$NAME\$" "$CURRENT"; then rm -f "$CURRENT"; fi
log "cluster '$NAME' is down"
