#!/usr/bin/env bash
# Packs what a CUDA machine needs to build and check SAMTok beside its own
# PyTorch/libtorch, for scripts/device/cuda-check.sh: the Debian 12 libraries
# that are not LibTorch (OpenCV core/imgproc/imgcodecs, SQLite, libpng, zlib,
# libcrypto, GoogleTest) with their headers and CMake packages, and the golden
# parity files and COCO128-seg training photos from ../shared, as two archives
# in .device/ (git-ignored).
#
# Such a machine has PyTorch, CMake, ninja and a compiler but none of these
# libraries and no network. Debian's libopencv_imgcodecs links GDAL (a closure
# of about 170 MB) for geo rasters that OpenCV only reads under
# IMREAD_LOAD_GDAL, which SAMTok never passes: the bundle carries a stub
# libgdal.so.32 whose registration does nothing, whose GDALOpen opens nothing,
# and whose other functions abort with a message.
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=.device
SHARED=${SHARED:-../shared}
ARCH=x86_64-linux-gnu
rm -rf "$OUT" && mkdir -p "$OUT/sys/usr/lib/$ARCH" "$OUT/sys/usr/include"
SYS=$OUT/sys/usr
LIB=$SYS/lib/$ARCH

# Shared-library closure of the roots, without the C/C++ runtime (the target's
# newer glibc and libstdc++ serve) and without GDAL (stubbed below).
closure() {
  local -A seen=()
  local queue=("$@") f n p
  while [ ${#queue[@]} -gt 0 ]; do
    f=${queue[0]}; queue=("${queue[@]:1}")
    for n in $(readelf -d "$f" | awk '/NEEDED/ { gsub(/[][]/, "", $5); print $5 }'); do
      case $n in libc.so.*|libm.so.*|libpthread.so.*|libdl.so.*|librt.so.*|ld-linux*|libstdc++.so.*|libgcc_s.so.*|libgdal.so.*) continue ;; esac
      [ -n "${seen[$n]:-}" ] && continue
      case $n in
        libblas.so.3) p=/usr/lib/$ARCH/blas/libblas.so.3 ;;       # reference BLAS: OpenCV barely uses it
        liblapack.so.3) p=/usr/lib/$ARCH/lapack/liblapack.so.3 ;;
        *) p=/usr/lib/$ARCH/$n; [ -e "$p" ] || p=/lib/$ARCH/$n ;;
      esac
      seen[$n]=1; queue+=("$p"); echo "$n $p"
    done
  done
}
roots=(libopencv_core.so.406 libopencv_imgproc.so.406 libopencv_imgcodecs.so.406 libsqlite3.so.0 libpng16.so.16
       libcrypto.so.3 libz.so.1)
{ for r in "${roots[@]}"; do echo "$r /usr/lib/$ARCH/$r"; done; (cd /usr/lib/$ARCH && closure "${roots[@]}"); } | sort -u |
  while read -r name path; do cp -L "$path" "$LIB/$name"; done
# Link-time names.
for l in opencv_core.so.406 opencv_imgproc.so.406 opencv_imgcodecs.so.406 sqlite3.so.0 png16.so.16 crypto.so.3 z.so.1; do
  ln -sf "lib$l" "$LIB/lib${l%%.so.*}.so"
done
ln -sf libpng16.so "$LIB/libpng.so"

