# Shared by scripts/serve and scripts/test: a project venv, kept in sync with pyproject.toml.
# Works on a fresh Debian/Ubuntu machine with Python 3.11+ (installs python3-venv if needed).

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "Need root for: $*" >&2; return 1
  fi
}

# Where the install steps' own output goes; a step shows its end only if it fails.
SETUP_LOG="${SETUP_LOG:-.setup.log}"

# step "what (with what, how long)" COMMAND...: one line for an install step, its output
# kept in $SETUP_LOG. The command runs in the background so that `set -e` holds inside it
# (bash ignores it in a command whose status is tested).
step() {
  local what="$1" start=$SECONDS status=0 from
  shift
  printf '%s… ' "$what"
  echo "== $what: $*" >>"$SETUP_LOG"
  from=$(wc -l <"$SETUP_LOG")
  (set -e; "$@") >>"$SETUP_LOG" 2>&1 &
  wait $! || status=$?
  if [ "$status" -eq 0 ]; then
    echo "done ($((SECONDS - start)) s)"
  else
    echo "failed (exit $status). The end of its output (all of it in $SETUP_LOG):"
    tail -n "+$((from + 1))" "$SETUP_LOG" | tail -n 30
  fi
  return "$status"
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
    "$python" -m venv .venv 2>/dev/null ||
      step "Installing Python's venv module (apt-get, under a minute)" new_venv "$python"
  fi
  hash=$(sha256sum pyproject.toml | cut -d' ' -f1)
  installed=$(cat .venv/.docchat-installed 2>/dev/null || true)
  if [ "$installed" != "$hash $extra" ] && { [ -n "$extra" ] || [ "${installed%% *}" != "$hash" ]; }; then
    step "Installing DocChat's Python packages${extra:+ and its $extra tools} in .venv (pip, \
a few minutes the first time)" pip_install "$spec"
    echo "$hash $extra" >.venv/.docchat-installed
  fi
}

new_venv() {
  rm -rf .venv
  apt_install "$(basename "$1")-venv"
  "$1" -m venv .venv
}

pip_install() {
  .venv/bin/python -m pip install --upgrade pip
  .venv/bin/python -m pip install -e "$1"
}

# ensure_node_modules: Node.js and the packages in package-lock.json (the suite's
# JavaScript coverage report), installed again when the lock file changed.
ensure_node_modules() {
  local hash
  command -v npm >/dev/null ||
    step "Installing Node.js (apt-get, about a minute)" apt_install nodejs npm
  hash=$(sha256sum package-lock.json | cut -d' ' -f1)
  if [ "$(cat node_modules/.docchat-installed 2>/dev/null || true)" != "$hash" ]; then
    step "Installing the coverage report's Node packages (npm ci, under a minute)" \
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
    step "Installing LiteLLM's proxy, a model server the suite runs DocChat against, in \
.venv-litellm (pip, a minute or two)" litellm_install
    echo "$LITELLM" >.venv-litellm/.docchat-installed
  fi
}

litellm_install() {
  rm -rf .venv-litellm
  "$(pick_python)" -m venv .venv-litellm
  .venv-litellm/bin/python -m pip install "$LITELLM"
}
