#!/usr/bin/env bash
# Copies OCM's CRDs from the pinned open-cluster-management.io/api module: the hub's into tools/bin/ocm-crds
# (`slipway dev up` applies the whole folder to the hub), the spoke's into tools/bin/ocm-spoke-crds (a
# registration agent's cluster needs them). The api module's ManagedClusterAddOn CRD serves v1alpha1 and v1beta1
# without a conversion webhook; the copy in the ocm module's manifests needs one, so it is not used.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
hub_out="$here/../bin/ocm-crds"
spoke_out="$here/../bin/ocm-spoke-crds"
version="$(awk '$1 == "require" { print $3 }' "$here/go.mod")"
hub_crds=(
  cluster/v1/0000_00_clusters.open-cluster-management.io_managedclusters.crd.yaml
  cluster/v1beta2/0000_00_clusters.open-cluster-management.io_managedclustersets.crd.yaml
  cluster/v1beta2/0000_01_clusters.open-cluster-management.io_managedclustersetbindings.crd.yaml
  work/v1/0000_00_work.open-cluster-management.io_manifestworks.crd.yaml
  addon/v1beta1/0000_00_addon.open-cluster-management.io_clustermanagementaddons.crd.yaml
  addon/v1beta1/0000_01_addon.open-cluster-management.io_managedclusteraddons.crd.yaml
)
spoke_crds=(
  cluster/v1alpha1/0000_02_clusters.open-cluster-management.io_clusterclaims.crd.yaml
)
# The version and the lists: a folder copied by an older list is copied again.
stamp="$version $(echo "${hub_crds[*]} | ${spoke_crds[*]}" | sha256sum | cut -c1-12)"
if [[ "$(cat "$hub_out/.version" 2>/dev/null)" == "$stamp" && "$(cat "$spoke_out/.version" 2>/dev/null)" == "$stamp" ]]; then
  echo "  OCM CRDs $version: already in place"; exit 0
fi
dir="$(cd "$here" && GOTOOLCHAIN=local go mod download -json open-cluster-management.io/api | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
rm -rf "$hub_out" "$spoke_out"
mkdir -p "$hub_out" "$spoke_out"
for crd in "${hub_crds[@]}"; do install -m 644 "$dir/$crd" "$hub_out/$(basename "$crd")"; done
for crd in "${spoke_crds[@]}"; do install -m 644 "$dir/$crd" "$spoke_out/$(basename "$crd")"; done
echo "$stamp" > "$hub_out/.version"
echo "$stamp" > "$spoke_out/.version"
echo "  OCM CRDs $version: copied from the module (hub ${#hub_crds[@]}, spoke ${#spoke_crds[@]})"
