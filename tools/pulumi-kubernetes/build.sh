#!/usr/bin/env bash
# Compiles the Pulumi Kubernetes provider plugin into $1, for tools/build.sh (its `provide` calls this with the
# cache path to write). The module zip lacks the two files upstream's main package embeds (its `go generate` writes
# them from schema.json and terraform-mapping.json, which the zip has), so gen/ writes them beside this folder's
# copy of the main package, with the schema's version set to the plugin version it is installed as.
set -euo pipefail
target="$1"
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
cd "$here"
# The version of @pulumi/kubernetes in package.json: the plugin is installed under it, and reports it.
version="$(sed -n 's/.*"@pulumi\/kubernetes": *"\([0-9][^"]*\)".*/\1/p' "$repo/package.json")"
[[ -n "$version" ]] || { echo "tools/pulumi-kubernetes/build.sh: no @pulumi/kubernetes in package.json" >&2; exit 1; }
module_dir="$(go list -m -f '{{.Dir}}' github.com/pulumi/pulumi-kubernetes/provider/v4)"
VERSION="$version" go run ./gen "$module_dir/cmd/pulumi-resource-kubernetes" cmd/pulumi-resource-kubernetes
# One package at a time: the provider is large (Kubernetes client libraries, Helm, the Pulumi SDK).
go build -p 1 -trimpath \
  -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" \
  -o "$target.tmp" ./cmd/pulumi-resource-kubernetes
mv "$target.tmp" "$target"
