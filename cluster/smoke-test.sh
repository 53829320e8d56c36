#!/usr/bin/env bash
# Checks a running cluster (cluster/up.sh) end to end with kubectl:
#  - a good image rolls out (availableReplicas, imageID set, RS revision annotations)
#  - a ":crashloop" image: pods CrashLoopBackOff (restartCount > 0, lastState
#    exitCode 1/Error) and the real deployment controller sets Progressing
#    reason ProgressDeadlineExceeded (progressDeadlineSeconds: 10)
#  - ":unpullable" -> Pending + ImagePullBackOff; ":never-ready" -> Running, not Ready, no reason
#  - the promote-action ServiceAccount (cluster/rbac) may patch but not delete a Deployment
# Usage: cluster/smoke-test.sh [KUBECONFIG]   (default <cache root>/current-kubeconfig.yaml)
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CACHE_ROOT="${PROMOTE_ACTION_CACHE:-$HOME/.cache/promote-action}"
BIN="$CACHE_ROOT/k8s-v1.36.3/bin"
export PATH="$BIN:$PATH"
export KUBECONFIG="${1:-$CACHE_ROOT/current-kubeconfig.yaml}"
NS=promote-smoke
passed=0 failed=0
ok()   { echo "ok   - $*"; passed=$((passed + 1)); }
bad()  { echo "FAIL - $*"; failed=$((failed + 1)); }
check() { local what="$1"; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }
# wait_for SECONDS CMD...: retry CMD every 0.5 s
wait_for() { local t=$(( $1 * 2 )); shift; for _ in $(seq 1 "$t"); do "$@" && return 0; sleep 0.5; done; return 1; }
k() { kubectl "$@"; }

deploy() { # name image [progressDeadlineSeconds]
  k -n "$NS" apply -f - >/dev/null <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: $1
spec:
  replicas: 2
  progressDeadlineSeconds: ${3:-600}
  selector:
    matchLabels: {app: $1}
  template:
    metadata:
      labels: {app: $1}
    spec:
      containers:
      - name: app
        image: $2
YAML
}
jp() { k -n "$NS" get "$1" -o jsonpath="$2" 2>/dev/null; }
pods_of() { k -n "$NS" get pods -l "app=$1" -o jsonpath="$2" 2>/dev/null; }

k delete namespace "$NS" --ignore-not-found --wait=true >/dev/null 2>&1
k create namespace "$NS" >/dev/null
wait_for 30 k -n "$NS" get serviceaccount default >/dev/null 2>&1

# --- good rollout
deploy web registry.example/web:1.0.0 10
check "good image rolls out (kubectl rollout status)" k -n "$NS" rollout status deploy/web --timeout=60s
check "availableReplicas == 2" test "$(jp deploy/web '{.status.availableReplicas}')" = 2
check "imageID docker-pullable://...@sha256:<64 hex>" \
  grep -Eq '^docker-pullable://registry.example/web@sha256:[0-9a-f]{64}$' <<<"$(pods_of web '{.items[0].status.containerStatuses[0].imageID}')"

