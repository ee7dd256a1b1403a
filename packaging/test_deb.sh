#!/usr/bin/env bash
# The deb_package test (CTest label package):  test_deb.sh <build-dir> <project-version>
# Builds the .deb with CPack into a temporary folder, checks its control fields and contents, the
# desktop entry, the AppStream metainfo, the icons and the man pages; then, as root, installs it,
# runs the installed programs and a tiny training, and removes the package again, whatever happens.
# Exit 0: passed; 1: failed; 77: skipped the install part (not root, or a csq-studio of someone else's
# is installed), after every check that needs no install passed.
set -euo pipefail

build=$(cd "${1:?usage: test_deb.sh <build-dir> <version>}" && pwd)
version=${2:?usage: test_deb.sh <build-dir> <version>}
src=$(cd "$(dirname "$0")/.." && pwd)
app_id=io.github.csqstudio.CsqStudio
icon_sizes=(16 24 32 48 64 128 256)
# Installed by an earlier run of this test that was killed before its clean-up (see below).
marker=/var/lib/csq-studio-deb-test.installed

tmp=$(mktemp -d -t csq-deb-test.XXXXXX)
installed_here=0
cleanup() {
  local rc=$?
  if [ "$installed_here" = 1 ]; then
    echo "-- removing the package"
    dpkg --purge csq-studio >"$tmp/purge.log" 2>&1 || { cat "$tmp/purge.log"; rc=1; }
    rm -f "$marker"
  fi
  rm -rf "$tmp"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
check_failures() { [ "$failures" = 0 ] || { echo "$failures check(s) failed" >&2; exit 1; }; }

# --- build the package ------------------------------------------------------------------------
echo "-- cpack -G DEB"
cpack -G DEB --config "$build/CPackConfig.cmake" -B "$tmp/pkg" >"$tmp/cpack.log" 2>&1 ||
  { cat "$tmp/cpack.log"; echo "FAIL: cpack -G DEB failed" >&2; exit 1; }
deb="$tmp/pkg/csq-studio_${version}_$(dpkg --print-architecture).deb"
[ -f "$deb" ] || { cat "$tmp/cpack.log"; ls -l "$tmp/pkg"; echo "FAIL: no $deb" >&2; exit 1; }
echo "   $(basename "$deb"): $(stat -c %s "$deb") bytes"

# --- control fields ---------------------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = csq-studio ] || fail "Package is '$(field Package)', not csq-studio"
[ "$(field Version)" = "$version" ] || fail "Version is '$(field Version)', not $version"
[ "$(field Section)" = science ] || fail "Section is '$(field Section)', not science"
[[ "$(field Maintainer)" =~ ^.+\ \<.+@.+\>$ ]] || fail "Maintainer '$(field Maintainer)' is not 'Name <email>'"
[[ "$(field Homepage)" =~ ^https:// ]] || fail "Homepage '$(field Homepage)' is not an https URL"
[ -n "$(field Description)" ] || fail "no Description"
depends=$(field Depends)
recommends=$(field Recommends)
# dpkg-shlibdeps computed Depends from the linked libraries: LibTorch, Qt, Boost must be among them.
for lib in libtorch libqt6widgets6 libqt6svg6 libboost-json libqcustomplot libc6; do
  [[ "$depends" == *"$lib"* ]] || fail "Depends lacks $lib (dpkg-shlibdeps did not run?): $depends"
done
[[ "$recommends" == *dataset-fashion-mnist* ]] || fail "Recommends lacks dataset-fashion-mnist: $recommends"
# Every name in Depends and Recommends (each alternative too) must be a real Debian package. One
# apt-cache call for all (each call loads the cache); it prints a stanza for each name it knows.
names=$(printf '%s,%s' "$depends" "$recommends" | tr ',|' '\n\n' | sed 's/(.*)//; s/:any//; s/ //g' | grep . | sort -u)
known=$(apt-cache show $names 2>/dev/null | sed -n 's/^Package: //p' | sort -u)
for name in $names; do
  grep -qxF "$name" <<<"$known" || fail "'$name' (Depends/Recommends) is not a package apt knows"
done

# --- contents ---------------------------------------------------------------------------------
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|; s|/$||' >"$tmp/contents"
expected=(
  /usr/bin/csq-studio /usr/bin/csq-train
  "/usr/share/applications/$app_id.desktop"
  "/usr/share/metainfo/$app_id.metainfo.xml"
  "/usr/share/icons/hicolor/scalable/apps/$app_id.svg"
  /usr/share/man/man1/csq-train.1.gz /usr/share/man/man1/csq-studio.1.gz
  /usr/share/doc/csq-studio/copyright /usr/share/doc/csq-studio/changelog.gz
)
for size in "${icon_sizes[@]}"; do expected+=("/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"); done
for f in "$src"/resources/models/*.json; do expected+=("/usr/share/csq-studio/models/$(basename "$f")"); done
for f in "$src"/resources/configs/*.json; do expected+=("/usr/share/csq-studio/configs/$(basename "$f")"); done
for path in "${expected[@]}"; do
  grep -qxF "$path" "$tmp/contents" || fail "the package lacks $path"
done
# Nothing else: no csq-bench, test programs, static libraries, headers or build-tree files (the
# folders on the way to the expected files are fine).
unexpected=()
while read -r path; do
  [ -n "$path" ] || continue
  ok=0
  for e in "${expected[@]}"; do [[ "$e" == "$path" || "$e" == "$path"/* ]] && { ok=1; break; }; done
  [ "$ok" = 1 ] || unexpected+=("$path")
done <"$tmp/contents"
[ ${#unexpected[@]} = 0 ] || fail "unexpected files in the package: ${unexpected[*]}"
check_failures

# --- the packaged files themselves ------------------------------------------------------------
root="$tmp/root"
dpkg-deb -x "$deb" "$root"
echo "-- appstreamcli validate --no-net"
if ! appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml" >"$tmp/as.log" 2>&1; then
  fail "appstreamcli validate: $(cat "$tmp/as.log")"
elif grep -qE '^(E|W): ' "$tmp/as.log"; then
  fail "appstreamcli validate reports errors or warnings: $(cat "$tmp/as.log")"
fi
grep -qF "<release version=\"$version\"" "$root/usr/share/metainfo/$app_id.metainfo.xml" ||
  fail "the metainfo has no <release version=\"$version\">: add one for this version"
echo "-- desktop-file-validate"
if ! desktop-file-validate "$root/usr/share/applications/$app_id.desktop" >"$tmp/dfv.log" 2>&1; then
  fail "desktop-file-validate: $(cat "$tmp/dfv.log")"
elif grep -qiE '(error|warning):' "$tmp/dfv.log"; then
  fail "desktop-file-validate: $(cat "$tmp/dfv.log")"
fi
grep -qx "Icon=$app_id" "$root/usr/share/applications/$app_id.desktop" || fail "the desktop entry's Icon is not $app_id"
grep -qx "Exec=csq-studio %F" "$root/usr/share/applications/$app_id.desktop" || fail "the desktop entry's Exec is not csq-studio %F"

# Each PNG is a PNG of its size (width and height from the IHDR chunk).
for size in "${icon_sizes[@]}"; do
  png="$root/usr/share/icons/hicolor/${size}x${size}/apps/$app_id.png"
  magic=$(od -An -tx1 -N8 "$png" | tr -d ' \n')
  [ "$magic" = 89504e470d0a1a0a ] || { fail "$png is not a PNG"; continue; }
  dims=$(od -An -tu1 -j16 -N8 "$png" | awk '{print $1*16777216+$2*65536+$3*256+$4 "x" $5*16777216+$6*65536+$7*256+$8}')
  [ "$dims" = "${size}x${size}" ] || fail "$png is $dims, not ${size}x${size}"
done
# The PNGs are not blank: the largest one has more than a handful of distinct bytes.
[ "$(od -An -tx1 -v "$root/usr/share/icons/hicolor/256x256/apps/$app_id.png" | tr ' ' '\n' | sort -u | wc -l)" -gt 64 ] ||
  fail "the 256x256 icon looks blank"

# No build-tree RPATH in the programs.
for prog in csq-studio csq-train; do
  if readelf -d "$root/usr/bin/$prog" | grep -E '\((RPATH|RUNPATH)\)'; then fail "/usr/bin/$prog carries an RPATH"; fi
done

# man pages: gzip'd groff with a .TH of the program, its options (from --help) and the include file.
check_man() {  # check_man <man1-folder>
  local page prog text
  for prog in csq-train csq-studio; do
    page="$1/$prog.1.gz"
    gzip -t "$page" 2>/dev/null || { fail "$page is not gzip"; continue; }
    text=$(zcat "$page")
    grep -qE "^\.TH \"?${prog^^}\"? \"?1\"?" <<<"$text" || fail "$page has no .TH ${prog^^} 1"
    grep -q "^\.SH FILES" <<<"$text" || fail "$page has no FILES section (packaging/man/$prog.h2m)"
    grep -q "^\.SH EXAMPLES" <<<"$text" || fail "$page has no EXAMPLES section"
    grep -qF "$version" <<<"$text" || fail "$page does not name version $version"
    case $prog in
      csq-train) grep -qF '\-\-target\-bits' <<<"$text" || fail "$page lacks --target-bits (from --help)"
                 grep -qF 'test_accuracy_quantized' <<<"$text" || fail "$page lacks the run files" ;;
      csq-studio) grep -qF '\-\-autostart' <<<"$text" || fail "$page lacks --autostart (from --help)" ;;
    esac
  done
}
check_man "$root/usr/share/man/man1"
check_failures
echo "-- the package's files are right"

# --- install, run, remove ---------------------------------------------------------------------
if [ "$(id -u)" -ne 0 ]; then
  echo "SKIP: installing the package needs root (dpkg -i); the checks above passed"
  exit 77
fi
if dpkg-query -W -f='${Status}' csq-studio 2>/dev/null | grep -q 'installed'; then
  if [ -f "$marker" ]; then
    echo "-- an earlier run of this test left csq-studio installed: removing it"
    dpkg --purge csq-studio >/dev/null && rm -f "$marker"
  else
    echo "SKIP: csq-studio is installed on this machine and not by this test; not replacing it"
    exit 77
  fi
fi

echo "-- dpkg -i"
touch "$marker"
installed_here=1
if ! dpkg -i "$deb" >"$tmp/dpkg.log" 2>&1; then
  cat "$tmp/dpkg.log" >&2
  missing=$(grep -oE 'depends on [^;]+; however' "$tmp/dpkg.log" | sed 's/depends on //; s/; however//' | sort -u | tr '\n' ',')
  [ -n "$missing" ] && echo "FAIL: dpkg -i: missing dependencies: ${missing%,}" >&2 || echo "FAIL: dpkg -i failed" >&2
  exit 1
fi
dpkg-query -W -f='${Status}' csq-studio | grep -q 'install ok installed' || fail "dpkg does not list csq-studio as installed"

out=$(/usr/bin/csq-train --version 2>&1) || true
[[ "$out" == "csq-train $version ("* ]] || fail "/usr/bin/csq-train --version says '$out'"
out=$(QT_QPA_PLATFORM=offscreen /usr/bin/csq-studio --version 2>/dev/null) || true
[[ "$out" == "csq-studio $version ("* ]] || fail "/usr/bin/csq-studio --version says '$out'"
check_man /usr/share/man/man1
[ -f "/usr/share/icons/hicolor/48x48/apps/$app_id.png" ] || fail "the 48x48 icon is not installed"
check_failures

# A tiny training from the installed program with the installed config and the Debian data set:
# one float epoch then one CSQ epoch on 1000 images (about half a minute on 2 cores).
data=/usr/share/datasets/fashion-mnist
[ -d "$data" ] || { echo "FAIL: $data is missing: install dataset-fashion-mnist (packaging/install-deps.sh)" >&2; exit 1; }
echo "-- csq-train from /usr/bin on /usr/share/csq-studio/configs/quick-fashion-mnist.json"
if ! /usr/bin/csq-train --config /usr/share/csq-studio/configs/quick-fashion-mnist.json --train-limit 1000 \
     --float-epochs 1 --ticket 1.5 --epochs 2 --finetune-epochs 0 --out "$tmp/run" >"$tmp/train.log" 2>&1; then
  tail -20 "$tmp/train.log" >&2
  echo "FAIL: the installed csq-train failed" >&2
  exit 1
fi
tail -2 "$tmp/train.log"
for f in config.json metrics.csv scheme.json summary.json checkpoint.pt quantized.pt dequantized_state_dict.pt; do
  [ -s "$tmp/run/$f" ] || fail "the run wrote no $f"
done
# The exact integer model must beat chance (10 classes: 10 %); a trained one reaches about 50 %.
python3 - "$tmp/run/summary.json" <<'EOF' || fail "summary.json: see above"
import json, sys
summary = json.load(open(sys.argv[1]))
acc = summary.get("test_accuracy_quantized")
if not isinstance(acc, (int, float)):
    sys.exit(f"no numeric test_accuracy_quantized in {sys.argv[1]}: {acc!r}")
print(f"   test_accuracy_quantized {acc:.2f} %, avg_bits {summary.get('avg_bits')}")
if not 20 < acc <= 100:
    sys.exit(f"test_accuracy_quantized {acc} is not above chance (20 < acc <= 100)")
EOF
check_failures
echo "-- passed"
