# Sourced by scripts/install.sh: why a Python venv cannot be used or made by this user.
#
#   venv_problem VENV   prints the reason, or nothing when this user can run VENV/bin/python
#                       or make VENV (then a failed `python3 -m venv` is the python3-venv
#                       package missing)
#
# A clone set up by another user (root, say) has a venv whose Python this user may not
# reach: the venv's bin/python leads to that user's Python (under /root, say), or the
# folders are not writable. `python3 -m venv` then fails for that reason, not for a
# missing python3-venv, and the hint must say so.

# The first folder on the way to PATH (itself included) this user cannot enter or read.
first_closed() {
  local path=$1 prefix="" part parts
  IFS=/ read -ra parts <<< "${path#/}"
  for part in "${parts[@]}"; do
    prefix="$prefix/$part"
    if [ -d "$prefix" ]; then
      [ -x "$prefix" ] || { echo "$prefix"; return; }
    elif [ -e "$prefix" ]; then
      { [ -r "$prefix" ] && [ -x "$prefix" ]; } || { echo "$prefix"; return; }
      return
    else
      # Not visible from here: the folder above is not readable.
      echo "${prefix%/*}"
      return
    fi
  done
}

# "owner, mode" of a path this user may not be able to enter (stat needs only its parent).
owner_mode() { stat -c '%U, mode %A' "$1" 2>/dev/null || echo "owner unknown"; }

venv_problem() {
  local venv=$1 py=$1/bin/python me target closed parent
  me=$(id -un 2>/dev/null || id -u)
  if [ -e "$py" ] || [ -L "$py" ]; then
    [ -x "$py" ] && return 0
    target=$(readlink -m "$py" 2>/dev/null || echo "$py")
    closed=$(first_closed "$target")
    echo "the venv's Python, $py$([ "$target" != "$py" ] && echo " -> $target"), cannot be run by $me:" \
      "${closed:-$target} is not open to $me ($(owner_mode "${closed:-$target}"))." \
      "The venv was made by $(stat -c %U "$venv" 2>/dev/null || echo another user), with a Python only that user reaches." \
      "Run as that user, or give $me a checkout of its own (or remove $venv, if $me may write there, and install again)."
    return 0
  fi
  parent=$(dirname "$venv")
  while [ ! -e "$parent" ]; do parent=$(dirname "$parent"); done
  if [ ! -w "$parent" ] || [ ! -x "$parent" ]; then
    echo "cannot make the venv $venv: $me cannot write in $parent ($(owner_mode "$parent"))." \
      "The checkout was set up by another user: run as that user, or give $me a checkout of its own."
  fi
}

# The message for a failed `python3 -m venv VENV`.
venv_failed() {
  local why
  why=$(venv_problem "$1")
  echo "${why:-python3 -m venv failed (Debian: apt-get install python3-venv)}"
}
