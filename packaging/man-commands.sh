#!/usr/bin/env bash
# Writes a help2man include file with a COMMANDS section: every samtok subcommand (and theirs) with its own --help,
# so `man samtok` documents each command, generated from the program at build time.
#   packaging/man-commands.sh /path/to/samtok > commands.h2m
set -euo pipefail
samtok=$1
subcommands() {  # the names listed under "Subcommands:" in a --help text
  awk '/^Subcommands:/ {on = 1; next} on && /^  [a-z]/ {print $1} on && /^$/ {on = 0}'
}
roff() {  # a help text as literal roff: escapes and no leading dots
  sed -e 's/\\/\\e/g' -e 's/^\./\\\&./' -e "s/^'/\\\\\\&'/"
}
program=$(printf '%s' "$samtok" | sed 's/[][\/.^$*]/\\&/g')  # its path, as a sed pattern
walk() {
  local help name
  help=$("$samtok" "$@" --help 2>/dev/null) || return 0
  if [ $# -gt 0 ]; then
    name="samtok $*"
    printf '.SS %s\n.nf\n' "$name"
    printf '%s\n' "$help" | sed -e "s/$program/samtok/g" | roff
    printf '.fi\n'
  fi
  for sub in $(printf '%s\n' "$help" | subcommands); do walk "$@" "$sub"; done
}
printf '[COMMANDS]\n'
walk
printf '[SEE ALSO]\nsamtok-studio(1). The README of SAMTok Studio explains projects, models and exports.\n'
