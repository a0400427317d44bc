//go:build tools

// Package tools pins the OCM registration command so `go mod tidy` keeps its dependencies.
package tools

import _ "open-cluster-management.io/ocm/cmd/registration"
