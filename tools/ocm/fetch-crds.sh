#!/usr/bin/env bash
# Copies the OCM cluster CRDs from the pinned open-cluster-management.io/api module into tools/bin/ocm-crds.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="$here/../bin/ocm-crds"
version="$(awk '$1 == "require" { print $3 }' "$here/go.mod")"
spoke_crd=cluster/v1alpha1/0000_02_clusters.open-cluster-management.io_clusterclaims.crd.yaml
if [[ "$(cat "$out/.version" 2>/dev/null)" == "$version" && -f "$out/spoke/$(basename "$spoke_crd")" ]]; then
  echo "  OCM CRDs $version: already in place"; exit 0
fi
dir="$(cd "$here" && GOTOOLCHAIN=local go mod download -json open-cluster-management.io/api | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
mkdir -p "$out"
for crd in \
  cluster/v1/0000_00_clusters.open-cluster-management.io_managedclusters.crd.yaml \
  cluster/v1beta2/0000_00_clusters.open-cluster-management.io_managedclustersets.crd.yaml \
  cluster/v1beta2/0000_01_clusters.open-cluster-management.io_managedclustersetbindings.crd.yaml; do
  install -m 644 "$dir/$crd" "$out/$(basename "$crd")"
done
# The spoke's CRD (OCM's agent waits for it) in a folder of its own: the hub does not need it.
mkdir -p "$out/spoke"
install -m 644 "$dir/$spoke_crd" "$out/spoke/$(basename "$spoke_crd")"
echo "$version" > "$out/.version"
echo "  OCM CRDs $version: copied from the module"
