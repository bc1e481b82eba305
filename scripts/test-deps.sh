#!/usr/bin/env bash
# Optional Debian packages that some tests use when they are present, so they run instead of
# being skipped: python3-dkim + python3-nacl (an independent DKIM verifier), postgresql (a
# real PostgreSQL 15 the gateway did not start), and the SMTP clients the SMTP tests drive. Needs root and apt; never fails: without them
# those checks are skipped with a message and the rest of the suite still runs.
set -u
pkgs=()
/usr/bin/python3 -c 'import dkim, nacl' 2>/dev/null || pkgs+=(python3-dkim python3-nacl)
[ -x /usr/lib/postgresql/15/bin/initdb ] || pkgs+=(postgresql)
# Real SMTP clients and peers for the SMTP listener tests (issue #12): swaks (bare-LF smuggling),
# PHP with PHPMailer, curl, and a Postfix satellite relaying to us with SASL.
command -v swaks >/dev/null || pkgs+=(swaks)
command -v curl >/dev/null || pkgs+=(curl)
{ command -v php >/dev/null && [ -f /usr/share/php/libphp-phpmailer/src/PHPMailer.php ]; } \
  || pkgs+=(php-cli libphp-phpmailer)
[ -x /usr/sbin/postfix ] || pkgs+=(postfix)
[ -d /usr/lib/x86_64-linux-gnu/sasl2 ] && ls /usr/lib/*/sasl2/libplain.so* >/dev/null 2>&1 \
  || pkgs+=(libsasl2-modules)
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
