#!/usr/bin/env bash
# Builds Slipway's container image from the Containerfile with Debian's buildah (vfs storage, chroot isolation: no
# daemon, no registry) and writes it as an OCI archive. Prints the image size.
#
#   bash scripts/build-image.sh [output.tar]     (default: image/slipway-<version>.oci.tar)
#
# Needs: buildah and debootstrap (Debian packages), `npm run build` done, tools/build.sh dev done, and Node 20 as
# `node`. The base, Debian 12 (bookworm) minbase from debootstrap, is made once from the mirror this machine's apt
# uses (read from its apt configuration) and kept in $SLIPWAY_IMAGE_CACHE (default ~/.cache/slipway/image).
# Run as root (debootstrap and buildah's vfs driver write files owned by many users).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
repo="$PWD"
start=$SECONDS
suite=bookworm
cache="${SLIPWAY_IMAGE_CACHE:-$HOME/.cache/slipway/image}"
export STORAGE_DRIVER=vfs BUILDAH_ISOLATION=chroot
version="$(node -p 'require("./package.json").version')"
out="${1:-$repo/image/slipway-$version.oci.tar}"
image="localhost/slipway:$version"

for tool in buildah debootstrap; do
  command -v "$tool" >/dev/null || { echo "build-image: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
node_major="$(node -p 'process.versions.node.split(".")[0]')"
[[ "$node_major" == 20 ]] || { echo "build-image: node is $(node --version); the image ships Node 20" >&2; exit 1; }
[[ -f dist/src/cli/main.js ]] || { echo "build-image: dist/ is missing: npm run build" >&2; exit 1; }
for tool in pulumi ocm-registration; do
  [[ -x "tools/bin/$tool" ]] || { echo "build-image: tools/bin/$tool is missing: bash tools/build.sh" >&2; exit 1; }
done
pulumi_version="$(cat tools/bin/pulumi.version)"

# The mirror this machine's apt uses: deb822 sources first, then the one-line format.
apt_mirror() {
  local uri=""
  for f in /etc/apt/sources.list.d/*.sources; do
    [[ -f "$f" ]] || continue
    uri="$(awk '/^URIs:/ { print $2; exit }' "$f")"
    [[ -n "$uri" ]] && break
  done
  if [[ -z "$uri" && -f /etc/apt/sources.list ]]; then
    uri="$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; exit } }' /etc/apt/sources.list)"
  fi
  [[ -n "$uri" ]] || { echo "build-image: no Debian mirror in /etc/apt" >&2; exit 1; }
  echo "$uri"
}

# 1. The base: a debootstrap root file system, made once, as a tarball with its sha256.
mkdir -p "$cache"
base_tar="$cache/$suite-minbase.tar"
if [[ ! -f "$base_tar" ]]; then
  echo "==> debootstrap $suite minbase (once; from this machine's apt mirror)"
  rm -rf "$cache/rootfs.tmp"
  debootstrap --variant=minbase --include=ca-certificates "$suite" "$cache/rootfs.tmp" "$(apt_mirror)" >/dev/null
  rm -rf "$cache/rootfs.tmp/var/cache/apt/archives/"*.deb "$cache/rootfs.tmp/var/lib/apt/lists/"*
  tar -C "$cache/rootfs.tmp" --numeric-owner -cf "$base_tar.tmp" .
  mv "$base_tar.tmp" "$base_tar" && rm -rf "$cache/rootfs.tmp"
fi
base_digest="sha256:$(sha256sum "$base_tar" | cut -d' ' -f1)"
debian_version="$(tar -xOf "$base_tar" ./etc/debian_version)"
base_image="localhost/slipway-base:$suite-$debian_version"
if ! buildah inspect --type image "$base_image" >/dev/null 2>&1; then
  echo "==> importing the base as $base_image ($base_digest)"
  container="$(buildah from scratch)"
  buildah add "$container" "$base_tar" / >/dev/null
  buildah commit --quiet --rm "$container" "$base_image" >/dev/null
fi

# 2. The build context: only what the image holds.
context="$repo/image/context"
rm -rf "$context" && mkdir -p "$context"/{usr-local-bin,tools-bin,slipway,state}
cp "$(command -v node)" "$context/usr-local-bin/node"
ln -s /opt/slipway/bin/slipway.js "$context/usr-local-bin/slipway"
for tool in pulumi ocm-registration pulumi-resource-kubernetes; do
  [[ -x "tools/bin/$tool" ]] && cp "tools/bin/$tool" "$context/tools-bin/"
done
cp -r bin dist package.json package-lock.json "$context/slipway/"
echo "==> production node_modules"
cp -a node_modules "$context/slipway/"
(cd "$context/slipway" && npm prune --omit=dev --offline --no-audit --no-fund --loglevel=error >/dev/null)
rm -rf "$context/slipway/dist/test"

# 3. The image, then the OCI archive.
echo "==> buildah bud ($image on $base_image)"
buildah bud --quiet --layers=false --isolation chroot -f Containerfile -t "$image" \
  --build-arg BASE_IMAGE="$base_image" --build-arg BASE_DIGEST="$base_digest" \
  --build-arg NODE_MAJOR="$node_major" --build-arg PULUMI_VERSION="$pulumi_version" \
  --build-arg SLIPWAY_VERSION="$version" "$context" >/dev/null
mkdir -p "$(dirname "$out")" && rm -f "$out"
buildah push --quiet "$image" "oci-archive:$out:$image"
rm -rf "$context"

unpacked="$(buildah images --format '{{.Size}}' "$image" | head -1)"
echo "image $image: $unpacked unpacked, $(du -m "$out" | cut -f1) MB as an OCI archive ($out)"
echo "base $base_image ($base_digest), Node $(node --version), Pulumi $pulumi_version"
echo "built in $((SECONDS - start)) s"
