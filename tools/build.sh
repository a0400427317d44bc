#!/usr/bin/env bash
# Builds the real programs Slipway runs from their Go modules into tools/bin. Each program is built once per
# pinned version: the binary is kept in a machine-wide cache ($SLIPWAY_TOOLS_CACHE, default
# ~/.cache/slipway/tools) so a fresh clone only copies it.
# Nothing is downloaded at run time; this script is the only step that talks to the Go module proxy.
#
# Usage: tools/build.sh [set...]   (default: dev)
# Each program names the set that needs it, and only the sets asked for are built:
#   dev   what `slipway dev up --sample` runs: etcd, kube-apiserver and kube-controller-manager (the hub's and the
#         local clusters' control plane), kubectl, pulumi (the worker's), ocm-registration (OCM's hub controller
#         and agent) and OCM's CRDs. scripts/install.sh builds this set.
#   test  programs only tests use; `npm test` builds `dev test`: the emulators the state-backend tests run on
#         127.0.0.1 (fake-gcs-server from its Go module, moto's S3 and KMS server from PyPI into a venv; Azurite is
#         an npm devDependency, so `npm install` brings it), and govmomi's vcsim (the vSphere API the vsphere
#         platform's client is tested against).
#   management  the Pulumi Kubernetes provider plugin of management mode (HostedCluster platform `kubernetes`), for
#         `npm run test:management` and for workers that run management mode. Not in `dev` or `test`: compiling it
#         takes about 100 minutes on a 2-core machine the first time.
# A new program is one more `build <set> "<why>" ...` line below.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/bin"
cache="${SLIPWAY_TOOLS_CACHE:-$HOME/.cache/slipway/tools}"
export GOTOOLCHAIN=local CGO_ENABLED=0
# The checksum database does not list every Pulumi release; go.sum (committed) pins the exact content.
export GONOSUMDB="github.com/pulumi/pulumi"

all_sets="dev test management"
sets=("${@:-dev}")
for set in "${sets[@]}"; do
  [[ " $all_sets " == *" $set "* ]] ||
    { echo "tools/build.sh: unknown set '$set' (the sets: $all_sets)" >&2; exit 2; }
done
wanted() { [[ " ${sets[*]} " == *" $1 "* ]]; }

mkdir -p "$bin" "$cache"

command -v go >/dev/null || { echo "tools/build.sh: Go is required (go 1.26 or newer) to build the tools" >&2; exit 1; }

module_version() { # module dir, module path
  awk -v m="$2" '$1 == m && $2 ~ /^v/ { print $2; exit } $1 == "require" && $2 == m { print $3; exit }' "$here/$1/go.mod"
}

k8s_version="$(module_version kubernetes k8s.io/kubernetes)"
etcd_version="$(module_version etcd go.etcd.io/etcd/server/v3)"
pulumi_version="$(module_version pulumi github.com/pulumi/pulumi/pkg/v3)"
ocm_version="$(module_version ocm-registration open-cluster-management.io/ocm)"

k8s_ldflags() {
  local v="$k8s_version" major minor
  major="${v#v}"; major="${major%%.*}"
  minor="$(echo "$v" | cut -d. -f2)"
  local p="k8s.io/component-base/version"
  echo "-s -w -X $p.gitVersion=$v -X $p.gitMajor=$major -X $p.gitMinor=$minor -X $p.gitTreeState=clean \
-X $p.gitCommit=module-$v -X $p.buildDate=1970-01-01T00:00:00Z \
-X k8s.io/client-go/pkg/version.gitVersion=$v -X k8s.io/client-go/pkg/version.gitMajor=$major -X k8s.io/client-go/pkg/version.gitMinor=$minor"
}

moto_spec="5.2.*"
built=0 skipped=0 not_asked=0 sets_with_programs=""
total_start=$SECONDS

# What every Go program shares: asked for? already in tools/bin? in the cache? Otherwise `compile` (a function
# given the cache path to write, then its own arguments) builds it into the cache; then it is copied to tools/bin.
provide() { # set, why, name, version, source (for the message), compile, its arguments...
  local set="$1" why="$2" name="$3" version="$4" source="$5" compile="$6"
  shift 6
  local what="  $name $version: for $set ($why)"
  sets_with_programs+=" $set "
  if ! wanted "$set"; then
    echo "$what: not asked for (tools/build.sh $set)"; not_asked=$((not_asked + 1)); return
  fi
  local cached="$cache/$name@$version"
  if [[ -x "$bin/$name" && "$(cat "$bin/$name.version" 2>/dev/null)" == "$version" ]]; then
    echo "$what: already built"; skipped=$((skipped + 1)); return
  fi
  if [[ ! -x "$cached" ]]; then
    echo "$what: building from $source (takes minutes the first time)..."
    local start=$SECONDS
    "$compile" "$cached" "$@"
    echo "  $name $version: built in $((SECONDS - start)) s"
    built=$((built + 1))
  else
    echo "$what: copied from the cache"; skipped=$((skipped + 1))
  fi
  cp "$cached" "$bin/$name.tmp" && mv "$bin/$name.tmp" "$bin/$name"
  echo "$version" > "$bin/$name.version"
}

go_build_into() { # target, module folder here (pins the version), package, ldflags, extra go build flags
  local target="$1" dir="$2" pkg="$3" ldflags="$4" flags="${5:-}"
  (cd "$here/$dir" && go build $flags -trimpath -ldflags "$ldflags" -o "$target.tmp" "$pkg")
  mv "$target.tmp" "$target"
}

