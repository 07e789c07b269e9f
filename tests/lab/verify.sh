#!/usr/bin/env bash
# Check that each recording shows what its scenario.json "expect"/"expectDetail" claim.
# Uses only tshark + jq + awk; looks at node2's captures (node2 is on both segments in every scenario).
#
#   bash tests/lab/verify.sh                      # all dirs under tests/fixtures/lab
#   bash tests/lab/verify.sh tests/fixtures/lab/healthy-v2
set -uo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -gt 0 ] || set -- "$HERE"/../fixtures/lab/*/
FAILS=0

# adverts DIR IFACE VRID [PCAP] -> "t node prio int auth dst viplist" (one line per advert, t relative to start)
adverts() {
  local d=$1 ifc=$2 vrid=$3 m="$1/scenario.json" pcap=${4:-$1/node2-$2.pcap}
  local start macmap
  start=$(jq -r .start "$m")
  macmap=$(jq -r '.nodes | to_entries[] | .key as $n | .value.interfaces[] | "\(.mac) \($n)"' "$m")
  tshark -r "$pcap" -Y "vrrp.virt_rtr_id == $vrid" -T fields -E separator='|' -E aggregator=',' \
    -e frame.time_epoch -e eth.src -e vrrp.prio -e vrrp.adver_int -e vrrp.short_adver_int -e vrrp.auth_string \
    -e ip.dst -e ipv6.dst -e vrrp.ip_addr -e vrrp.ipv6_addr 2>/dev/null |
  awk -F'|' -v start="$start" -v macmap="$macmap" '
    BEGIN { n = split(macmap, a, "\n"); for (i = 1; i <= n; i++) { split(a[i], b, " "); node[b[1]] = b[2] } }
    { iv = ($4 != "") ? $4 : $5 / 100; au = ($6 != "") ? $6 : "-"; dst = ($7 != "") ? $7 : $8; vips = $9 $10
      printf "%.3f %s %s %s %s %s %s\n", $1 - start, (($2 in node) ? node[$2] : "?"), $3, iv, au, dst, (vips == "" ? "-" : vips) }'
}

ok()   { printf '   ok   %s\n' "$*"; }
bad()  { printf '   FAIL %s\n' "$*"; FAILS=$((FAILS + 1)); }
check() { if eval "$2"; then ok "$1"; else bad "$1"; fi; }

for d in "$@"; do
  d=${d%/}; m="$d/scenario.json"; [ -f "$m" ] || continue
  dur=$(jq -r '.end - .start' "$m")
  echo "== $(basename "$d")  $(jq -c .expect "$m")"
  for key in $(jq -r '.expect | keys[]' "$m"); do
    ifc=${key%/*}; vrid=${key#*/}; label=$(jq -r --arg k "$key" '.expect[$k]' "$m")
    A=$(adverts "$d" "$ifc" "$vrid")
    pos=$(awk '$3 > 0' <<<"$A")
    # senders in the last 10 s with >= 5 adverts
    lastw=$(awk -v e="$dur" '$1 >= e - 10 && $3 > 0 {c[$2]++} END {for (n in c) if (c[n] >= 5) print n}' <<<"$pos" | sort | tr '\n' ' ')
    fm=$(jq -r --arg k "$key" '(.expectDetail.finalMasters[$k] // []) | sort | join(" ")' "$m")
    seq=$(awk '{ if ($2 != p) { printf "%s ", $2; p = $2 } }' <<<"$pos")
    changes=$(awk '{ if (p != "" && $2 != p) c++; p = $2 } END { print c + 0 }' <<<"$pos")
    case "$label" in
      healthy|healthy-on-wire|takeover-by-deaf-node)
        check "$key $label: one master at the end (${lastw:-none})" '[ "$(echo $lastw)" = "${fm:-$(echo $lastw)}" ] && [ $(wc -w <<<"$lastw") = 1 ]' ;;
      split-brain)
        check "$key split-brain: masters in the last 10 s = ${lastw:-none}" '[ $(wc -w <<<"$lastw") -ge 2 ] && { [ -z "$fm" ] || [ "$(echo $lastw)" = "$fm" ]; }' ;;
      flapping)
        # each node's own adverts are always in its own capture: merge all captures of the segment
        changes=$(for f in "$d"/node?-"$ifc".pcap; do adverts "$d" "$ifc" "$vrid" "$f"; done | sort -n |
          awk '$3 > 0 { if (($2 in lt) && $1 - lt[$2] < 0.05) next; lt[$2] = $1; if (p != "" && $2 != p) c++; p = $2 } END { print c + 0 }')
        check "$key flapping: $changes sender changes (all captures merged)" '[ "$changes" -ge 4 ]' ;;
      failover|failover-failback)
        want=$(jq -r --arg k "$key" '(.expectDetail.mastersInOrder[$k] // []) | join(" ")' "$m")
        check "$key $label: masters in order '$seq' = '$want'" '[ "$(echo $seq)" = "$want" ]' ;;
      auth-mismatch)
        n=$(awk '{print $5}' <<<"$pos" | sort -u | wc -l)
        check "$key auth-mismatch: $n different auth strings" '[ "$n" -ge 2 ]' ;;
      interval-mismatch)
        n=$(awk '{print $4}' <<<"$pos" | sort -u | tr '\n' ' ')
        check "$key interval-mismatch: intervals seen: $n" '[ $(wc -w <<<"$n") -ge 2 ]' ;;
      vrid-conflict)
        f=$(jq -r .expectDetail.foreignNode "$m")
        nv=$(awk '{print $7}' <<<"$pos" | sort -u | wc -l)
        check "$key vrid-conflict: $f advertises, $nv different VIP lists" 'grep -q " $f " <<<"$pos" && [ "$nv" -ge 2 ]' ;;
      no-master)
        tail_s=$(jq -r '.expectDetail.silentTailSeconds' "$m")
        last=$(tail -1 <<<"$A" | awk '{print $1}')
        check "$key no-master: last advert at ${last}s of ${dur}s, no priority 0" \
          'awk -v l="$last" -v e="$dur" -v s="$tail_s" "BEGIN { exit !(l <= e - s + 1) }" && ! awk "\$3 == 0" <<<"$A" | grep -q .' ;;
      *) bad "$key unknown label $label" ;;
    esac
    z=$(jq -r '.expectDetail.priorityZeroFrom // empty' "$m")
    [ -n "$z" ] && check "$key priority-0 advert from $z" 'awk "\$3 == 0 {print \$2}" <<<"$A" | grep -qx "$z"'
    if [ "$(jq -r '.expectDetail.unicast // false' "$m")" = true ]; then
      check "$key unicast: no advert to 224.0.0.18" '! grep -q " 224.0.0.18 " <<<"$A" && [ -n "$A" ]'
    fi
  done
  # daemon-side facts
  w=$(jq -r '.expectDetail.backupWantsMaster // empty' "$m")
  if [ -n "$w" ]; then
    line=$(jq -r .expectDetail.logLine "$m")
    c=$(grep -c "(SERVICE) $line" "$d/$w.log")
    check "$w logs '(SERVICE) $line' $c times" '[ "$c" -ge 3 ]'
    j=$(ls "$d/$w"-json-*.json | tail -1)
    st=$(jq -r '.[] | select(.data.iname == "SERVICE") | "\(.data.state) \(.data.wantstate)"' "$j")
    check "$w JSON dump: SERVICE state/wantstate = $st (want 1 2)" '[ "$st" = "1 2" ]'
  fi
  for v6 in $(jq -r '.expectDetail.ipv6Vips // [] | .[]' "$m"); do
    c=$(tshark -r "$d/node2-eth0.pcap" -Y "icmpv6.type == 136 && icmpv6.nd.na.target_address == $v6" 2>/dev/null | wc -l)
    check "unsolicited NAs for $v6: $c" '[ "$c" -ge 5 ]'
  done
done
echo
[ "$FAILS" = 0 ] && echo "all checks passed" || echo "$FAILS check(s) failed"
[ "$FAILS" = 0 ]
