#!/usr/bin/env bash
# Builds (or reuses) the binaries of a local Kubernetes control plane into a
# version-keyed cache folder outside the repository:
#
#   ${PROMOTE_ACTION_CACHE:-$HOME/.cache/promote-action}/k8s-v1.36.3/bin/
#     kube-apiserver kube-controller-manager kube-scheduler kubectl   (k8s.io/kubernetes, wrapper module cluster/go/kubernetes)
#     kwok kwokctl                                                    (go install sigs.k8s.io/kwok/cmd/...@v0.8.0)
#     etcd                                                            (Debian etcd-server >= 3.5.11 if apt has it, else wrapper module cluster/go/etcd)
#
# Everything comes from the Go module proxy (or Debian's apt sources for
# etcd); nothing is downloaded from anywhere else. When something cannot be
# had the script stops with a message saying what is missing.
#
# KUBEBUILDER_ASSETS (envtest convention): if it names a folder holding etcd,
# kube-apiserver and/or kubectl, those are linked into the cache and only the
# rest is built. kube-apiserver/kubectl there must be v1.36.x (version skew with
# the controller-manager/scheduler built here); otherwise they are ignored.
#
# Usage: cluster/build.sh            build what is missing, print the bin folder
#        cluster/build.sh --print    print the bin folder (no build; exit 1 if incomplete)
#        cluster/build.sh --force    rebuild everything
set -euo pipefail

K8S_VERSION=v1.36.3
KWOK_VERSION=v0.8.0
ETCD_MIN_VERSION=3.5.11

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${PROMOTE_ACTION_CACHE:-$HOME/.cache/promote-action}"
CACHE="$CACHE_ROOT/k8s-$K8S_VERSION"
BIN="$CACHE/bin"
LOGS="$CACHE/logs"
STAMP="$CACHE/.complete"
TIMES="$CACHE/build-times.txt"
BINARIES=(kube-apiserver kube-controller-manager kube-scheduler kubectl kwok kwokctl etcd)
# Anything that changes what gets built changes the stamp key.
stamp_key() {
  {
    echo "k8s=$K8S_VERSION kwok=$KWOK_VERSION"
    cat "$here/go/kubernetes/go.mod" "$here/go/etcd/go.mod" 2>/dev/null
  } | sha256sum | cut -c1-16
}

log() { printf '[build.sh] %s\n' "$*" >&2; }
die() { printf '[build.sh] ERROR: %s\n' "$*" >&2; exit 1; }

complete() {
  [ -f "$STAMP" ] && [ "$(cat "$STAMP")" = "$(stamp_key)" ] || return 1
  local b
  for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || return 1; done
}

mode="${1:-}"
case "$mode" in
  --print) complete && { echo "$BIN"; exit 0; }; die "binary cache $BIN is incomplete; run cluster/build.sh" ;;
  --force) rm -rf "$BIN" "$STAMP" ;;
  "") ;;
  *) die "unknown argument: $mode (use --print or --force)" ;;
esac

if complete; then
  log "cache complete ($STAMP)"
  echo "$BIN"
  exit 0
fi

mkdir -p "$BIN" "$LOGS"
rm -f "$STAMP"

record_time() { # piece seconds
  printf '%s\t%ss\t%s\t%s\n' "$1" "$2" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$(nproc) cores" >> "$TIMES"
  log "built $1 in $2 s (recorded in $TIMES)"
}

have() { [ -x "$BIN/$1" ]; }

need_go() {
  command -v go >/dev/null 2>&1 || die "Go is not installed; Go >= 1.26 is needed to build the control plane from the Go module proxy"
  local v; v="$(go env GOVERSION)"; v="${v#go}"
  local major="${v%%.*}" rest="${v#*.}"; local minor="${rest%%.*}"
  { [ "$major" -gt 1 ] || { [ "$major" -eq 1 ] && [ "$minor" -ge 26 ]; }; } \
    || die "Go $v is too old: k8s.io/kubernetes $K8S_VERSION and kwok $KWOK_VERSION need Go >= 1.26 (install it with your package manager; this script will not fetch toolchains)"
  export GOTOOLCHAIN=local CGO_ENABLED=0
}

