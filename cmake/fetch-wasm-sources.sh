#!/usr/bin/env bash
# Fetches the sources that the workshop page's WebAssembly build compiles with emscripten, where
# Debian ships no WebAssembly library: yaml-cpp and mbed TLS (for SHA-256 only), the Debian 12
# (bookworm) source packages of the versions the native build links. apt downloads them from
# Debian's archive and checks them against its signed index; dpkg-source unpacks them with
# Debian's patches. Writes .deps/yaml-cpp and .deps/mbedtls in the source tree (git-ignored).
# Safe to run again: it does nothing when both are there. Called by cmake/install-deps.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
deps=$root/.deps
declare -A wanted=([yaml-cpp]=0.7.0+dfsg-8 [mbedtls]=2.28.3-1)

missing=()
for pkg in "${!wanted[@]}"; do
  if [[ $(cat "$deps/$pkg/.debian-version" 2>/dev/null) != "${wanted[$pkg]}" ]]; then
    missing+=("$pkg")
  fi
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "fetch-wasm-sources: .deps holds yaml-cpp ${wanted[yaml-cpp]} and mbedtls ${wanted[mbedtls]}"
  exit 0
fi

# A private apt state with one deb-src entry: the system's sources are left as they are.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/parts" "$work/lists/partial" "$work/cache/archives/partial" "$work/src"
cat >"$work/parts/debian-src.sources" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/parts"
  -o "Dir::State::Lists=$work/lists" -o "Dir::Cache=$work/cache" -o "APT::Sandbox::User=root")
apt-get "${opts[@]}" -qq update
mkdir -p "$deps"
for pkg in "${missing[@]}"; do
  echo "fetch-wasm-sources: $pkg ${wanted[$pkg]} (Debian source package)"
  (cd "$work/src" && apt-get "${opts[@]}" -qq source "$pkg=${wanted[$pkg]}" >/dev/null)
  rm -rf "${deps:?}/$pkg"
  mv "$work/src/$(cd "$work/src" && ls -d "$pkg"-*/ | head -1)" "$deps/$pkg"
  echo "${wanted[$pkg]}" >"$deps/$pkg/.debian-version"
done