# The GDAL stub: exactly the symbols libopencv_imgcodecs takes from libgdal.
nm -D --undefined-only /usr/lib/$ARCH/libopencv_imgcodecs.so.406 | awk '{ print $2 }' | sort >"$OUT/undef"
nm -D --defined-only /usr/lib/$ARCH/libgdal.so.32 | awk '$2 == "T" { print $3 }' | sort | comm -12 - "$OUT/undef" >"$OUT/gdal-symbols"
{
  echo '#include <stdio.h>'
  echo '#include <stdlib.h>'
  echo 'static void gdalMissing(const char* f) { fprintf(stderr, "GDAL is not in this bundle (%s called)\n", f); abort(); }'
  echo 'void GDALAllRegister(void) {}'          # imgcodecs registers GDAL's drivers at start-up
  echo 'void* GDALOpen(void) { return 0; }'      # "cannot open": OpenCV then declines the file
  grep -v -x -e GDALAllRegister -e GDALOpen "$OUT/gdal-symbols" |
    while read -r s; do echo "void $s(void) { gdalMissing(\"$s\"); }"; done
} >"$OUT/gdal-stub.c"
gcc -shared -fPIC -O1 -Wl,-soname,libgdal.so.32 -o "$LIB/libgdal.so.32" "$OUT/gdal-stub.c"
rm "$OUT/undef" "$OUT/gdal-stub.c" "$OUT/gdal-symbols"

# Headers and static libraries.
cp -r /usr/include/opencv4 /usr/include/nlohmann /usr/include/CLI /usr/include/gtest /usr/include/gmock \
      /usr/include/openssl /usr/include/libpng16 "$SYS/include/"
cp /usr/include/sqlite3.h /usr/include/sqlite3ext.h /usr/include/png.h /usr/include/pngconf.h /usr/include/pnglibconf.h \
   /usr/include/zlib.h /usr/include/zconf.h "$SYS/include/"
cp /usr/include/$ARCH/openssl/*.h "$SYS/include/openssl/"
cp /usr/lib/$ARCH/libgtest.a /usr/lib/$ARCH/libgtest_main.a /usr/lib/$ARCH/libgmock.a /usr/lib/$ARCH/libgmock_main.a "$LIB/"

# CMake packages: GoogleTest, nlohmann_json and CLI11 are relocatable as they
# are; OpenCV's own package checks for all of its modules' files, so a small
# one declares the three modules SAMTok links.
mkdir -p "$SYS/lib/$ARCH/cmake" "$SYS/share/cmake"
cp -r /usr/lib/$ARCH/cmake/GTest "$SYS/lib/$ARCH/cmake/"
cp -r /usr/share/cmake/nlohmann_json /usr/share/cmake/CLI11 "$SYS/share/cmake/"
mkdir -p "$SYS/lib/$ARCH/cmake/opencv4"
cat >"$SYS/lib/$ARCH/cmake/opencv4/OpenCVConfig.cmake" <<'EOF'
# OpenCV 4.6 (Debian 12) core, imgproc and imgcodecs from the device bundle.
get_filename_component(_cv_prefix "${CMAKE_CURRENT_LIST_DIR}/../../../.." ABSOLUTE)
set(OpenCV_VERSION 4.6.0)
set(OpenCV_INCLUDE_DIRS "${_cv_prefix}/include/opencv4")
foreach(_m core imgproc imgcodecs)
  if(NOT TARGET opencv_${_m})
    add_library(opencv_${_m} SHARED IMPORTED)
    set_target_properties(opencv_${_m} PROPERTIES
      IMPORTED_LOCATION "${_cv_prefix}/lib/x86_64-linux-gnu/libopencv_${_m}.so.406"
      INTERFACE_INCLUDE_DIRECTORIES "${OpenCV_INCLUDE_DIRS}")
  endif()
endforeach()
set(OpenCV_LIBS opencv_core opencv_imgproc opencv_imgcodecs)
set(OpenCV_FOUND TRUE)
EOF
echo 'set(PACKAGE_VERSION 4.6.0)
set(PACKAGE_VERSION_COMPATIBLE TRUE)' >"$SYS/lib/$ARCH/cmake/opencv4/OpenCVConfig-version.cmake"

# Data: the golden micro set, the official key list and COCO128-seg.
tar -C "$SHARED" -cf - golden/samtok-micro docs/samtok-keys-large.tsv data/coco128-seg/coco128-seg |
  xz -T0 >"$OUT/shared.tar.xz"

tar -C "$OUT" -cJf "$OUT/sys.tar.xz" sys && rm -rf "$OUT/sys"
du -sh "$OUT" "$OUT/sys.tar.xz" "$OUT/shared.tar.xz"
