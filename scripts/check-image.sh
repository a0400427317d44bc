#!/usr/bin/env bash
# Checks the image scripts/build-image.sh wrote: unpacks the OCI archive with skopeo and umoci (Debian packages)
# and runs its entrypoint in a chroot, in new mount and PID namespaces, as the image's user with the image's
# environment (read from the unpacked runtime config):
#   1. `slipway --help`;
#   2. `slipway worker` from the image against a dev hub started from this checkout (`slipway dev up` in a state
#      folder of its own, whose own worker is stopped first), which provisions a simulated ClusterDeployment
#      until it is Ready.
# Prints the figures; leaves nothing running.
#
#   bash scripts/check-image.sh [image.oci.tar]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
version="$(node -p 'require("./package.json").version')"
archive="${1:-$repo/image/slipway-$version.oci.tar}"
[[ -f "$archive" ]] || { echo "check-image: $archive is missing: bash scripts/build-image.sh" >&2; exit 1; }
for tool in skopeo umoci unshare; do
  command -v "$tool" >/dev/null || { echo "check-image: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done

work="$(mktemp -d /tmp/slipway-check-image.XXXXXX)"
dev_state="$work/dev"
worker_pid=""
cleanup() {
  # unshare does not pass SIGTERM on: the worker inside (its child) gets it, then SIGKILL after 20 s.
  if [[ -n "$worker_pid" ]]; then
    pkill -TERM -P "$worker_pid" 2>/dev/null || true
    for _ in $(seq 20); do kill -0 "$worker_pid" 2>/dev/null || break; sleep 1; done
    pkill -KILL -P "$worker_pid" 2>/dev/null || true
    wait "$worker_pid" 2>/dev/null || true
  fi
  if [[ -d "$dev_state" ]]; then
    SLIPWAY_STATE_DIR="$dev_state" node bin/slipway.js dev down >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

start=$SECONDS
skopeo copy --quiet "oci-archive:$archive" "oci:$work/oci:slipway"
umoci unpack --image "$work/oci:slipway" "$work/bundle" >/dev/null
rootfs="$work/bundle/rootfs"
echo "unpacked in $((SECONDS - start)) s: $(du -sm "$rootfs" | cut -f1) MB"

# The image's user, environment, entrypoint and working directory, as a runtime would apply them.
read -r user_spec cwd < <(node -e '
  const c = require(process.argv[1]).process;
  console.log(`${c.user.uid}:${c.user.gid} ${c.cwd}`);' "$work/bundle/config.json")
mapfile -t image_env < <(node -e '
  for (const e of require(process.argv[1]).process.env) console.log(e);' "$work/bundle/config.json")
mapfile -t entrypoint < <(node -e '
  const args = require(process.argv[1]).process.args;
  for (const a of args.slice(0, args.length - 1)) console.log(a);' "$work/bundle/config.json")

# Runs the entrypoint with arguments in the image: its own mounts (/dev, /proc, a /tmp) and PIDs, the host's
# network (the dev hub and Redis listen on loopback). `exec`: run in the background,
# its PID is unshare's, whose end (--kill-child) ends the process inside.
in_image() { # extra environment (NAME=value ...) -- arguments
  local extra=()
  while [[ $# -gt 0 && "$1" != "--" ]]; do extra+=("$1"); shift; done
  shift
  exec unshare --mount --pid --fork --kill-child bash -c '
    set -e
    rootfs="$1" user="$2" cwd="$3"; shift 3
    mount --rbind /dev "$rootfs/dev"
    mount -t proc proc "$rootfs/proc"
    mount -t tmpfs tmpfs "$rootfs/tmp"
    exec chroot --userspec="$user" "$rootfs" /usr/bin/env -i "$@"
  ' _ "$rootfs" "$user_spec" "$cwd" "${image_env[@]}" "${extra[@]}" /bin/sh -c 'cd "$0" && exec "$@"' \
    "$cwd" "${entrypoint[@]}" "$@"
}

echo "==> slipway --help (entrypoint ${entrypoint[*]}, user $user_spec)"
help_start=$SECONDS
help_text="$(in_image -- --help)"
head -5 <<<"$help_text"
echo "  ... (--help in $((SECONDS - help_start)) s)"
node_version="$(unshare --mount --fork chroot "$rootfs" /usr/local/bin/node --version)"
pulumi_version="$(chroot "$rootfs" /opt/slipway/tools/bin/pulumi version)"
echo "Node $node_version, Pulumi $pulumi_version in the image"

echo "==> a dev hub from this checkout, its own worker stopped"
hub_start=$SECONDS
SLIPWAY_STATE_DIR="$dev_state" node bin/slipway.js dev up --detach >"$work/dev-up.log" 2>&1 ||
  { cat "$work/dev-up.log" >&2; exit 1; }
checkout_worker="$(node -e '
  const c = require(process.argv[1]).find((p) => p.name === "worker");
  console.log(c ? c.pid : "");' "$dev_state/components.json")"
[[ -n "$checkout_worker" ]] && kill "$checkout_worker"
redis_url="$(node -p 'require(process.argv[1]).redisUrl' "$dev_state/dev.json")"
echo "hub up in $((SECONDS - hub_start)) s"

echo "==> slipway worker from the image, on the hub's Redis"
install -d -o "${user_spec%%:*}" -g "${user_spec##*:}" "$rootfs/var/lib/slipway/hub"
install -m 0400 -o "${user_spec%%:*}" "$dev_state/kubeconfig" "$rootfs/var/lib/slipway/hub/kubeconfig"
in_image REDIS_URL="$redis_url" SLIPWAY_KUBECONFIG=/var/lib/slipway/hub/kubeconfig \
  SLIPWAY_PULUMI_PASSPHRASE=check-image -- worker >"$work/image-worker.log" 2>&1 &
worker_pid=$!

kubectl="$repo/tools/bin/kubectl --kubeconfig $dev_state/kubeconfig"
$kubectl apply -f - >/dev/null <<'EOF'
apiVersion: slipway.dev/v1alpha1
kind: ClusterDeployment
metadata:
  name: image-check
  namespace: default
spec:
  clusterName: image-check
  registration:
    enabled: false
  platform:
    simulated:
      provisionSeconds: 1
EOF
ready_start=$SECONDS
if ! $kubectl wait -n default clusterdeployment/image-check --for=condition=Ready --timeout=180s >/dev/null; then
  echo "check-image: the simulated cluster did not become Ready; the image's worker said:" >&2
  tail -30 "$work/image-worker.log" >&2
  exit 1
fi
echo "simulated ClusterDeployment Ready $((SECONDS - ready_start)) s after it was applied, provisioned by the image's worker:"
grep -c . "$work/image-worker.log" | xargs -I{} echo "  the image's worker logged {} lines"
$kubectl get -n default clusterdeployment/image-check
$kubectl delete -n default clusterdeployment/image-check --timeout=120s >/dev/null
echo "image checked in $((SECONDS - start)) s"
