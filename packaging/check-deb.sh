#!/usr/bin/env bash
# Builds the Debian package in a build folder and checks it as a packager would: the control fields (Section,
# Depends with OpenBLAS), stripped binaries, the files a desktop and a shell need (MIME type, launcher, metainfo,
# man pages, completion, copyright), and lintian, whose remaining tags must each be justified in
# packaging/lintian-accepted.
#   packaging/check-deb.sh [BUILD_DIR]     (default: build)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-$here/../build}" && pwd)"
cd "$build"
cpack -G DEB > cpack.log 2>&1 || { tail -20 cpack.log; exit 1; }
deb=$(ls -t samtok-studio_*.deb | head -1)
fail=0
bad() { echo "check-deb: $*" >&2; fail=1; }

[ "$(dpkg-deb -f "$deb" Section)" = graphics ] || bad "Section is '$(dpkg-deb -f "$deb" Section)', not graphics"
depends=$(dpkg-deb -f "$deb" Depends)
for d in libopenblas0-openmp libqt6svg6 libtorch libqt6widgets6 libopencv-imgcodecs libsqlite3-0 libcurl4; do
  grep -q "$d" <<<"$depends" || bad "Depends lacks $d: $depends"
done
contents=$(dpkg-deb -c "$deb" | awk '{print $6}')
for f in ./usr/bin/samtok ./usr/bin/samtok-studio ./usr/share/man/man1/samtok.1.gz \
  ./usr/share/man/man1/samtok-studio.1.gz ./usr/share/mime/packages/samtok-studio.xml \
  ./usr/share/applications/samtok-studio.desktop ./usr/share/metainfo/samtok-studio.metainfo.xml \
  ./usr/share/bash-completion/completions/samtok ./usr/share/doc/samtok-studio/copyright \
  ./usr/share/doc/samtok-studio/changelog.Debian.gz ./usr/share/samtok/models/samtok-micro.safetensors \
  ./usr/share/icons/hicolor/scalable/apps/samtok-studio.svg; do
  grep -qx -- "$f" <<<"$contents" || bad "the package lacks $f"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
# (Outputs go to files before grep -q reads them: with pipefail, grep stopping early would fail the writer.)
for b in samtok samtok-studio; do
  readelf -S "$tmp/usr/bin/$b" > "$tmp/sections"
  if grep -q '\.debug_info' "$tmp/sections"; then bad "usr/bin/$b is not stripped"; fi
done
zcat "$tmp/usr/share/man/man1/samtok.1.gz" > "$tmp/samtok.1"
grep -q '^\.SH' "$tmp/samtok.1" || bad "samtok.1 is not a man page"
grep -q 'samtok tokens merge' "$tmp/samtok.1" || bad "samtok.1 does not document the subcommands"
if command -v desktop-file-validate >/dev/null; then
  desktop-file-validate "$tmp/usr/share/applications/samtok-studio.desktop" || bad "desktop-file-validate"
fi
if command -v lintian >/dev/null; then
  # Errors and warnings fail the check unless packaging/lintian-accepted names the tag (with its reason);
  # informational tags are listed.
  rc=0
  lintian -I --tag-display-limit 0 "$deb" > lintian.log 2>&1 || rc=$?
  [ "$rc" -le 1 ] || { cat lintian.log; bad "lintian did not run (exit $rc)"; }
  accepted=$(grep -v '^#' "$here/lintian-accepted" | grep . || true)
  while read -r line; do
    tag=$(awk '{print $3}' <<<"$line")
    grep -qx -- "$tag" <<<"$accepted" || bad "lintian: $line"
  done < <(grep -E '^(E|W): ' lintian.log || true)
  echo "lintian: $(grep -cE '^(E|W): ' lintian.log || true) error/warning tag(s) (each must be in lintian-accepted);" \
    "$(grep -c '^I: ' lintian.log || true) informational; all in $build/lintian.log"
else
  bad "lintian is not installed (scripts/setup.sh installs it)"
fi
echo "$deb: $(du -h "$deb" | cut -f1), Depends: $depends"
exit $fail
