#!/usr/bin/env bash
# Builds the real programs Slipway runs (kube-apiserver, kube-controller-manager, kubectl, etcd, pulumi,
# ocm-registration) from their Go modules into tools/bin. Each program is built once per pinned version: the
# binary is kept in a machine-wide cache ($SLIPWAY_TOOLS_CACHE, default ~/.cache/slipway/tools) so a fresh
# clone only copies it.
# Nothing is downloaded at run time; this script is the only step that talks to the Go module proxy.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bin="$here/bin"
cache="${SLIPWAY_TOOLS_CACHE:-$HOME/.cache/slipway/tools}"
export GOTOOLCHAIN=local CGO_ENABLED=0
# The checksum database does not list every Pulumi release; go.sum (committed) pins the exact content.
export GONOSUMDB="github.com/pulumi/pulumi"
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

built=0 skipped=0
total_start=$SECONDS

build() { # name, module dir, package, version, ldflags, extra go build flags
  local name="$1" dir="$2" pkg="$3" version="$4" ldflags="$5" flags="${6:-}"
  local cached="$cache/$name@$version"
  if [[ -x "$bin/$name" && "$(cat "$bin/$name.version" 2>/dev/null)" == "$version" ]]; then
    echo "  $name $version: already built"; skipped=$((skipped + 1)); return
  fi
  if [[ ! -x "$cached" ]]; then
    echo "  $name $version: building from $pkg (first build of a release takes minutes)..."
    local start=$SECONDS
    (cd "$here/$dir" && go build $flags -trimpath -ldflags "$ldflags" -o "$cached.tmp" "$pkg")
    mv "$cached.tmp" "$cached"
    echo "  $name $version: built in $((SECONDS - start)) s"
    built=$((built + 1))
  else
    echo "  $name $version: copied from $cache"
    skipped=$((skipped + 1))
  fi
  cp "$cached" "$bin/$name.tmp" && mv "$bin/$name.tmp" "$bin/$name"
  echo "$version" > "$bin/$name.version"
}

echo "Building tools into $bin (Kubernetes $k8s_version, etcd $etcd_version, Pulumi $pulumi_version, OCM $ocm_version)"
build etcd etcd go.etcd.io/etcd/server/v3 "$etcd_version" "-s -w"
build kube-apiserver kubernetes k8s.io/kubernetes/cmd/kube-apiserver "$k8s_version" "$(k8s_ldflags)"
build kube-controller-manager kubernetes k8s.io/kubernetes/cmd/kube-controller-manager "$k8s_version" "$(k8s_ldflags)"
build kubectl kubernetes k8s.io/kubernetes/cmd/kubectl "$k8s_version" "$(k8s_ldflags)"
build pulumi pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi "$pulumi_version" \
  "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$pulumi_version"
# One package at a time: the OCM build is large and the machine it runs on is shared.
build ocm-registration ocm-registration open-cluster-management.io/ocm/cmd/registration "$ocm_version" "-s -w" "-p 1"
"$here/ocm/fetch-crds.sh"
echo "Tools ready in $((SECONDS - total_start)) s ($built built, $skipped reused)"