go_install_into() { # target, package@version, program name
  local target="$1" pkg="$2" name="$3" tmp="$cache/.gobin-$3"
  rm -rf "$tmp" && mkdir -p "$tmp"
  GOBIN="$tmp" go install -trimpath -ldflags "-s -w" "$pkg"
  mv "$tmp/$name" "$target" && rm -rf "$tmp"
}

# A program of a module folder here (tools/<dir>/go.mod pins it).
build() { # set, why, name, module dir, package, version, ldflags, extra go build flags
  provide "$1" "$2" "$3" "$6" "$5" go_build_into "$4" "$5" "$7" "${8:-}"
}

# A program that is its own Go module (`go install module@version`): no module folder here to pin it.
install_go() { # set, why, name, package, version
  provide "$1" "$2" "$3" "$5" "$4@$5" go_install_into "$4@$5" "$3"
}

# A Python program from PyPI in its own venv in the cache (a venv cannot move, so tools/bin gets a link).
install_pip() { # set, why, name (the link in tools/bin), requirement, venv name, program in the venv
  local set="$1" why="$2" name="$3" req="$4" venv="$cache/$5" program="$6"
  local what="  $name ($req): for $set ($why)"
  sets_with_programs+=" $set "
  if ! wanted "$set"; then
    echo "$what: not asked for (tools/build.sh $set)"; not_asked=$((not_asked + 1)); return
  fi
  if [[ -x "$venv/bin/$program" && -f "$venv/.complete" ]]; then
    echo "$what: already installed ($(cat "$venv/.complete"))"; skipped=$((skipped + 1))
  else
    command -v python3 >/dev/null || { echo "tools/build.sh: python3 (with venv) is required for $name" >&2; exit 1; }
    echo "$what: installing into $venv (takes minutes the first time)..."
    local start=$SECONDS
    rm -rf "$venv" && python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "$req"
    "$venv/bin/pip" show "${req%%[[=]*}" | awk '/^Version:/ { print $2 }' > "$venv/.complete"
    echo "  $name $(cat "$venv/.complete"): installed in $((SECONDS - start)) s"
    built=$((built + 1))
  fi
  ln -sfn "$venv/bin/$program" "$bin/$name"
}

echo "Tools for ${sets[*]} into $bin (cache $cache)"
echo "  Kubernetes $k8s_version, etcd $etcd_version, Pulumi $pulumi_version, OCM $ocm_version"
build dev "the hub's and local clusters' datastore" etcd etcd go.etcd.io/etcd/server/v3 "$etcd_version" "-s -w"
build dev "the hub's and local clusters' control plane" kube-apiserver kubernetes \
  k8s.io/kubernetes/cmd/kube-apiserver "$k8s_version" "$(k8s_ldflags)"
build dev "the hub's and local clusters' built-in controllers" kube-controller-manager kubernetes \
  k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_version" "$(k8s_ldflags)"
build dev "applies CRDs and manifests to the hub and local clusters" kubectl kubernetes \
  k8s.io/kubernetes/cmd/kubectl "$k8s_version" "$(k8s_ldflags)"
build dev "schedules pods in hosted control planes (its word drives NodePool autoscaling)" kube-scheduler kubernetes \
  k8s.io/kubernetes/cmd/kube-scheduler "$k8s_version" "$(k8s_ldflags)"
build dev "the worker runs the stacks with it" pulumi pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi \
  "$pulumi_version" "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version"
# One package at a time: the OCM build is large and the machine it runs on is shared.
build dev "OCM's registration controller on the hub and agent on local clusters" ocm-registration \
  ocm-registration open-cluster-management.io/ocm/cmd/registration "$ocm_version" "-s -w" "-p 1"
install_go test "the GCS emulator of the state-backend tests" fake-gcs-server \
  github.com/fsouza/fake-gcs-server v1.56.1
install_go test "the vSphere API (vim25 SOAP) simulator of the vsphere platform's tests" vcsim \
  github.com/vmware/govmomi/vcsim v0.46.3
install_go test "lints and renders the Helm chart (charts/slipway) in its tests" helm \
  helm.sh/helm/v4/cmd/helm v4.3.2
install_pip test "the S3 and KMS emulator of the state-backend tests" moto-server "moto[server]==$moto_spec" \
  "moto-5.2" moto_server
provider_plugin_into() { bash "$here/pulumi-kubernetes/build.sh" "$1"; }
provide management "management mode's Kubernetes provider plugin; the worker installs it at start" \
  pulumi-resource-kubernetes \
  "$(module_version pulumi-kubernetes github.com/pulumi/pulumi-kubernetes/provider/v4)" \
  github.com/pulumi/pulumi-kubernetes/provider/v4 provider_plugin_into
ocm_crds_why="OCM's resources on the hub and local clusters"
if wanted dev; then
  # fetch-crds.sh says what it did ("OCM CRDs v1.3.0: already in place"); this adds who needs them and why.
  "$here/ocm/fetch-crds.sh" |
    sed -u "s|^  OCM CRDs \([^:]*\): |  OCM CRDs \1: for dev ($ocm_crds_why): |"
else
  echo "  OCM CRDs: for dev ($ocm_crds_why): not asked for (tools/build.sh dev)"
fi
for set in "${sets[@]}"; do
  [[ "$sets_with_programs" == *" $set "* ]] || echo "  $set: no programs in this set yet"
done
not_asked_note=""
((not_asked == 0)) || not_asked_note=", $not_asked in sets not asked for"
echo "Tools ready in $((SECONDS - total_start)) s ($built built, $skipped reused$not_asked_note)"
