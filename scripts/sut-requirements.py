"""Print the Python requirements of the SUT, one per line, sorted.

Used by scripts/install.sh (the local venv) and docker/proxy/Dockerfile (the proxy
image), so both install exactly the same list:
  the SUT's own [project].dependencies, the extras named in versions.json,
  the additions named there (aioimaplib), and our pins (genro-toolbox is
  open-ended upstream), which replace the SUT's own requirement of that package.

  python3 scripts/sut-requirements.py SUT/pyproject.toml versions.json
"""

from __future__ import annotations

import json
import sys
import tomllib


def base_name(requirement: str) -> str:
    name = requirement.split(";")[0].strip().split("[")[0]
    for op in (">=", "==", "<=", "~=", ">", "<", "!="):
        name = name.split(op)[0]
    return name.strip().lower().replace("_", "-")


def requirements(pyproject: dict, versions: dict) -> list[str]:
    project = pyproject["project"]
    sut = versions["sut"]
    pins = sut.get("pins", {})
    deps = list(project.get("dependencies", []))
    for extra in sut.get("python_extras", []):
        deps += project.get("optional-dependencies", {}).get(extra, [])
    deps += sut.get("python_additions", [])
    out = [d for d in deps if base_name(d) not in pins]
    out += [f"{name}=={version}" for name, version in pins.items()]
    return sorted(set(out))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with open(argv[0], "rb") as f:
        pyproject = tomllib.load(f)
    with open(argv[1]) as f:
        versions = json.load(f)
    print("\n".join(requirements(pyproject, versions)))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
