#!/usr/bin/env bash
# Installs what the "real VS Code" extension-test rig (test/e2e/rig/) needs, offline-friendly
# (only the npm registry and Debian apt are reachable from our machines and CI):
#
#   * Debian packages: chromium (renders the workbench, driven by playwright-core),
#     libkrb5-dev + python3/g++/make (code-server's native `kerberos`/`argon2` modules
#     fail to download prebuilt binaries and fall back to building from source),
#     ripgrep (seeds @vscode/ripgrep, see below), neovim (used by other tests).
#   * code-server@4.100.3 (= VS Code 1.100.3; the newest code-server that runs on
#     Node 20) from npm, into a cache directory OUTSIDE the repo's node_modules, so the
#     product's own `npm install` stays light:
#       ${CODELLAMA_CODE_SERVER_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/codellama-vscode-test/code-server-4.100.3}
#
# Idempotent: a finished install leaves a marker file and later runs return in well
# under a second. An interrupted install (no marker) is wiped and redone.
#
# Usage: bash scripts/setup-test-env.sh          (as root, or with sudo available)
#        CODELLAMA_SKIP_APT=1 bash scripts/...   (skip the apt step, e.g. packages preinstalled)
set -euo pipefail

CODE_SERVER_VERSION=4.100.3
# @vscode/ripgrep version that code-server 4.100.3's VS Code depends on, and the rg
# release its postinstall would download from GitHub (unreachable here).
RIPGREP_PKG_VERSION=1.15.11
RIPGREP_RELEASE=v13.0.0-10
APT_PACKAGES=(chromium libkrb5-dev ripgrep python3 g++ make neovim)

CACHE_ROOT="${XDG_CACHE_HOME:-$HOME/.cache}/codellama-vscode-test"
CS_DIR="${CODELLAMA_CODE_SERVER_DIR:-$CACHE_ROOT/code-server-$CODE_SERVER_VERSION}"
MARKER="$CS_DIR/.codellama-setup-ok"
CS_BIN="$CS_DIR/node_modules/.bin/code-server"

START=$(date +%s)
log() { printf '[setup-test-env +%ss] %s\n' "$(( $(date +%s) - START ))" "$*"; }
die() { printf '[setup-test-env] ERROR: %s\n' "$*" >&2; exit 1; }
trap 'rc=$?; [ $rc -eq 0 ] || printf "[setup-test-env] FAILED (exit %s)\n" "$rc" >&2' EXIT

SUDO=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null 2>&1 && SUDO=(sudo -n) || SUDO=()
fi

# ---------------------------------------------------------------- 1) Debian packages
is_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

if [ "${CODELLAMA_SKIP_APT:-0}" = 1 ]; then
  log "CODELLAMA_SKIP_APT=1: not touching apt"
