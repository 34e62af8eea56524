# Shared by scripts/serve and scripts/test: a project venv, kept in sync with pyproject.toml.
# Works on a fresh Debian/Ubuntu machine with Python 3.11+ (installs python3-venv if needed).

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root for: $*" >&2; return 1
  fi
}

apt_install() {
  as_root apt-get update -qq
  DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -qq --no-install-recommends "$@"
}

pick_python() {
  for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null &&
      "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
      echo "$candidate"
      return
    fi
  done
  echo "DocChat needs Python 3.11 or newer." >&2
  return 1
}

# ensure_venv [EXTRA]: create .venv and install the project (with that extra) when
# pyproject.toml changed since the last install. Without an extra, any install will do.
ensure_venv() {
  local extra="${1:-}" spec="." python hash installed
  [ -n "$extra" ] && spec=".[$extra]"
  python=$(pick_python)
  if [ ! -x .venv/bin/python ]; then
    "$python" -m venv .venv 2>/dev/null || {
      rm -rf .venv
      apt_install "$(basename "$python")-venv"
      "$python" -m venv .venv
    }
  fi
  hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
  installed=$(cat .venv/.docchat-installed 2>/dev/null || true)
  if [ "$installed" != "$hash $extra" ] && { [ -n "$extra" ] || [ "${installed%% *}" != "$hash" ]; }; then
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e "$spec"
    echo "$hash $extra" >.venv/.docchat-installed
  fi
}

# ensure_node_modules: Node.js and the packages in package-lock.json (the suite's
# JavaScript coverage report), installed again when the lock file changed.
ensure_node_modules() {
  local hash
  command -v npm >/dev/null || apt_install nodejs npm
  hash=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.docchat-installed 2>/dev/null || true)" != "$hash" ]; then
    npm ci --no-audit --no-fund --loglevel=error
    echo "$hash" >node_modules/.docchat-installed
  fi
}

# ensure_litellm: LiteLLM's proxy, the OpenAI-compatible server the suite runs DocChat
# against besides its own stand-in (e2e/harness/model/litellm_proxy.py), pinned, in a venv of its own:
# its many dependencies stay out of the app's.
LITELLM="litellm[proxy]==1.108.7"
ensure_litellm() {
  if [ "$(cat .venv-litellm/.docchat-installed 2>/dev/null || true)" != "$LITELLM" ]; then
    echo "Installing LiteLLM's proxy, a model server the suite runs DocChat against..."
    rm -rf .venv-litellm
    "$(pick_python)" -m venv .venv-litellm
    .venv-litellm/bin/python -m pip install --quiet "$LITELLM"
    echo "$LITELLM" >.venv-litellm/.docchat-installed
  fi
}
