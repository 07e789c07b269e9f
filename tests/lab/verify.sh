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

# adverts DIR IFACE VRID [PCAP] -> "t node prio int auth dst viplist version" (one line per advert, t relative to
# start; untagged frames only: a VLAN's adverts are read from the capture on its own interface, eth0.100)
adverts() {
  local d=$1 ifc=$2 vrid=$3 m="$1/scenario.json" pcap=${4:-$1/node2-$2.pcap}
  local start macmap
  start=$(jq -r .start "$m")
  macmap=$(jq -r '.nodes | to_entries[] | .key as $n | .value.interfaces[] | "\(.mac) \($n)"' "$m")
  tshark -r "$pcap" -Y "vrrp.virt_rtr_id == $vrid && !vlan" -T fields -E separator='|' -E aggregator=',' \
    -e frame.time_epoch -e eth.src -e vrrp.prio -e vrrp.adver_int -e vrrp.short_adver_int -e vrrp.auth_string \
    -e ip.dst -e ipv6.dst -e vrrp.ip_addr -e vrrp.ipv6_addr -e vrrp.version 2>/dev/null |
  awk -F'|' -v start="$start" -v macmap="$macmap" '
    BEGIN { n = split(macmap, a, "\n"); for (i = 1; i <= n; i++) { split(a[i], b, " "); node[b[1]] = b[2] } }
    { iv = ($4 != "") ? $4 : $5 / 100; au = ($6 != "") ? $6 : "-"; dst = ($7 != "") ? $7 : $8; vips = $9 $10
      printf "%.3f %s %s %s %s %s %s %s\n", $1 - start, (($2 in node) ? node[$2] : "?"), $3, iv, au, dst, (vips == "" ? "-" : vips), $11 }'
}