# --- crashloop: same deployment, new image => revision 2
k -n "$NS" set image deploy/web app=registry.example/web:crashloop >/dev/null
deadline() { [ "$(jp deploy/web '{.status.conditions[?(@.type=="Progressing")].reason}')" = ProgressDeadlineExceeded ]; }
check "crashloop: Progressing reason ProgressDeadlineExceeded (progressDeadlineSeconds 10)" wait_for 60 deadline
crash_pod() { pods_of web '{range .items[*]}{.spec.containers[0].image}{" "}{.status.phase}{" "}{.status.containerStatuses[0].state.waiting.reason}{" "}{.status.containerStatuses[0].restartCount}{" "}{.status.containerStatuses[0].lastState.terminated.exitCode}{" "}{.status.containerStatuses[0].lastState.terminated.reason}{" "}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep ':crashloop'; }
check "crashloop pod: Running CrashLoopBackOff restartCount>0 lastState 1/Error Ready=False" \
  grep -Eq 'crashloop Running CrashLoopBackOff [1-9][0-9]* 1 Error False' <<<"$(crash_pod)"
check "old ReplicaSet keeps serving (availableReplicas >= 1)" test "$(jp deploy/web '{.status.availableReplicas}')" -ge 1
revs="$(k -n "$NS" get rs -l app=web -o jsonpath='{range .items[*]}{.metadata.annotations.deployment\.kubernetes\.io/revision}{" "}{end}')"
check "ReplicaSets carry deployment.kubernetes.io/revision 1 and 2 (got: $revs)" grep -Eq '^(1 2|2 1) $' <<<"$revs"
check "kubectl rollout status fails with 'exceeded its progress deadline'" \
  bash -c "kubectl -n $NS rollout status deploy/web --timeout=20s 2>&1 | grep -q 'exceeded its progress deadline'"
check "kubectl rollout undo goes back to revision 1's image" bash -c \
  "kubectl -n $NS rollout undo deploy/web >/dev/null && kubectl -n $NS rollout status deploy/web --timeout=60s >/dev/null && \
   test \"\$(kubectl -n $NS get deploy/web -o jsonpath='{.spec.template.spec.containers[0].image}')\" = registry.example/web:1.0.0"

# --- unpullable
deploy pull registry.example/web:unpullable
pull_state() { pods_of pull '{.items[0].status.phase} {.items[0].status.containerStatuses[0].state.waiting.reason} {.items[0].status.containerStatuses[0].state.waiting.message}'; }
pull_ok() { grep -q '^Pending ImagePullBackOff Back-off pulling image "registry.example/web:unpullable"' <<<"$(pull_state)"; }
check "unpullable pod: Pending ImagePullBackOff 'Back-off pulling image'" wait_for 30 pull_ok
sleep 3
check "unpullable pod stays Pending (not made Ready by pod-ready)" grep -q '^Pending ImagePullBackOff' <<<"$(pull_state)"

# --- never-ready
deploy slow registry.example/web:never-ready
slow_state() { pods_of slow '{.items[0].status.phase} {.items[0].status.conditions[?(@.type=="Ready")].status} {.items[0].status.containerStatuses[0].started} reason={.items[0].status.containerStatuses[0].state.waiting.reason}'; }
slow_ok() { grep -qx 'Running False true reason=' <<<"$(slow_state)"; }
check "never-ready pod: Running, Ready=False, started, no waiting reason" wait_for 30 slow_ok

# --- least-privilege ServiceAccount
SA_KC="$("$here/serviceaccount-kubeconfig.sh" "$NS" 2>/dev/null)"
check "serviceaccount-kubeconfig.sh wrote a kubeconfig" test -s "$SA_KC"
sa() { kubectl --kubeconfig "$SA_KC" "$@"; }
check "SA can-i patch deployments: yes"  test "$(sa auth can-i patch deployments.apps 2>/dev/null)" = yes
check "SA can-i delete deployments: no"  test "$(sa auth can-i delete deployments.apps 2>/dev/null)" = no
check "SA can-i create deployments: no"  test "$(sa auth can-i create deployments.apps 2>/dev/null)" = no
check "SA can-i watch pods: yes"         test "$(sa auth can-i watch pods 2>/dev/null)" = yes
check "SA can-i list events.k8s.io events: yes" test "$(sa auth can-i list events.events.k8s.io 2>/dev/null)" = yes
check "SA can-i update leases: yes"      test "$(sa auth can-i update leases.coordination.k8s.io 2>/dev/null)" = yes
check "SA can-i delete leases: no"       test "$(sa auth can-i delete leases.coordination.k8s.io 2>/dev/null)" = no
check "SA can-i get secrets: no"         test "$(sa auth can-i get secrets 2>/dev/null)" = no
check "SA can-i list deployments in default: no" test "$(sa auth can-i list deployments.apps -n default 2>/dev/null)" = no
check "SA really patches a Deployment (kubectl set image)" sa -n "$NS" set image deploy/web app=registry.example/web:1.0.1
check "SA really cannot delete it (Forbidden)" bash -c "! kubectl --kubeconfig '$SA_KC' -n $NS delete deploy/web 2>&1 | grep -q deleted"

k delete namespace "$NS" --wait=false >/dev/null 2>&1
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
