#!/usr/bin/env bash
# The translation catalogues (locale/) are compiled with GNU gettext's msgfmt, from Debian's package.
set -euo pipefail
command -v msgfmt >/dev/null 2>&1 && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Instalando o gettext (apt-get install gettext) para compilar as traduções..."
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq gettext >/dev/null
  command -v msgfmt >/dev/null 2>&1 && exit 0
fi
echo "Erro: compilar as traduções (locale/) precisa do msgfmt do GNU gettext." >&2
echo "Instale-o com: sudo apt-get install gettext  (macOS: brew install gettext)." >&2
exit 1
