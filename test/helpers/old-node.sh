#!/bin/sh
# Debian 12's own Node.js 18 for the old-runtime tests, without installing it system-wide: fetches the
# `nodejs` and `libnode108` packages and whatever they depend on that this machine lacks with
# `apt-get download`, unpacks them with `dpkg-deb -x` into a cache directory, and prints the path of a
# `node` wrapper that runs it (LD_LIBRARY_PATH pointing at the unpacked libraries).
#
# Exit 0: the path on stdout. Exit 3: this machine cannot provide it (no apt/dpkg, no Debian nodejs 18
# in apt's lists, no network, /tmp not writable...); the reason is on stderr and the test skips.
#
# Debian's Node.js loads a few of its bundled JavaScript dependencies from /usr/share/nodejs (absolute
# paths compiled into libnode). The unpacked libnode is patched to look in the cache directory
# instead, which is why the cache has a fixed-length path: /tmp/ttn18-<uid, 6 digits>, as long as
# /usr/share/nodejs. The first run takes a few seconds (about 12 MB); later runs reuse the cache.
set -u

skip() {
  echo "old-node: $*" >&2
  exit 3
}

uid=$(id -u)
[ "$uid" -le 999999 ] || skip "user id $uid is too long for the cache path"
cache=$(printf '/tmp/ttn18-%06d' "$uid")
ready() {
  [ -x "$cache/node" ] && "$cache/node" -e 'process.exit(process.versions.node.startsWith("18.") ? 0 : 1)' 2>/dev/null
}
if ready; then
  echo "$cache/node"
  exit 0
fi

for cmd in apt-get apt-cache dpkg-query dpkg-deb perl; do
  command -v "$cmd" >/dev/null 2>&1 || skip "no $cmd here (not a Debian-like system)"
done

# The newest Debian nodejs 18 apt knows; root may refresh empty package lists first.
debian_18() {
  apt-cache madison nodejs 2>/dev/null | awk -F'|' '{ gsub(/ /, "", $2); if ($2 ~ /^18\./) { print $2; exit } }'
}
version=$(debian_18)
if [ -z "$version" ] && [ "$uid" -eq 0 ]; then
  apt-get update -qq >/dev/null 2>&1 || :
  version=$(debian_18)
fi
[ -n "$version" ] || skip "apt knows no Debian nodejs 18.x (not Debian 12, or apt-get update has not run)"

stage=$(mktemp -d "$cache.partial.XXXXXX") || skip "cannot write to /tmp"
trap 'rm -rf "$stage"' EXIT
mkdir "$stage/debs"

# nodejs and libnode108 of that version, plus their dependencies that are not installed here.
wanted="nodejs=$version libnode108=$version"
deps=$(apt-cache depends --no-recommends --no-suggests --no-conflicts --no-breaks --no-replaces --no-enhances "nodejs=$version" "libnode108=$version" 2>/dev/null |
  awk '$1 == "Depends:" && $2 !~ /^</ { print $2 }' | sort -u)
for dep in $deps; do
  case $dep in nodejs | libnode108) continue ;; esac
  dpkg-query -W -f='${Status}' "$dep" 2>/dev/null | grep -q 'install ok installed' || wanted="$wanted $dep"
done
# shellcheck disable=SC2086 # word splitting of the package list is wanted
(cd "$stage/debs" && apt-get download -q $wanted >/dev/null 2>"$stage/apt.log") ||
  skip "apt-get download $wanted failed: $(tail -n 1 "$stage/apt.log")"
for deb in "$stage"/debs/*.deb; do
  dpkg-deb -x "$deb" "$stage/root" || skip "dpkg-deb -x $deb failed"
done

lib=$(find "$stage/root" -name 'libnode.so.*' | head -n 1)
[ -n "$lib" ] || skip "no libnode.so in the unpacked packages"
perl -0777 -pi -e "s|/usr/share/nodejs/|$cache/|g" "$lib" || skip "cannot patch $lib"
for entry in "$stage"/root/usr/share/nodejs/*; do
  ln -s "root/usr/share/nodejs/${entry##*/}" "$stage/${entry##*/}"
done
libdirs=$(find "$stage/root" -name '*.so*' -type f | sed 's|/[^/]*$||' | sort -u | sed "s|^$stage|$cache|" | paste -sd: -)
cat >"$stage/node" <<EOF
#!/bin/sh
# Debian's Node.js $version, unpacked by test/helpers/old-node.sh.
LD_LIBRARY_PATH=$libdirs\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH} exec $cache/root/usr/bin/node "\$@"
EOF
chmod 755 "$stage/node"
rm -rf "$stage/debs" "$stage/apt.log"

# Publish in one rename; another run that got there first wins.
if ! ready; then
  rm -rf "$cache"
  mv -T "$stage" "$cache" 2>/dev/null || :
fi
ready || skip "the unpacked Node.js $version does not run"
echo "$cache/node"
