#!/usr/bin/env bash
# Puts promtool at .tools/prometheus/usr/bin/promtool for the observability tests.
# Only the binary: installing Debian's `prometheus` package would also set up and
# start a Prometheus server, so the .deb is downloaded and unpacked instead.
set -euo pipefail
cd "$(dirname "$0")/.."
dest=.tools/prometheus
if [ -x "$dest/usr/bin/promtool" ]; then exit 0; fi
if ! command -v apt-get >/dev/null; then
  echo "fetch-promtool: apt-get not found; promtool tests will be skipped" >&2
  exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
apt-get update -qq >/dev/null
(cd "$work" && apt-get download -qq prometheus >/dev/null)
mkdir -p "$dest"
dpkg -x "$work"/prometheus_*.deb "$dest"
"$dest/usr/bin/promtool" --version | head -1
