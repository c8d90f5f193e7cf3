#!/usr/bin/env bash
# The proxy tests run Debian's nginx in front of daphne (tests/security/test_proxy.py).
set -euo pipefail
NGINX="${NGINX_PATH:-/usr/sbin/nginx}"
[ -x "$NGINX" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Instalando o nginx (apt-get install nginx-light) para os testes atrás de um proxy..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq nginx-light >/dev/null
  [ -x "$NGINX" ] && exit 0
fi
echo "Erro: os testes atrás de um proxy precisam do nginx em $NGINX." >&2
echo "Instale-o com: sudo apt-get install nginx-light  (ou defina NGINX_PATH)." >&2
exit 1