# ---------------------------------------------------------------- KUBEBUILDER_ASSETS
version_minor_ok() { # binary -> true if it reports v1.36.x
  local out; out="$("$1" --version 2>/dev/null || "$1" version --client 2>/dev/null || true)"
  [[ "$out" == *"v${K8S_VERSION#v}"* || "$out" == *"v1.$(echo "$K8S_VERSION" | cut -d. -f2)."* ]]
}
if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -d "$KUBEBUILDER_ASSETS" ]; then
  for b in etcd kube-apiserver kubectl; do
    src="$KUBEBUILDER_ASSETS/$b"
    [ -x "$src" ] || continue
    have "$b" && continue
    if [ "$b" != etcd ] && ! version_minor_ok "$src"; then
      log "KUBEBUILDER_ASSETS: $src is not ${K8S_VERSION%.*}.x; ignoring it (building instead)"
      continue
    fi
    ln -sf "$(cd "$(dirname "$src")" && pwd)/$b" "$BIN/$b"
    log "KUBEBUILDER_ASSETS: using $src"
  done
fi

# ---------------------------------------------------------------- Kubernetes
kube_missing=()
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  have "$b" || kube_missing+=("k8s.io/kubernetes/cmd/$b")
done
if [ "${#kube_missing[@]}" -gt 0 ]; then
  need_go
  [ -f "$here/go/kubernetes/go.mod" ] || die "missing $here/go/kubernetes/go.mod (regenerate with cluster/go/kubernetes/gen-gomod.sh)"
  build_date="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  minor="$(echo "$K8S_VERSION" | cut -d. -f2)"
  ldflags="-s -w"
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ldflags+=" -X $p.gitTreeState=clean -X $p.buildDate=$build_date -X $p.gitCommit=go-module-proxy-$K8S_VERSION"
  done
  staging="$CACHE/staging/kubernetes"; rm -rf "$staging"; mkdir -p "$staging"
  log "building ${kube_missing[*]##*/} from k8s.io/kubernetes@$K8S_VERSION (cold on 2 cores: ~5 min on an idle machine, ~13 min while other work runs; log: $LOGS/kubernetes-build.log)"
  start=$SECONDS
  if ! (cd "$here/go/kubernetes" && go build -trimpath -ldflags "$ldflags" -o "$staging/" "${kube_missing[@]}") \
        > "$LOGS/kubernetes-build.log" 2>&1; then
    tail -n 30 "$LOGS/kubernetes-build.log" >&2
    die "building Kubernetes binaries failed (needs the Go module proxy to serve k8s.io/kubernetes@$K8S_VERSION and its deps); full log: $LOGS/kubernetes-build.log"
  fi
  record_time "kubernetes(${kube_missing[*]##*/})" $((SECONDS - start))
  mv "$staging"/* "$BIN/"
fi

# ---------------------------------------------------------------- kwok, kwokctl
kwok_missing=()
for b in kwok kwokctl; do have "$b" || kwok_missing+=("sigs.k8s.io/kwok/cmd/$b@$KWOK_VERSION"); done
if [ "${#kwok_missing[@]}" -gt 0 ]; then
  need_go
  staging="$CACHE/staging/kwok"; rm -rf "$staging"; mkdir -p "$staging"
  log "go install ${kwok_missing[*]} (log: $LOGS/kwok-build.log)"
  start=$SECONDS
  # KubeVersion is the default Kubernetes version kwokctl assumes (up.sh also sets KWOK_KUBE_VERSION).
  if ! (cd "$CACHE" && GOBIN="$staging" go install -trimpath \
          -ldflags "-s -w -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=$K8S_VERSION" "${kwok_missing[@]}") \
        > "$LOGS/kwok-build.log" 2>&1; then
    tail -n 30 "$LOGS/kwok-build.log" >&2
    die "go install of kwok $KWOK_VERSION failed; full log: $LOGS/kwok-build.log"
  fi
  record_time "kwok+kwokctl" $((SECONDS - start))
  mv "$staging"/* "$BIN/"
fi

# ---------------------------------------------------------------- etcd
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }
if ! have etcd; then
  done_etcd=false
  if command -v apt-cache >/dev/null 2>&1; then
    cand="$(apt-cache policy etcd-server 2>/dev/null | awk '/Candidate:/ {print $2}')"
    upstream="${cand%%-*}"; upstream="${upstream#*:}"
    if [ -n "$cand" ] && [ "$cand" != "(none)" ] && version_ge "$upstream" "$ETCD_MIN_VERSION"; then
      log "etcd: apt candidate etcd-server $cand; apt-get download + dpkg-deb -x"
      start=$SECONDS
      staging="$CACHE/staging/etcd-deb"; rm -rf "$staging"; mkdir -p "$staging"
      if (cd "$staging" && apt-get download "etcd-server=$cand" && dpkg-deb -x ./etcd-server_*.deb root) \
           > "$LOGS/etcd-apt.log" 2>&1 && [ -x "$staging/root/usr/bin/etcd" ]; then
        mv "$staging/root/usr/bin/etcd" "$BIN/etcd"
        record_time "etcd(apt etcd-server $cand)" $((SECONDS - start))
        done_etcd=true
      else
        log "etcd: apt route failed (see $LOGS/etcd-apt.log); falling back to the Go build"
      fi
    else
      log "etcd: apt candidate etcd-server '${cand:-none}' is older than $ETCD_MIN_VERSION (or absent); building from go.etcd.io/etcd/server/v3"
    fi
  fi
  if ! $done_etcd; then
    need_go
    [ -f "$here/go/etcd/go.mod" ] || die "missing $here/go/etcd/go.mod (regenerate with cluster/go/etcd/gen-gomod.sh)"
    etcd_version="$(cd "$here/go/etcd" && go list -m -f '{{.Version}}' go.etcd.io/etcd/server/v3)"
    staging="$CACHE/staging/etcd"; rm -rf "$staging"; mkdir -p "$staging"
    log "etcd: building go.etcd.io/etcd/server/v3@$etcd_version (log: $LOGS/etcd-build.log)"
    start=$SECONDS
    if ! (cd "$here/go/etcd" && go build -trimpath -ldflags "-s -w" -o "$staging/etcd" go.etcd.io/etcd/server/v3) \
          > "$LOGS/etcd-build.log" 2>&1; then
      tail -n 30 "$LOGS/etcd-build.log" >&2
      die "building etcd failed; full log: $LOGS/etcd-build.log"
    fi
    record_time "etcd(go $etcd_version)" $((SECONDS - start))
    mv "$staging/etcd" "$BIN/etcd"
  fi
fi

# ---------------------------------------------------------------- verify + stamp
for b in "${BINARIES[@]}"; do [ -x "$BIN/$b" ] || die "$BIN/$b is missing after the build"; done
v="$("$BIN/kube-apiserver" --version 2>&1 || true)"
[[ "$v" == *"$K8S_VERSION"* ]] || log "WARNING: kube-apiserver reports '$v', expected $K8S_VERSION"
v="$("$BIN/kubectl" version --client 2>&1 || true)"
[[ "$v" == *"$K8S_VERSION"* ]] || log "WARNING: kubectl reports '${v%%$'\n'*}', expected $K8S_VERSION"
rm -rf "$CACHE/staging"
stamp_key > "$STAMP"
{
  for b in "${BINARIES[@]}"; do
    case "$b" in
      kubectl) v="$("$BIN/$b" version --client 2>/dev/null || true)" ;;
      *) v="$("$BIN/$b" --version 2>/dev/null || true)" ;;
    esac
    echo "$b: ${v%%$'\n'*}"
  done
} > "$CACHE/versions.txt"
log "cache complete: $BIN ($(du -sh "$BIN" | cut -f1)); versions in $CACHE/versions.txt"
echo "$BIN"