else
  command -v dpkg-query >/dev/null 2>&1 || die "dpkg-query not found: this script expects a Debian/Ubuntu machine"
  missing=()
  for p in "${APT_PACKAGES[@]}"; do is_installed "$p" || missing+=("$p"); done
  if [ ${#missing[@]} -eq 0 ]; then
    log "apt: all present (${APT_PACKAGES[*]})"
  else
    if [ "$(id -u)" -ne 0 ] && [ ${#SUDO[@]} -eq 0 ]; then
      die "need root (or sudo) to apt-get install: ${missing[*]}"
    fi
    # Only refresh the package lists when something actually has to be installed.
    log "apt: installing ${missing[*]} (apt-get update first)"
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    for p in "${missing[@]}"; do is_installed "$p" || die "apt package $p did not install"; done
    log "apt: done"
  fi
fi
[ -x /usr/bin/chromium ] || die "/usr/bin/chromium missing (Debian package 'chromium')"

# ---------------------------------------------------------------- 2) code-server
if [ -f "$MARKER" ] && [ -x "$CS_BIN" ]; then
  log "code-server $CODE_SERVER_VERSION already installed in $CS_DIR"
else
  command -v rg >/dev/null 2>&1 || die "ripgrep (rg) not found; it seeds @vscode/ripgrep's download cache"
  command -v npm >/dev/null 2>&1 || die "npm not found"
  if [ -e "$CS_DIR" ]; then
    log "removing unfinished install in $CS_DIR"
    rm -rf "$CS_DIR"
  fi
  mkdir -p "$CS_DIR"
  INSTALL_TMP="$CS_DIR/.install-tmp"
  mkdir -p "$INSTALL_TMP"

  # @vscode/ripgrep's postinstall downloads rg from GitHub unless its cache file
  # <os.tmpdir()>/vscode-ripgrep-cache-<pkg version>/ripgrep-<release>-<target>.tar.gz exists.
  # Seed that cache with Debian's rg (the archive holds just `rg`, like the real asset).
  case "$(uname -m)" in
    x86_64)  RG_TARGET=x86_64-unknown-linux-musl ;;
    aarch64) RG_TARGET=aarch64-unknown-linux-musl ;;
    *) die "unsupported architecture $(uname -m)" ;;
  esac
  RG_CACHE="$INSTALL_TMP/vscode-ripgrep-cache-$RIPGREP_PKG_VERSION"
  mkdir -p "$RG_CACHE"
  tar czf "$RG_CACHE/ripgrep-$RIPGREP_RELEASE-$RG_TARGET.tar.gz" -C "$(dirname "$(command -v rg)")" rg
  log "seeded ripgrep cache with $(command -v rg)"

  # node-gyp must build against local headers (it cannot download them): use the ones
  # shipped with this node if the npm config does not already say where they are.
  if [ -z "${npm_config_nodedir:-}" ] && [ -z "$(npm config get nodedir 2>/dev/null | grep -v '^undefined$' || true)" ]; then
    NODE_PREFIX="$(dirname "$(dirname "$(command -v node)")")"
    [ -f "$NODE_PREFIX/include/node/node.h" ] && export npm_config_nodedir="$NODE_PREFIX"
  fi

  echo '{ "name": "codellama-vscode-test-code-server", "private": true }' > "$CS_DIR/package.json"
  log "npm install code-server@$CODE_SERVER_VERSION into $CS_DIR (about 1-2 min cold) ..."
  # npm_config_yes: node-pty's postinstall runs `npx node-gyp`, which otherwise aborts
  #   ("npx canceled due to missing packages and no YES option").
  # npm_config_unsafe_perm: code-server's postinstall refuses to run as root without it.
  # TMPDIR: where @vscode/ripgrep looks for its seeded cache.
  (
    cd "$CS_DIR"
    TMPDIR="$INSTALL_TMP" npm_config_yes=true npm_config_unsafe_perm=true \
      npm install --no-audit --no-fund --foreground-scripts --loglevel=error \
      "code-server@$CODE_SERVER_VERSION"
  ) > "$CS_DIR/install.log" 2>&1 || { tail -n 60 "$CS_DIR/install.log" >&2; die "npm install code-server failed; full log: $CS_DIR/install.log"; }

  [ -x "$CS_BIN" ] || die "code-server binary missing after install: $CS_BIN"
  # the ripgrep postinstall must have used the seeded cache
  find "$CS_DIR/node_modules" -path '*@vscode/ripgrep/bin/rg' -type f | grep -q . \
    || die "@vscode/ripgrep has no bin/rg (seeded cache not used?); see $CS_DIR/install.log"
  # isolated HOME + explicit empty --config: otherwise code-server writes ~/.config/code-server/config.yaml
  mkdir -p "$INSTALL_TMP/home"; : > "$INSTALL_TMP/empty-config.yaml"
  VERSION_OUT="$(HOME="$INSTALL_TMP/home" XDG_CONFIG_HOME="$INSTALL_TMP/home/.config" XDG_DATA_HOME="$INSTALL_TMP/home/.local/share" \
    "$CS_BIN" --config "$INSTALL_TMP/empty-config.yaml" --version 2>&1 | tail -n 1)" || die "code-server --version failed"
  case "$VERSION_OUT" in
    "$CODE_SERVER_VERSION "*) ;;
    *) die "unexpected code-server version: $VERSION_OUT" ;;
  esac
  rm -rf "$INSTALL_TMP"
  echo "$VERSION_OUT" > "$MARKER"
  log "code-server installed: $VERSION_OUT"
fi

log "OK  code-server: $CS_BIN   chromium: $(/usr/bin/chromium --version 2>/dev/null || echo '?')"