# merged DIR IFACE VRID -> adverts with priority > 0 from every node's capture of the segment, each advert once
# (a node's own adverts are always in its own capture, whatever a firewall or the link drops)
merged() {
  local f
  for f in "$1"/node?-"$2".pcap; do adverts "$1" "$2" "$3" "$f"; done | sort -n |
    awk '$3 > 0 { if (($2 in lt) && $1 - lt[$2] < 0.05) next; lt[$2] = $1; print }'
}
changes_of() { awk '{ if (p != "" && $2 != p) c++; p = $2 } END { print c + 0 }'; }
# masters_at LINES FROM TO -> nodes with >= 2 adverts in [FROM, TO)
masters_at() { awk -v a="$2" -v b="$3" '$1 >= a && $1 < b {c[$2]++} END {for (n in c) if (c[n] >= 2) print n}' <<<"$1" | sort | tr '\n' ' '; }

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
    # senders in the last 10 s with >= 5 adverts (fewer with a longer advert interval: >= 5 / advert_int)
    lastw=$(awk -v e="$dur" '$1 >= e - 10 && $3 > 0 {c[$2]++; iv[$2] = $4} END {for (n in c) if (c[n] >= 5 / iv[n]) print n}' <<<"$pos" | sort | tr '\n' ' ')
    fm=$(jq -r --arg k "$key" '(.expectDetail.finalMasters[$k] // []) | sort | join(" ")' "$m")
    seq=$(awk '{ if ($2 != p) { printf "%s ", $2; p = $2 } }' <<<"$pos")
    changes=$(awk '{ if (p != "" && $2 != p) c++; p = $2 } END { print c + 0 }' <<<"$pos")
    case "$label" in
      healthy|healthy-on-wire|takeover-by-deaf-node)
        check "$key $label: one master at the end (${lastw:-none})" '[ "$(echo $lastw)" = "${fm:-$(echo $lastw)}" ] && [ $(wc -w <<<"$lastw") = 1 ]' ;;
      split-brain)
        check "$key split-brain: masters in the last 10 s = ${lastw:-none}" '[ $(wc -w <<<"$lastw") -ge 2 ] && { [ -z "$fm" ] || [ "$(echo $lastw)" = "$fm" ]; }' ;;
      flapping)
        changes=$(merged "$d" "$ifc" "$vrid" | changes_of)
        check "$key flapping: $changes sender changes (all captures merged)" '[ "$changes" -ge 4 ]' ;;
      version-mismatch)
        for n in $(jq -r '.expectDetail.versions | keys[]' "$m"); do
          want=$(jq -r --arg n "$n" '.expectDetail.versions[$n]' "$m")
          got=$(awk -v n="$n" '$2 == n {print $8}' <<<"$pos" | sort -u | tr '\n' ' ')
          check "$key version-mismatch: $n sends VRRPv${got:-none}(want $want)" '[ "$(echo $got)" = "$want" ]'
        done ;;
      priority-oscillation)
        o=$(jq -r .expectDetail.oscillatingNode "$m"); all=$(merged "$d" "$ifc" "$vrid")
        changes=$(changes_of <<<"$all")
        prios=$(awk -v n="$o" '$2 == n {print $3}' <<<"$all" | sort -un | tr '\n' ' ')
        want=$(jq -r '.expectDetail.priorities | sort | map(tostring) | join(" ")' "$m")
        check "$key priority-oscillation: $changes sender changes (all captures merged)" '[ "$changes" -ge 3 ]'
        check "$key priority-oscillation: $o advertises priorities $prios(want $want)" '[ "$(echo $prios)" = "$want" ]' ;;
      crash-loop)
        o=$(jq -r .expectDetail.crashingNode "$m"); k=$(jq -r .expectDetail.crashes "$m")
        changes=$(merged "$d" "$ifc" "$vrid" | changes_of)
        kills=$(jq --arg n "$o" '[.actions[] | select(.node == $n and (.action | startswith("kill -KILL")))] | length' "$m")
        check "$key crash-loop: $kills SIGKILLs of $o, $changes sender changes (want >= $((2 * k - 1)))" '[ "$kills" = "$k" ] && [ "$changes" -ge $((2 * k - 1)) ]'
        check "$key crash-loop: no priority-0 advert from $o" '! awk -v n="$o" "\$2 == n && \$3 == 0" <<<"$A" | grep -q .' ;;
      stall)
        o=$(jq -r .expectDetail.stalledNode "$m"); sfor=$(jq -r .expectDetail.stallSeconds "$m")
        t0=$(jq -r --arg n "$o" '.start as $s | [.actions[] | select(.node == $n and (.action | startswith("kill -STOP")))][0].t - $s' "$m")
        gap=$(awk -v n="$o" -v e="$dur" '$2 == n { if (p != "" && $1 - p > g) g = $1 - p; p = $1 } END { if (e - p > g) g = e - p; printf "%.1f", g }' <<<"$pos")
        after=$(awk -v n="$o" -v t="$t0" -v s="$sfor" '$2 == n && $1 > t + s' <<<"$pos" | wc -l)
        during=$(masters_at "$pos" "$t0" "$(awk -v t="$t0" -v s="$sfor" 'BEGIN {print t + s}')")
        check "$key stall: $o silent for ${gap}s (stopped ${sfor}s), $after adverts after SIGCONT, masters during the stall: ${during:-none}" \
          'awk -v g="$gap" -v s="$sfor" "BEGIN { exit !(g >= s - 1.5) }" && [ -n "$(echo ${during/$o/})" ] &&
           if [ "$(jq -r .expectDetail.resumesAdvertising "$m")" = true ]; then [ "$after" -ge 1 ]; else [ "$after" = 0 ]; fi' ;;
      vip-hijack)
        hm=$(jq -r .expectDetail.hijackMac "$m"); hv=$(jq -r .expectDetail.hijackVip "$m"); hn=$(jq -r .expectDetail.announcements "$m")
        c=$(tshark -r "$d/node2-$ifc.pcap" -Y "arp && eth.src == $hm && arp.src.proto_ipv4 == $hv && arp.dst.proto_ipv4 == $hv" 2>/dev/null | wc -l)
        check "$key vip-hijack: $c gratuitous ARPs for $hv from $hm (want $hn)" '[ "$c" = "$hn" ]'
        check "$key vip-hijack: VRRP itself has one master at the end (${lastw:-none})" '[ "$(echo $lastw)" = "$fm" ]' ;;
      advert-loss)
        o=$(jq -r .expectDetail.lossFrom "$m"); lp=$(jq -r .expectDetail.lossPercent "$m")
        t0=$(jq -r '.start as $s | ([.actions[] | select(.node == "switch")][0].t // $s) - $s' "$m")
        sent=$(adverts "$d" "$ifc" "$vrid" "$d/$o-$ifc.pcap" | awk -v n="$o" -v t="$t0" '$2 == n && $1 >= t' | wc -l)
        got=$(awk -v n="$o" -v t="$t0" '$2 == n && $1 >= t' <<<"$A" | wc -l)
        check "$key advert-loss: node2 got $got of $sent adverts $o sent (loss $lp %)" \
          'awk -v g="$got" -v s="$sent" -v l="$lp" "BEGIN { r = 100 * (1 - g / s); exit !(s >= 10 && r > l - 25 && r < l + 25) }"'
        for e in $(jq -r '.expectDetail.finalMasters | keys[]' "$m"); do
          ei=${e%/*}; ev=${e#*/}
          s1=$(adverts "$d" "$ei" "$ev" "$d/$o-$ei.pcap" | awk -v n="$o" '$2 == n' | wc -l); g1=$(adverts "$d" "$ei" "$ev" | awk -v n="$o" '$2 == n' | wc -l)
          check "$e clean: node2 got $g1 of $s1 adverts $o sent" '[ "$s1" -ge 10 ] && [ "$g1" -ge $((s1 - 1)) ]'
        done ;;
      split-brain-heals)
        h=$(jq -r .expectDetail.healedAt "$m"); win=$(jq -r .expectDetail.winner "$m")
        all=$(merged "$d" "$ifc" "$vrid")
        both=$(awk -v h="$h" '$1 < h { s = int($1); c[s, $2] = 1; t[s] = 1 } END { for (x in t) if (c[x, "node1"] && c[x, "node2"]) n++; print n + 0 }' <<<"$all")
        end=$(masters_at "$all" "$(awk -v e="$dur" 'BEGIN {print e - 8}')" "$dur")
        check "$key split-brain-heals: $both seconds with both masters before t=$h, masters in the last 8 s: ${end:-none} (want $win)" \
          '[ "$both" -ge 5 ] && [ "$(echo $end)" = "$win" ]' ;;
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
  # the firewall rule text named in the manifest is in the node's saved ruleset
  for kv in firewallRule:iptables-save nftRule:nft.json ip6tablesRule:ip6tables-save; do
    r=$(jq -r --arg k "${kv%%:*}" '.expectDetail[$k] // empty' "$m"); [ -n "$r" ] || continue
    for n in $(jq -r '.expectDetail.firewallDropsOn | keys[]' "$m"); do
      if [ "${kv#*:}" = nft.json ]; then
        # nft -j has the rule as expressions: render it with nft's own printer from the saved ruleset
        got=$(jq -r '[.nftables[] | select(.rule) | .rule.expr | tostring] | join("\n")' "$d/$n.nft.json" | grep -c '"drop"')
        check "$n.nft.json holds a drop rule for '$r'" '[ "$got" -ge 1 ] && jq -e ".nftables[] | select(.rule.chain == \"input\" and .rule.table == \"filter\" and .rule.family == \"inet\")" "$d/$n.nft.json" >/dev/null'
      else
        check "$n.${kv#*:} has '$r'" 'grep -qxF -- "$r" "$d/$n.${kv#*:}"'
      fi
    done
  done
  for n in $(jq -r '.expectDetail.advertRcvdZero // {} | keys[]' "$m"); do
    i=$(jq -r --arg n "$n" '.expectDetail.advertRcvdZero[$n]' "$m")
    r=$(for j in "$d/$n"-json-*.json; do jq -r --arg i "$i" '.[] | select(.data.iname == $i) | .stats.advert_rcvd' "$j"; done | sort -un | tr '\n' ' ')
    check "$n $i advert_rcvd in every JSON dump: $r(want 0)" '[ "$(echo $r)" = 0 ]'
  done
  # the observer sees every router that node2 sees, on every segment (unicast too: the bridges flood)
  if [ -f "$d/observer.pcapng" ]; then
    for key in $(jq -r '.expect | keys[]' "$m"); do
      ifc=${key%/*}; vrid=${key#*/}
      if [ "$ifc" = eth0.100 ]; then f="frame.interface_name == \"eth0\" && vlan.id == 100"; ifc2=eth0.100; else f="frame.interface_name == \"$ifc\" && !vlan"; ifc2=$ifc; fi
      o=$(tshark -r "$d/observer.pcapng" -Y "$f && vrrp.virt_rtr_id == $vrid" -T fields -e eth.src 2>/dev/null | sort -u | tr '\n' ' ')
      w=$(adverts "$d" "$ifc2" "$vrid" | awk '{print $2}' | sort -u | while read -r x; do jq -r --arg x "$x" --arg i "${ifc%%.*}" '.nodes[$x].interfaces[$i].mac // empty' "$m"; done | sort -u | tr '\n' ' ')
      check "observer $key sees ${o:-nobody}(node2 sees ${w:-nobody})" '[ -n "$o" ] && for x in $w; do grep -q "$x" <<<"$o" || exit 1; done'
    done
  fi
  # the host bundle of every keepalived node (scenarios with a diagnosis)
  if [ "$(jq -r '.diagnosis != null' "$m")" = true ]; then
    for n in $(jq -r '.nodes | to_entries[] | select(.value.config != null) | .key' "$m"); do
      nj=$(ls "$d/$n"-json-*.json 2>/dev/null | wc -l); dd=$(ls "$d/$n"-data-*.txt 2>/dev/null | head -1)
      idx=$(jq -r --arg n "$n" '.nodes[$n].interfaces.eth0.ifindex' "$m")
      check "$n bundle: $nj JSON dumps, data dump lists eth0 with index $idx, ip -j link/addr, iptables/ip6tables/nft saved" \
        '[ "$nj" -ge 3 ] && [ -n "$dd" ] && grep -A1 -x " Name = eth0" "$dd" | grep -qx "   index = $idx" &&
         jq -e --argjson i "$idx" ".[] | select(.ifname == \"eth0\" and .ifindex == \$i)" "$d/$n.ip-link.json" >/dev/null &&
         jq -e ".[] | select(.ifname == \"eth0\") | .addr_info | length > 0" "$d/$n.ip-addr.json" >/dev/null &&
         [ -f "$d/$n.iptables-save" ] && [ -f "$d/$n.ip6tables-save" ] && jq -e .nftables "$d/$n.nft.json" >/dev/null'
    done
    # every file the manifest lists is there, and every file there is listed
    miss=$(jq -r '.files | keys[]' "$m" | while read -r f; do [ -f "$d/$f" ] || echo "$f"; done)
    extra=$(ls "$d" | grep -vx scenario.json | while read -r f; do jq -e --arg f "$f" '.files[$f]' "$m" >/dev/null || echo "$f"; done)
    check "manifest files: missing '${miss}' unlisted '${extra}'" '[ -z "$miss" ] && [ -z "$extra" ]'
  fi
  # a VLAN: tagged adverts on eth0, untagged on eth0.100, and the two VRID 51 keep their own VIPs
  if [ "$(jq -r '.segments["eth0.100"] != null' "$m")" = true ]; then
    t=$(tshark -r "$d/node2-eth0.pcap" -Y "vlan.id == 100 && vrrp.virt_rtr_id == 51" -T fields -e vrrp.ip_addr 2>/dev/null | sort -u | tr '\n' ' ')
    u=$(tshark -r "$d/node2-eth0.pcap" -Y "!vlan && vrrp.virt_rtr_id == 51" -T fields -E aggregator=',' -e vrrp.ip_addr 2>/dev/null | sort -u | tr '\n' ' ')
    v=$(tshark -r "$d/node2-eth0.100.pcap" -Y "vrrp.virt_rtr_id == 51" -T fields -e vrrp.ip_addr 2>/dev/null | sort -u | tr '\n' ' ')
    check "VLAN 100: tagged VRID 51 on eth0 = ${t:-none}, untagged = ${u:-none}, on eth0.100 = ${v:-none}" \
      '[ "$(echo $t)" = 192.168.100.1 ] && [ "$(echo $v)" = 192.168.100.1 ] && [ "$(echo $u)" = "192.168.2.1,192.168.2.2" ]'
  fi
  for v6 in $(jq -r '.expectDetail.ipv6Vips // [] | .[]' "$m"); do
    c=$(tshark -r "$d/node2-eth0.pcap" -Y "icmpv6.type == 136 && icmpv6.nd.na.target_address == $v6" 2>/dev/null | wc -l)
    check "unsolicited NAs for $v6: $c" '[ "$c" -ge 5 ]'
  done
done
echo
[ "$FAILS" = 0 ] && echo "all checks passed" || echo "$FAILS check(s) failed"
[ "$FAILS" = 0 ]
