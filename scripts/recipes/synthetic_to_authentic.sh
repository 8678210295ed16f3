#!/usr/bin/env bash
# The seed paper's experiment ("Synthetic to Authentic") as one recipe:
# render identities, translate them towards real photos, train face
# recognition on both, verify on held-out data, and print the table
# (rows: training sets; columns: benchmarks). docs/transfer.md, "The seed
# paper's experiment".
#
#   scripts/recipes/synthetic_to_authentic.sh OUT [PHOTOS] [BIN ...]
#
# OUT     the working folder (created; reruns resume every step)
# PHOTOS  aligned real face photos for the translator (FFHQ-like); at toy
#         scale without it, renders of other identities under a colour
#         change stand in, which tests the mechanics, not realism
# BIN     InsightFace verification .bin files (lfw.bin, cfp_fp.bin, ...);
#         without any, pairs of held-out rendered identities are used
#
# SCALE=toy (default; minutes on a CPU, what CI runs) or full (the paper's
# sizes; a GPU with DEVICE=cuda). METHOD=cyclegan|cut|fastcut (default cut).
# SYNTHFORGE: the CLI to run (default: synthforge on PATH).
set -euo pipefail
out="${1:?usage: synthetic_to_authentic.sh OUT [PHOTOS] [BIN ...]}"
photos="${2:-}"
shift $(( $# >= 2 ? 2 : $# ))
bins=("$@")
sf="${SYNTHFORGE:-synthforge}"
scale="${SCALE:-toy}"
method="${METHOD:-cut}"
device="${DEVICE:-auto}"
case "$scale" in
  toy)  ids=12; per=4; size=64;  held=6;  tsize=64;  tepochs=1; ngf=8;  blocks=2; frpreset=tiny; frepochs=4; frbatch=8 ;;
  full) ids=10000; per=50; size=256; held=500; tsize=256; tepochs=10; ngf=64; blocks=0; frpreset=ir50; frepochs=26; frbatch=256 ;;
  *) echo "SCALE is toy or full" >&2; exit 2 ;;
esac
mkdir -p "$out"
quiet=(--progress none)
step() { echo "== $*" >&2; }

step "1. render $ids identities x $per images at ${size}^2, and $held held-out identities"
"$sf" generate --sampler identity --identities "$ids" --per-identity "$per" --count $((ids * per)) \
  --size "$size" --seed 1 --out "$out/identities" --resume "${quiet[@]}"
"$sf" generate --sampler identity --identities "$held" --per-identity "$per" --count $((held * per)) \
  --size "$size" --seed 2 --out "$out/held_out" --resume "${quiet[@]}"

if [ -z "$photos" ]; then
  [ "$scale" = toy ] || { echo "SCALE=full needs PHOTOS (aligned real faces)" >&2; exit 2; }
  step "   no photos given: renders of other identities stand in for them (mechanics only)"
  echo '{"format": "synthforge-sampler", "version": 1, "camera_effects": {"white_balance": {"probability": 1}, "exposure": {"probability": 1}}}' \
    > "$out/stand_in_sampler.json"
  "$sf" generate --count $((ids * per)) --size "$size" --seed 3 --out "$out/stand_in" --resume "${quiet[@]}" \
    --sampler-config "$out/stand_in_sampler.json"
  photos="$out/stand_in/images"
fi

step "2. train the translator ($method) from the renders towards $photos"
resume=(); [ -f "$out/transfer/config.json" ] && resume=(--resume)
if [ ! -f "$out/transfer/final.safetensors" ]; then
  "$sf" transfer train --method "$method" --source "$out/identities" --target "$photos" --out "$out/transfer" \
    --size "$tsize" --epochs "$tepochs" --ngf "$ngf" --blocks "$blocks" --device "$device" "${resume[@]}" "${quiet[@]}"
fi

step "3. translate the identities (annotations and aligned crops follow)"
resume=(); [ -f "$out/identities_transferred/manifest.json" ] && resume=(--resume)
"$sf" transfer apply --model "$out/transfer" --data "$out/identities" --out "$out/identities_transferred" \
  --device "$device" "${resume[@]}" "${quiet[@]}"

step "4. face recognition ($frpreset) on each"
for set in identities identities_transferred; do
  run="$out/fr_$set"
  [ -f "$run/final.safetensors" ] && continue
  resume=(); [ -f "$run/config.json" ] && resume=(--resume)
  "$sf" fr train --data "$out/$set/fr" --out "$run" --preset "$frpreset" --epochs "$frepochs" --batch "$frbatch" \
    --device "$device" "${resume[@]}" "${quiet[@]}"
done

step "5. verification"
evalargs=()
for b in "${bins[@]}"; do evalargs+=(--bin "$b"); done
if [ ${#evalargs[@]} -eq 0 ]; then
  ln -sfn held_out/fr "$out/held_out_identities"  # the table's column is the folder's name
  evalargs=(--identities "$out/held_out_identities")
fi
for set in identities identities_transferred; do
  "$sf" fr eval --model "$out/fr_$set" "${evalargs[@]}" --device "$device" "${quiet[@]}" >/dev/null
done

step "6. the table"
"$sf" fr table rendered="$out/fr_identities" transferred="$out/fr_identities_transferred" \
  --out "$out/table.md" --csv "$out/table.csv"
