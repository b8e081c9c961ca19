#!/usr/bin/env bash
# Installs MCR on a systemd host, or into a staging folder with --root:
#   the user and group mcr (not in --root mode), /usr/local/bin/mcr, the systemd units,
#   /etc/mcr/mcr.toml (only if absent), the data folder /srv/mcr (owner-only), the README.
#
# Idempotent: a second run with the same binary changes nothing. It never starts, stops or
# enables anything (no systemctl); it prints what to run next.
#
#   sudo deploy/scripts/install.sh [--binary dist/mcr]
#   deploy/scripts/install.sh --root /tmp/stage [--binary dist/mcr]    # no user, no chown
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
root=""
binary="$repo/dist/mcr"

usage() { sed -n '2,10s/^# \{0,1\}//p' "$0"; }
while [ "$#" -gt 0 ]; do
  case "$1" in
    --root) root=${2:?--root needs a folder}; shift 2 ;;
    --binary) binary=${2:?--binary needs a path}; shift 2 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "install.sh: unknown argument $1" >&2; usage >&2; exit 2 ;;
  esac
done

if [ -n "$root" ]; then
  mkdir -p "$root"
  root=$(cd "$root" && pwd)
elif [ "$(id -u)" -ne 0 ]; then
  echo "install.sh: run as root, or stage into a folder with --root" >&2
  exit 2
fi
[ -x "$binary" ] || { echo "install.sh: no executable $binary (run: bun run build)" >&2; exit 2; }

say() { printf 'install.sh: %s\n' "$*"; }

# In --root mode the user does not exist there and files keep the caller as owner.
owner() { [ -n "$root" ] || printf '%s' "-o $1 -g $2"; }

# Copies a file unless the target already holds the same bytes, then sets its mode/owner.
put_file() {
  local source=$1 target=$root$2 mode=$3 user=$4 group=$5
  if [ -f "$target" ] && cmp -s "$source" "$target"; then
    say "unchanged $2"
  else
    say "installing $2"
  fi
  # shellcheck disable=SC2046 # owner's flags are meant to split into words
  install -D -m "$mode" $(owner "$user" "$group") "$source" "$target"
}

make_folder() {
  local target=$root$1 mode=$2 user=$3 group=$4
  [ -d "$target" ] || say "creating $1"
  # shellcheck disable=SC2046
  install -d -m "$mode" $(owner "$user" "$group") "$target"
}

if [ -z "$root" ]; then
  if getent passwd mcr >/dev/null; then
    say "user mcr exists"
  else
    say "creating system user mcr"
    useradd --system --user-group --home-dir /srv/mcr --no-create-home \
      --shell /usr/sbin/nologin --comment "MCR container registry" mcr
  fi
else
  say "staging into $root: no user is created and nothing is chowned"
fi

make_folder /usr/local/bin 0755 root root
put_file "$binary" /usr/local/bin/mcr 0755 root root
make_folder /etc/systemd/system 0755 root root
for unit in mcr.service mcr-web.service mcr-backup.service mcr-backup.timer; do
  put_file "$repo/deploy/systemd/$unit" "/etc/systemd/system/$unit" 0644 root root
done
put_file "$repo/README.md" /usr/local/share/doc/mcr/README.md 0644 root root

# The config is the operator's once written: never replaced.
make_folder /etc/mcr 0750 root mcr
if [ -e "$root/etc/mcr/mcr.toml" ]; then
  say "keeping /etc/mcr/mcr.toml (it exists)"
else
  put_file "$repo/deploy/examples/mcr.toml" /etc/mcr/mcr.toml 0640 root mcr
fi
make_folder /srv/mcr 0700 mcr mcr

cat <<NEXT
install.sh: done. Next, as root:
  sudo -u mcr /usr/local/bin/mcr init --config /etc/mcr/mcr.toml   # database and first admin
  systemctl daemon-reload
  systemctl enable --now mcr.service mcr-web.service mcr-backup.timer
Upgrading: take a snapshot first (systemctl start mcr-backup.service), install the new
binary with this script, then systemctl restart mcr.service; migrations run at start-up.
NEXT
