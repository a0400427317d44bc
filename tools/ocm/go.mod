// Pins open-cluster-management.io/api, whose CRD YAML (ManagedCluster, ManagedClusterSet, ...) the hub installs.
module slipway.dev/tools/ocm

go 1.26

require open-cluster-management.io/api v1.3.0
