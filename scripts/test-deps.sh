#!/usr/bin/env bash
# Optional Debian packages that some tests use when they are present, so they run instead of
# being skipped: python3-dkim + python3-nacl (an independent DKIM verifier) and postgresql (a
# real PostgreSQL 15 the gateway did not start). Needs root and apt; never fails: without them
# those checks are skipped with a message and the rest of the suite still runs.
set -u
pkgs=()
/usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null || pkgs+=(python3-dkim python3-nacl)
[ -x /usr/lib/postgresql/15/bin/initdb ] || pkgs+=(postgresql)
if [ ${#pkgs[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    export DEBIAN_FRONTEND=noninteractive
    { timeout 300 apt-get install -y -q "${pkgs[@]}" || { timeout 300 apt-get update -q \
        && timeout 300 apt-get install -y -q "${pkgs[@]}"; }; } >/dev/null 2>&1 \
      || echo "test-deps: could not install ${pkgs[*]}; those checks will be skipped" >&2
  else
    echo "test-deps: ${pkgs[*]} missing (needs root and apt); those checks will be skipped" >&2
  fi
fi
exit 0
