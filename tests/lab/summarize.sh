#!/usr/bin/env bash
# Summarise a recorded lab scenario with tshark: who advertises on which VRID per
# second, priorities, auth strings, gratuitous ARPs and unsolicited NAs.
#
#   bash tests/lab/summarize.sh tests/fixtures/lab/firewall-eth0-both [more dirs...]
#
# Timeline legend (one character per second since capture start):
#   1/2/3  only that node advertised       B  two nodes   *  three nodes
#   0      a priority-0 advert was seen    .  no advert
# GARP/NA line: digit of the node that sent gratuitous ARP / unsolicited NA in that second.
set -euo pipefail

summarize() {
  local dir=$1 m start end f
  m="$dir/scenario.json"
  [ -f "$m" ] || { echo "no scenario.json in $dir" >&2; return 1; }
  start=$(jq -r .start "$m"); end=$(jq -r .end "$m")
  echo "== $(jq -r '"\(.scenario) (variant \(.variant)): \(.description)"' "$m")"
  echo "   expect: $(jq -c .expect "$m")"
  jq -r '.actions[] | "   t+\((.t - '"$start"') * 10 | round / 10)s \(.node): \(.action)"' "$m"
  # MAC -> node digit map
  local macmap
  macmap=$(jq -r '.nodes | to_entries[] | .key as $n | .value.interfaces[] | "\(.mac) \($n|ltrimstr("node"))"' "$m")
  for f in "$dir"/node?-eth?.pcap; do
    echo "-- $(basename "$f")"
    tshark -r "$f" -T fields -E separator='|' -e frame.time_epoch -e eth.src -e vrrp.virt_rtr_id -e vrrp.prio \
      -e vrrp.adver_int -e vrrp.auth_string -e vrrp.short_adver_int -e vrrp.version -e arp.isgratuitous -e arp.src.proto_ipv4 \
      -e icmpv6.type -e icmpv6.nd.na.target_address -e ip.dst -e ipv6.src 2>/dev/null |
    awk -F'|' -v start="$start" -v end="$end" -v macmap="$macmap" '
      BEGIN { maxt = int(end - start); n = split(macmap, a, "\n"); for (i = 1; i <= n; i++) { split(a[i], b, " "); node[b[1]] = b[2] } }
      {
        t = int($1 - start); if (t < 0) t = 0
        who = ($2 in node) ? node[$2] : "?"
        if ($3 != "") {
          key = "node" who " vrid " $3 " prio " $4 " int " $5 (($6 != "") ? " auth " $6 : "") (($7 != "") ? " cs " $7 : "") " v" $8 " dst " (($13 != "") ? $13 : "ipv6") (($14 != "") ? " src " $14 : "")
          cnt[key]++
          vr[$3] = 1
          if (index(sec[$3, t], who) == 0) sec[$3, t] = sec[$3, t] who
          if ($4 == 0) zero[$3, t] = 1
        } else if ($9 == "1" || $9 == "True") {
          garp["node" who " GARP " $10]++; g[t] = g[t] who
        } else if ($11 == "136") {
          garp["node" who " NA " $12]++; g[t] = g[t] who
        }
      }
      END {
        for (k in cnt) printf "   %4d adverts  %s\n", cnt[k], k
        for (k in garp) printf "   %4d  %s\n", garp[k], k
        for (v in vr) {
          line = ""
          for (t = 0; t <= maxt; t++) {
            s = sec[v, t]; c = "."
            if (zero[v, t]) c = "0"
            else if (length(s) == 1) c = s
            else if (length(s) == 2) c = "B"
            else if (length(s) > 2) c = "*"
            line = line c
          }
          printf "   vrid %-3s %s\n", v, line
        }
        line = ""
        for (t = 0; t <= maxt; t++) { c = "."; if (g[t] != "") c = substr(g[t], 1, 1); line = line c }
        printf "   garp/na  %s\n", line
      }' | sort -k1,1 -s
  done
  for f in "$dir"/node?.log; do
    local rat
    rat=$(grep -c 'Receive advertisement timeout' "$f" || true)
    echo "-- $(basename "$f"): $(grep -cE 'Entering MASTER STATE' "$f" || true) x MASTER, $(grep -cE 'Entering BACKUP STATE' "$f" || true) x BACKUP, $rat x 'Receive advertisement timeout'"
    grep -E 'passwd|auth|interval|VRID|ip address|advert from|Receive advertisement timeout|forcing|priority 0|lower priority|effective priority|track' "$f" \
      | grep -viE 'Assigned address|Sending gratuitous|Sending/queueing|removing VIPs|setting VIPs|Netlink|sockpool' | sed 's/^[A-Za-z]* [A-Za-z]* *[0-9]* //' | sort | uniq -c | sort -rn | head -6 | sed 's/^/   /'
  done
}

for d in "$@"; do summarize "${d%/}"; echo; done
