#!/bin/sh
# Installs genro-mail-proxy the way scripts/install.sh does for the local stack:
# the PyPI sdist unpacked into SUT_DIR (its src/ goes on PYTHONPATH: the 0.7.0
# wheel lacks sql/, storage/ and tools/ and cannot be imported), and its
# dependencies (scripts/sut-requirements.py) installed with the pins of
# stack/python-constraints.txt, for the version versions.json names.
#
#   install-sut.sh BUILD_DIR SUT_DIR
#
# BUILD_DIR holds versions.json, python-constraints.txt and sut-requirements.py.
# It also installs the release's wheel into SUT_DIR-wheel (see the end).
# SUT_VERSION selects another PyPI release (then without the constraints, as in
# install.sh). Packages go into the first python3 on PATH.
set -eu
build=$1
sut=$2
read_version() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["sut"][sys.argv[2]])' "$build/versions.json" "$1"; }
package=$(read_version package)
default_version=$(read_version version)
version=${SUT_VERSION:-$default_version}

echo "install-sut: $package $version (PyPI sdist)"
python3 -m pip download --no-cache-dir --no-deps --no-binary "$package" -d "$build/dl" "$package==$version"
mkdir -p "$sut"
tar -xzf "$build"/dl/*.tar.gz -C "$sut" --strip-components=1
if [ ! -d "$sut/src/core" ]; then
  echo "install-sut: the sdist of $package==$version has no src/core" >&2
  exit 1
fi

python3 "$build/sut-requirements.py" "$sut/pyproject.toml" "$build/versions.json" > "$build/requirements.txt"
if [ "$version" = "$default_version" ]; then
  set -- -c "$build/python-constraints.txt"
else
  set --
fi
python3 -m pip install --no-cache-dir -r "$build/requirements.txt" "$@"

PYTHONPATH="$sut/src" python3 -c "import core.mail_proxy.proxy"
echo "install-sut: core.mail_proxy imports"

# What `pip install genro-mail-proxy` gives, for the front-door scenarios
# (features/installation.feature): the release's wheel, without its dependencies (the
# ones above serve it), in a folder of its own with the console script pip writes.
python3 -m pip download --no-cache-dir --no-deps --only-binary :all: -d "$build/wheel" "$package==$version"
python3 -m pip install --no-cache-dir --no-deps --target "$sut-wheel" "$build"/wheel/*.whl
test -x "$sut-wheel/bin/mail-proxy"
echo "install-sut: the wheel's mail-proxy command is in $sut-wheel/bin"
