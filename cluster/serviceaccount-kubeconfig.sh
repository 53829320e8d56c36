#!/usr/bin/env bash
# Applies cluster/rbac/promote-action-role.yaml for NAMESPACE (creating the
# namespace, ServiceAccount "promote-action", Role and RoleBinding), mints a
# token for the ServiceAccount through the TokenRequest API (`kubectl create
# token`) and writes a kubeconfig that authenticates with that token only.
#
# Usage: cluster/serviceaccount-kubeconfig.sh NAMESPACE [OUT]
#   admin credentials: $ADMIN_KUBECONFIG, else <cache root>/current-kubeconfig.yaml (written by up.sh)
#   OUT default:       <folder of the admin kubeconfig>/promote-action-NAMESPACE.kubeconfig.yaml
#   token lifetime:    $PROMOTE_ACTION_TOKEN_DURATION (default 2h)
# Prints OUT on stdout.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
NS="${1:?usage: serviceaccount-kubeconfig.sh NAMESPACE [OUT]}"
K8S_VERSION=v1.36.3
CACHE_ROOT="${PROMOTE_ACTION_CACHE:-$HOME/.cache/promote-action}"
BIN="$CACHE_ROOT/k8s-$K8S_VERSION/bin"
ADMIN="${ADMIN_KUBECONFIG:-$CACHE_ROOT/current-kubeconfig.yaml}"
DURATION="${PROMOTE_ACTION_TOKEN_DURATION:-2h}"
SA=promote-action

die() { printf '[serviceaccount-kubeconfig.sh] ERROR: %s\n' "$*" >&2; exit 1; }
[[ "$NS" =~ ^[a-z0-9]([-a-z0-9]*[a-z0-9])?$ ]] || die "invalid namespace name '$NS'"
[ -f "$ADMIN" ] || die "admin kubeconfig $ADMIN not found (run cluster/up.sh or set ADMIN_KUBECONFIG)"
KUBECTL="$BIN/kubectl"; [ -x "$KUBECTL" ] || KUBECTL="$(command -v kubectl)" || die "no kubectl"
OUT="${2:-$(dirname "$ADMIN")/$SA-$NS.kubeconfig.yaml}"
# current-kubeconfig.yaml is a copy: put the SA kubeconfig next to the cluster's own kubeconfig.
if [ -z "${2:-}" ] && [ "$ADMIN" = "$CACHE_ROOT/current-kubeconfig.yaml" ]; then
  cluster_name="$("$KUBECTL" --kubeconfig "$ADMIN" config view -o jsonpath='{.clusters[0].name}')"
  cluster_dir="$CACHE_ROOT/k8s-$K8S_VERSION/clusters/${cluster_name#kwok-}"
  [ -d "$cluster_dir" ] && OUT="$cluster_dir/$SA-$NS.kubeconfig.yaml"
fi

k() { "$KUBECTL" --kubeconfig "$ADMIN" "$@"; }

sed "s/promote-test/$NS/g" "$here/rbac/promote-action-role.yaml" | k apply -f - >&2
token="$(k create token "$SA" -n "$NS" --duration "$DURATION")" || die "TokenRequest for $NS/$SA failed"

server="$(k config view --minify -o jsonpath='{.clusters[0].cluster.server}')"
ca_data="$(k config view --minify --raw --flatten -o jsonpath='{.clusters[0].cluster.certificate-authority-data}')"
[ -n "$server" ] && [ -n "$ca_data" ] || die "could not read server/CA from $ADMIN"

umask 077
mkdir -p "$(dirname "$OUT")"
cat > "$OUT.tmp" <<YAML
apiVersion: v1
kind: Config
clusters:
- name: promote-action
  cluster:
    server: $server
    certificate-authority-data: $ca_data
users:
- name: $SA@$NS
  user:
    token: $token
contexts:
- name: $SA@$NS
  context:
    cluster: promote-action
    user: $SA@$NS
    namespace: $NS
current-context: $SA@$NS
YAML
mv "$OUT.tmp" "$OUT"
echo "$OUT"
