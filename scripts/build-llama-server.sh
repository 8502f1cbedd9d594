#!/usr/bin/env bash
# Builds llama.cpp's `llama-server` (CPU only, no web UI, only that target) from
# the llama.cpp source that node-llama-cpp ships as a git bundle
# (node_modules/node-llama-cpp/llama/gitRelease.bundle), into a per-user cache
# directory outside the clone, and prints the binary's path on stdout.
#
#   scripts/build-llama-server.sh            # build (or reuse) and print the path
#   LLAMA_SERVER_JOBS=4 scripts/build-llama-server.sh
#   LLAMA_SERVER_KEEP_BUILD=1 ...            # keep the sources and objects next to the binary
#
# The binary is what `npm run bench -- --llama-server BIN` compares against
# (the stack llama.vscode uses). A later run with the same release reuses it.
# Needs git, cmake, a C++17 compiler; downloads nothing: the web UI assets
# (which CMake would otherwise fetch from Hugging Face or build with npm) are
# switched off, as are OpenSSL/HTTPS, tests, examples and the other tools.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
llama_dir="$here/node_modules/node-llama-cpp/llama"
bundle="$llama_dir/gitRelease.bundle"
if [[ ! -f "$bundle" ]]; then
  echo "build-llama-server: $bundle not found (run npm install first)" >&2
  exit 1
fi

# The release name node-llama-cpp records for its bundled llama.cpp source.
release="$(node -e '
  const fs = require("fs");
  const dir = process.argv[1];
  let tag = "";
  for (const f of ["llama.cpp.info.json", "binariesGithubRelease.json"]) {
    try { const j = JSON.parse(fs.readFileSync(dir + "/" + f, "utf8")); tag = j.tag || j.release || ""; } catch {}
    if (tag) break;
  }
  process.stdout.write(String(tag || "unknown").replace(/[^A-Za-z0-9._-]/g, "_"));
' "$llama_dir")"

cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/codellama-vscode-test"
out_dir="$cache_root/llama-server-$release"
bin="$out_dir/llama-server"
stamp="$out_dir/.bundle-sha256"
bundle_sha="$(sha256sum "$bundle" | cut -d' ' -f1)"

if [[ -x "$bin" && -f "$stamp" && "$(cat "$stamp")" == "$bundle_sha" ]]; then
  echo "build-llama-server: reusing $bin" >&2
  echo "$bin"
  exit 0
fi

mkdir -p "$out_dir"
src="$out_dir/src"
build="$out_dir/build"
if [[ ! -f "$src/CMakeLists.txt" ]] || [[ "$(git -C "$src" rev-parse HEAD 2>/dev/null)" != "$(git bundle list-heads "$bundle" | awk 'NR==1{print $1}')" ]]; then
  rm -rf "$src" "$build"
  echo "build-llama-server: cloning $bundle ($release) into $src" >&2
  git clone --quiet "$bundle" "$src"
fi

jobs="${LLAMA_SERVER_JOBS:-$(nproc 2>/dev/null || echo 2)}"
echo "build-llama-server: configuring (CPU only, no web UI, no OpenSSL)" >&2
cmake -S "$src" -B "$build" -G "$(command -v ninja >/dev/null && echo Ninja || echo 'Unix Makefiles')" \
  -DCMAKE_BUILD_TYPE=Release \
  -DBUILD_SHARED_LIBS=OFF \
  -DGGML_NATIVE=ON \
  -DGGML_CUDA=OFF -DGGML_VULKAN=OFF -DGGML_METAL=OFF -DGGML_HIP=OFF -DGGML_SYCL=OFF -DGGML_RPC=OFF \
  -DGGML_BACKEND_DL=OFF \
  -DLLAMA_BUILD_COMMON=ON \
  -DLLAMA_BUILD_TOOLS=ON \
  -DLLAMA_BUILD_SERVER=ON \
  -DLLAMA_BUILD_TESTS=OFF \
  -DLLAMA_BUILD_EXAMPLES=OFF \
  -DLLAMA_BUILD_APP=OFF \
  -DLLAMA_BUILD_UI=OFF \
  -DLLAMA_USE_PREBUILT_UI=OFF \
  -DLLAMA_OPENSSL=OFF \
  -DLLAMA_CURL=OFF \
  >&2

echo "build-llama-server: building llama-server with $jobs jobs (about 9 minutes on 2 cores)" >&2
cmake --build "$build" --target llama-server -j "$jobs" >&2

built="$build/bin/llama-server"
if [[ ! -x "$built" ]]; then
  echo "build-llama-server: $built was not produced" >&2
  exit 1
fi
cp "$built" "$bin.tmp" && mv "$bin.tmp" "$bin"
echo "$bundle_sha" > "$stamp"
# The binary is static (BUILD_SHARED_LIBS=OFF): the ~300 MB of sources and objects are not needed.
if [[ -z "${LLAMA_SERVER_KEEP_BUILD:-}" ]]; then rm -rf "$src" "$build"; fi
echo "build-llama-server: built $bin" >&2
echo "$bin"
