#!/usr/bin/env bash
# Lists every German text that the UI shows and checks that po/<lang>.po or one of
# po/<lang>/*.po (one file per module) translates it.
#   scripts/po-check.sh            check po/en.po, print missing msgids, exit 1 if any
#   scripts/po-check.sh --list     print all msgids (one per line)
# Texts are found in templates ({{_ Text}}) and in C (N_("Text") and
# i18n_translate(…, "Text")), so a new text without a translation fails `make check`.
set -euo pipefail
cd "$(dirname "$0")/.."
list() {
  {
    find templates -name '*.html' -print0 | xargs -0 perl -ne 'while (/\{\{_\s+(.*?)\s*\}\}/g) { print "$1\n" }'
    find src -name '*.c' -print0 | xargs -0 perl -0777 -ne '
      while (/(?:\bN_|i18n_translate)\s*\(\s*(?:[^,()"]*,\s*)?"((?:[^"\\]|\\.)*)"\s*\)/g) { print "$1\n" }'
  } | sort -u
}
if [ "${1:-}" = "--list" ]; then list; exit 0; fi
lang=${1:-en}
po="po/$lang.po"
known=$(mktemp); trap 'rm -f "$known"' EXIT
cat "$po" $(ls po/"$lang"/*.po 2>/dev/null) | grep '^msgid "' > "$known" || true
missing=0
while IFS= read -r id; do
  # msgid lines in the .po are C-escaped exactly as in the C source.
  if ! grep -qxF "msgid \"$id\"" "$known"; then
    echo "po-check: $po lacks: $id"
    missing=$((missing + 1))
  fi
done < <(list)
total=$(list | wc -l)
if [ "$missing" -gt 0 ]; then echo "po-check: $missing of $total texts untranslated in $po"; exit 1; fi
echo "po-check: all $total texts translated in $po"
