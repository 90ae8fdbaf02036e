#!/usr/bin/env bash
# Rebuilds rnnstream-java.txt: every .java file of this repository at one commit, in path order,
# each preceded by a "// file: <path>" line. The commit is fixed so that the corpus (and the
# figures measured on it) does not change as the code does.
#   data/rnnstream-java/make.sh [COMMIT]
set -euo pipefail
commit="${1:-1aa8e0c}"
cd "$(dirname "$0")/../.."
out=data/rnnstream-java/rnnstream-java.txt
: >"$out"
git ls-tree -r --name-only "$commit" | grep '\.java$' | LC_ALL=C sort | while read -r path; do
    printf '// file: %s\n' "$path" >>"$out"
    git show "$commit:$path" >>"$out"
done
echo "wrote $out from $commit: $(wc -c <"$out") bytes, $(grep -c '^// file: ' "$out") files"
