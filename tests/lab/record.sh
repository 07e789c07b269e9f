#!/usr/bin/env bash
# vrrpscope recording lab: builds keepalived clusters in network namespaces,
# applies a fault and records the wire (pcap / pcapng / SLL2) plus daemon-side
# evidence into tests/fixtures/lab/<scenario>[-v<N>]/.
#
#   sudo bash tests/lab/record.sh                       # all scenarios, variants 1 and 2 (in parallel)
#   sudo bash tests/lab/record.sh healthy lossy-eth0    # only these scenarios
#   sudo bash tests/lab/record.sh --variant 2 healthy   # one variant only
#   sudo bash tests/lab/record.sh --list
#
# Safety: every packet stays inside namespaces created here (vs-v<N>-sw,
# vs-v<N>-n1, -n2, -n3). Host interfaces, routes and firewall are never touched.
# Everything is torn down by an EXIT trap, also on failure or Ctrl-C.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT_BASE="$REPO/tests/fixtures/lab"

ALL_SCENARIOS=(healthy firewall-eth0-both firewall-eth0-one lossy-eth0 failover-failback
  priority-track auth-mismatch interval-mismatch vrid-conflict vrrpv3-ipv6 unicast-peers
  sync-group-firewall no-master)

FILTER='vrrp or arp or ip proto 51 or (icmp6 and ip6[40]==136) or ip6 proto 112'
SNAPLEN=200

usage() {
  cat <<EOF
usage: bash tests/lab/record.sh [--variant N]... [--out DIR] [--serial] [--list] [scenario...]
  --variant N   record variant N (repeatable; default: 1 and 2). Variant 1 goes to
                <out>/<scenario>/, variant N>1 to <out>/<scenario>-v<N>/.
  --out DIR     output base directory (default: tests/fixtures/lab)
  --serial      record several variants one after the other instead of in parallel
  --list        list scenarios and exit
scenarios: ${ALL_SCENARIOS[*]}
EOF
}

VARIANTS=()
SCENARIOS=()
SERIAL=0
while [ $# -gt 0 ]; do
  case "$1" in
    --variant) VARIANTS+=("$2"); shift 2 ;;
    --variant=*) VARIANTS+=("${1#*=}"); shift ;;
    --out) OUT_BASE=$(mkdir -p "$2" && cd "$2" && pwd); shift 2 ;;
    --serial) SERIAL=1; shift ;;
    --list) printf '%s\n' "${ALL_SCENARIOS[@]}"; exit 0 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "unknown option $1" >&2; usage >&2; exit 2 ;;
    *) SCENARIOS+=("$1"); shift ;;
  esac
done
[ ${#SCENARIOS[@]} -gt 0 ] || SCENARIOS=("${ALL_SCENARIOS[@]}")
[ ${#VARIANTS[@]} -gt 0 ] || VARIANTS=(1 2)
for s in "${SCENARIOS[@]}"; do
  case " ${ALL_SCENARIOS[*]} " in *" $s "*) ;; *) echo "unknown scenario: $s" >&2; exit 2 ;; esac
done
for v in "${VARIANTS[@]}"; do
  [[ "$v" =~ ^[1-9][0-9]?$ ]] || { echo "bad variant: $v" >&2; exit 2; }
done

[ "$(id -u)" = 0 ] || { echo "record.sh must run as root (network namespaces, keepalived)" >&2; exit 1; }
for bin in ip keepalived tcpdump dumpcap iptables iptables-save nft jq tshark; do
  command -v "$bin" >/dev/null || { echo "missing $bin" >&2; exit 1; }
done

# ---------------------------------------------------------------------------
# Several variants: run one child per variant (parallel unless --serial).
if [ ${#VARIANTS[@]} -gt 1 ]; then
  CHILDREN=()
  kill_children() { for p in "${CHILDREN[@]:-}"; do [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true; done; wait || true; }
  trap 'kill_children; exit 130' INT TERM HUP
  rc=0
  for v in "${VARIANTS[@]}"; do
    if [ "$SERIAL" = 1 ]; then
      bash "$0" --variant "$v" --out "$OUT_BASE" "${SCENARIOS[@]}" || rc=1
    else
      bash "$0" --variant "$v" --out "$OUT_BASE" "${SCENARIOS[@]}" > >(sed -u "s/^/[v$v] /") 2>&1 &
      CHILDREN+=($!)
    fi
  done
  for p in "${CHILDREN[@]:-}"; do [ -n "$p" ] && { wait "$p" || rc=1; }; done
  exit $rc
fi

V=${VARIANTS[0]}
P="vs-v$V"                       # namespace prefix
SIG_JSON=$(keepalived --signum=JSON)
KA_VERSION=$(keepalived --version 2>&1 | awk '/^Keepalived/ {print $2; exit}')

log() { printf '%s [%s] %s\n' "$(date +%T)" "${SC:-lab}" "$*" >&2; }
now() { date +%s.%3N; }

# -------------------------------------------------------------- variant knobs
# pick VALUE_FOR_V1 VALUE_FOR_V2 -> value for the current variant; variants >2
# alternate between the two with a small deterministic jitter for numbers.
pick() {
  if [ "$V" = 1 ]; then echo "$1"; elif [ "$V" = 2 ]; then echo "$2"
  else
    local x; if [ $((V % 2)) = 1 ]; then x=$1; else x=$2; fi
    if [[ "$x" =~ ^[0-9]+$ ]] && [ "$x" -ge 4 ]; then echo $((x + (V * 7) % 3 - 1)); else echo "$x"; fi
  fi
}

# ------------------------------------------------------------ per-scenario state
reset_state() {
  NODES=(1 2)                   # nodes taking part
  declare -gA PRIO=([1]=100 [2]=100 [3]=100)
  declare -gA NOPREEMPT=([1]=1 [2]=1 [3]=1)
  declare -gA ADV51=([1]=1 [2]=1 [3]=1)
  declare -gA AUTH51=([1]=vrrp51 [2]=vrrp51 [3]=vrrp51)
  declare -gA KPID=() VPIDFILE=()
  VERSION=2; SYNC=0; V6=0; UNICAST=0; TRACK=0
  JSON_EVERY=0                  # seconds between JSON dumps (0 = only a final dump)
  SAVE_FW=0                     # save iptables-save / nft -j per node
  EXPECT='{}'; EXPECT_DETAIL='{}'; DESCRIPTION=""
  CAP_PIDS=(); DUMP_LOOP_PID=""; CAP_START=""; CAP_END=""
  : > "$W/actions.jsonl"
}

# record an action (t = epoch seconds with ms) and optionally run it
action() { # node "text"
  [ -n "${CAP_END:-}" ] && return 0          # teardown after the captures stopped is not recorded
  jq -nc --argjson t "$(now)" --arg node "$1" --arg a "$2" '{t:$t,node:$node,action:$a}' >> "$W/actions.jsonl"
  log "$1: $2"
}

ns() { echo "$P-n$1"; }
mac() { printf '02:00:00:%02x:%02x:%02x' "$V" "$1" "$2"; }   # node, iface index

# ------------------------------------------------------------------ topology
setup_topology() {
  local sw="$P-sw" n i
  cleanup_ns                                     # leftovers of an earlier aborted run
  ip netns add "$sw"
  ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$sw" link set lo up
  for i in 0 1; do
    ip -n "$sw" link add "br$i" type bridge stp_state 0 mcast_snooping 0
    ip -n "$sw" link set "br$i" up
  done
  for n in "${NODES[@]}"; do
    ip netns add "$(ns "$n")"
    ip netns exec "$(ns "$n")" sysctl -qw net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.all.accept_dad=0 \
      net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.all.router_solicitations=0
    ip -n "$(ns "$n")" link set lo up
    for i in $(node_ifaces "$n"); do
      ip -n "$sw" link add "n$n-eth$i" type veth peer name "eth$i" netns "$(ns "$n")"
      ip -n "$sw" link set "n$n-eth$i" master "br$i" up
      ip -n "$(ns "$n")" link set "eth$i" address "$(mac "$n" "$i")"
      if [ "$i" = 0 ]; then
        ip -n "$(ns "$n")" addr add "192.168.2.1$n/24" dev eth0
        ip -n "$(ns "$n")" addr add "fd00:2::1$n/64" dev eth0 nodad
      else
        ip -n "$(ns "$n")" addr add "10.1.2.1$n/24" dev eth1
      fi
      ip -n "$(ns "$n")" link set "eth$i" up
    done
  done
}
node_ifaces() { if [ "$1" = 3 ]; then echo 0; else echo "0 1"; fi; }

cleanup_ns() {
  local n pid
  for n in "$P-n1" "$P-n2" "$P-n3" "$P-sw"; do
    if ip netns list | awk '{print $1}' | grep -qx "$n"; then
      for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$n" 2>/dev/null || true
    fi
  done
}

# ------------------------------------------------------------------ configs
gen_conf() { # node -> writes $W/n<node>/keepalived.conf
  local n=$1 d="$W/n$1" peer
  peer=$([ "$n" = 1 ] && echo 2 || echo 1)
  {
    echo "# vrrpscope lab: scenario $SC variant $V node$n"
    echo "global_defs {"
    echo "  router_id node$n"
    [ "$VERSION" = 3 ] && echo "  vrrp_version 3"
    echo "}"
    if [ "$TRACK" = 1 ] && [ "$n" != 3 ]; then
      echo "track_file TRACK_SERVICE {"
      echo "  file $d/track_service"
      echo "}"
    fi
    if [ "$SYNC" = 1 ] && [ "$n" != 3 ]; then
      echo "vrrp_sync_group G1 {"
      echo "  group {"; echo "    SERVICE"; echo "    BACKEND"; echo "  }"
      echo "}"
    fi
    if [ "$n" = 3 ]; then
      instance OTHER eth0 51 "${PRIO[3]}" "${NOPREEMPT[3]}" "${ADV51[3]}" "${AUTH51[3]}" "" "" "192.168.2.50/24"
      return
    fi
    local usrc0="" upeer0="" usrc1="" upeer1=""
    if [ "$UNICAST" = 1 ]; then
      usrc0="192.168.2.1$n"; upeer0="192.168.2.1$peer"; usrc1="10.1.2.1$n"; upeer1="10.1.2.1$peer"
    fi
    instance SERVICE eth0 51 "${PRIO[$n]}" "${NOPREEMPT[$n]}" "${ADV51[$n]}" "${AUTH51[$n]}" "$usrc0" "$upeer0" \
      "192.168.2.1/24" "192.168.2.2/24"
    if [ "$V6" = 1 ]; then
      if [ "$V" = 1 ]; then
        instance SERVICE6 eth0 61 "${PRIO[$n]}" "${NOPREEMPT[$n]}" 1 "" "" "" "fd00:2::1/64"
      else
        instance SERVICE6 eth0 61 "${PRIO[$n]}" "${NOPREEMPT[$n]}" 1 "" "" "" "fe80::61/64" "fd00:2::1/64"
      fi
    fi
    instance BACKEND eth1 52 "${PRIO[$n]}" "${NOPREEMPT[$n]}" 1 vrrp52 "$usrc1" "$upeer1" "10.1.2.1/24"
  } > "$d/keepalived.conf"
}

instance() { # name iface vrid prio nopreempt advert auth usrc upeer vip...
  local name=$1 ifc=$2 vrid=$3 prio=$4 nop=$5 adv=$6 auth=$7 usrc=$8 upeer=$9; shift 9
  echo "vrrp_instance $name {"
  echo "  state BACKUP"
  echo "  interface $ifc"
  echo "  virtual_router_id $vrid"
  echo "  priority $prio"
  [ "$nop" = 1 ] && echo "  nopreempt"
  echo "  advert_int $adv"
  echo "  garp_master_delay 5"
  if [ "$VERSION" = 2 ] && [ -n "$auth" ]; then
    echo "  authentication {"; echo "    auth_type PASS"; echo "    auth_pass $auth"; echo "  }"
  fi
  if [ -n "$usrc" ]; then
    echo "  unicast_src_ip $usrc"
    echo "  unicast_peer {"; echo "    $upeer"; echo "  }"
  fi
  if [ "$TRACK" = 1 ] && [ "$name" = SERVICE ]; then
    echo "  track_file {"; echo "    TRACK_SERVICE weight 1"; echo "  }"
  fi
  echo "  virtual_ipaddress {"
  local vip; for vip in "$@"; do echo "    $vip dev $ifc"; done
  echo "  }"
  echo "}"
}

# ------------------------------------------------------------------ daemons
start_node() { # node
  local n=$1 d="$W/n$1" i
  [ "$TRACK" = 1 ] && [ ! -f "$d/track_service" ] && echo 0 > "$d/track_service"
  rm -f "$d/keepalived.pid" "$d/vrrp.pid"
  ip netns exec "$(ns "$n")" sh -c 'mount --bind "$1" /tmp && shift && exec keepalived "$@"' _ \
    "$d/tmp" -n -R -l -D -G -P -f "$d/keepalived.conf" -p "$d/keepalived.pid" -r "$d/vrrp.pid" \
    >> "$d/keepalived.log" 2>&1 &
  KPID[$n]=$!
  VPIDFILE[$n]="$d/vrrp.pid"
  action "node$n" "keepalived start (--vrrp, priority ${PRIO[$n]})"
  for i in $(seq 30); do [ -s "$d/vrrp.pid" ] && break; sleep 0.1; done
  [ -s "$d/vrrp.pid" ] || { log "keepalived on node$n did not start"; cat "$d/keepalived.log" >&2; return 1; }
}

stop_node() { # node [TERM|KILL]
  local n=$1 sig=${2:-TERM} pid=${KPID[$1]:-} i
  [ -n "$pid" ] || return 0
  if [ "$sig" = KILL ]; then
    action "node$n" "kill -KILL keepalived (vrrp child, then parent: no priority-0 advert)"
    [ -s "${VPIDFILE[$n]}" ] && kill -KILL "$(cat "${VPIDFILE[$n]}")" 2>/dev/null || true
    # with -R the parent reaps the dead child and exits by itself (no adverts); make sure it is gone
    for i in $(seq 10); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
    kill -KILL "$pid" 2>/dev/null || true
  else
    action "node$n" "kill -TERM keepalived"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  for i in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  KPID[$n]=""
}

json_dump() { # node -> copies the JSON dump to the capture dir
  local n=$1 d="$W/n$1" i t pid=""
  # read the pid file (the periodic dump loop is a subshell forked before the daemons started)
  [ -s "$d/keepalived.pid" ] && pid=$(cat "$d/keepalived.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  rm -f "$d/tmp/keepalived.json"
  t=$(date +%s)
  kill -"$SIG_JSON" "$pid" 2>/dev/null || return 0
  for i in $(seq 30); do
    if [ -s "$d/tmp/keepalived.json" ] && jq -e . "$d/tmp/keepalived.json" >/dev/null 2>&1; then
      cp "$d/tmp/keepalived.json" "$W/cap/node$n-json-$t.json"; return 0
    fi
    sleep 0.1
  done
  log "no JSON dump from node$n"
}

dump_loop() {
  local sp="" n
  trap '[ -n "$sp" ] && kill "$sp" 2>/dev/null; exit 0' TERM
  while :; do
    sleep "$JSON_EVERY" & sp=$!; wait "$sp"; sp=""
    for n in "${NODES[@]}"; do json_dump "$n"; done
  done
}

save_fw() {
  local n
  for n in "${NODES[@]}"; do
    ip netns exec "$(ns "$n")" iptables-save > "$W/cap/node$n.iptables-save" 2>/dev/null || true
    ip netns exec "$(ns "$n")" nft -j list ruleset | jq . > "$W/cap/node$n.nft.json" 2>/dev/null || true
  done
}

fw_drop_eth0() { # node
  ip netns exec "$(ns "$1")" iptables -A INPUT -i eth0 -p vrrp -j DROP
  action "node$1" "iptables -A INPUT -i eth0 -p vrrp -j DROP"
}

# ------------------------------------------------------------------ captures
start_capture() { # node outfile label cmd...
  local n=$1 out=$2; shift 2
  local err="$W/$out.err" i
  ip netns exec "$(ns "$n")" "$@" 2> "$err" &
  CAP_PIDS+=($!)
  for i in $(seq 50); do grep -qE 'listening on|Capturing on' "$err" 2>/dev/null && return 0; sleep 0.1; done
  log "capture $out did not start:"; cat "$err" >&2; return 1
}

start_captures() {
  local n i
  for n in "${NODES[@]}"; do
    for i in $(node_ifaces "$n"); do
      start_capture "$n" "node$n-eth$i.pcap" tcpdump -Z root -U -n -s "$SNAPLEN" -i "eth$i" -w "$W/cap/node$n-eth$i.pcap" "$FILTER"
    done
  done
  start_capture 2 node2-any.pcap tcpdump -Z root -U -n -s "$SNAPLEN" -i any -y LINUX_SLL2 -w "$W/cap/node2-any.pcap" "$FILTER"
  start_capture 2 node2.pcapng dumpcap -i eth0 -f "$FILTER" -s "$SNAPLEN" -i eth1 -f "$FILTER" -s "$SNAPLEN" -w "$W/cap/node2.pcapng"
  CAP_START=$(now)
}

stop_captures() {
  local p i
  sleep 0.3
  CAP_END=$(now)
  for p in "${CAP_PIDS[@]}"; do kill -INT "$p" 2>/dev/null || true; done
  for p in "${CAP_PIDS[@]}"; do
    for i in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
    wait "$p" 2>/dev/null || true
  done
  CAP_PIDS=()
}

# ------------------------------------------------------------------ helpers
FIRST=$(pick 1 2); SECOND=$((3 - FIRST)); GAP=$(pick 4 6)
# interruptible sleep: bash runs a trap only after a foreground command ends, but interrupts "wait"
nap() { sleep "$1" & NAP=$!; wait "$NAP" || true; NAP=""; }
start_pair() { start_node "$FIRST"; nap "$GAP"; start_node "$SECOND"; }
sleep_until() { # seconds since capture start
  local d; d=$(awk -v s="$CAP_START" -v t="$1" -v n="$(now)" 'BEGIN { d = s + t - n; if (d < 0) d = 0; printf "%.3f", d }')
  nap "$d"
}
hi_lo() { # give node $1 priority $2 and the other node $3
  PRIO[$1]=$2; PRIO[$((3 - $1))]=$3
}
ex() { EXPECT=$1; EXPECT_DETAIL=${2:-'{}'}; }

# ------------------------------------------------------------------ scenarios
# Each sc_<name> sets parameters (called before topology) and defines body().
sc_healthy() {
  DESCRIPTION="Both nodes up, first node takes both VIP sets, nothing wrong."
  [ "$V" != 1 ] && hi_lo "$SECOND" 110 100      # higher-priority node starts later: nopreempt keeps the first
  ex '{"eth0/51":"healthy","eth1/52":"healthy"}' "{\"finalMasters\":{\"eth0/51\":[\"node$FIRST\"],\"eth1/52\":[\"node$FIRST\"]}}"
  body() { start_pair; sleep_until 25; }
}

sc_firewall-eth0-both() {
  DESCRIPTION="iptables DROP of vrrp on eth0 INPUT on both nodes, no sync group: split brain on eth0, eth1 healthy."
  JSON_EVERY=5; SAVE_FW=1
  [ "$V" != 1 ] && hi_lo "$SECOND" 110 100
  ex '{"eth0/51":"split-brain","eth1/52":"healthy"}' "{\"finalMasters\":{\"eth0/51\":[\"node1\",\"node2\"],\"eth1/52\":[\"node$FIRST\"]},\"firewallDropsOn\":{\"node1\":[\"eth0\"],\"node2\":[\"eth0\"]}}"
  body() {
    if [ "$V" = 1 ]; then fw_drop_eth0 1; fw_drop_eth0 2; start_pair; sleep_until 25
    else start_pair; sleep_until "$(pick 14 15)"; fw_drop_eth0 "$SECOND"; sleep 1; fw_drop_eth0 "$FIRST"; sleep_until 32; fi
  }
}

sc_firewall-eth0-one() {
  DESCRIPTION="iptables DROP of vrrp on eth0 INPUT on node2 only: node2 goes deaf on eth0 and claims mastership there."
  JSON_EVERY=5; SAVE_FW=1
  if [ "$V" = 1 ]; then
    # equal priorities: node2 (deaf) becomes master on eth0; node1 hears an equal-priority advert
    # from a higher IP and steps down -> mastership moves to the deaf node, no lasting split brain.
    ex '{"eth0/51":"takeover-by-deaf-node","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node2"],"eth1/52":["node1"]},"firewallDropsOn":{"node2":["eth0"]}}'
  else
    # node1 (master, priority 110) hears node2's priority-100 adverts and keeps re-asserting itself;
    # node2 never hears it: lasting split brain with a stream of gratuitous ARPs from node1.
    FIRST=1; SECOND=2; PRIO[1]=110; PRIO[2]=100
    ex '{"eth0/51":"split-brain","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node1","node2"],"eth1/52":["node1"]},"firewallDropsOn":{"node2":["eth0"]}}'
  fi
  body() {
    if [ "$V" = 1 ]; then start_node 1; fw_drop_eth0 2; nap "$GAP"; start_node 2; sleep_until 28
    else start_pair; sleep_until 14; fw_drop_eth0 2; sleep_until 32; fi
  }
}

sc_lossy-eth0() {
  LOSS=$(pick 65 70); local loss=$LOSS
  DESCRIPTION="Random loss of $loss % of VRRP frames on the eth0 bridge (switch namespace, nftables bridge table): mastership on eth0 flaps."
  [ "$V" != 1 ] && hi_lo "$SECOND" 110 100
  ex '{"eth0/51":"flapping","eth1/52":"healthy"}' "{\"lossPercent\":$loss,\"lossOn\":\"eth0\",\"lossWhere\":\"switch bridge br0 forward (VRRP only, both directions)\",\"capturesDiffer\":true,\"finalMasters\":{\"eth1/52\":[\"node$FIRST\"]}}"
  body() {
    local sw="$P-sw" rule="iifname { \"n1-eth0\", \"n2-eth0\" } ip protocol vrrp numgen random mod 100 < $LOSS counter drop"
    ip netns exec "$sw" nft add table bridge vslab
    ip netns exec "$sw" nft add chain bridge vslab fw '{ type filter hook forward priority 0; policy accept; }'
    if [ "$V" = 1 ]; then
      ip netns exec "$sw" nft add rule bridge vslab fw "$rule"; action switch "nft add rule bridge vslab fw $rule"
      start_pair
    else
      start_pair; sleep_until 10
      ip netns exec "$sw" nft add rule bridge vslab fw "$rule"; action switch "nft add rule bridge vslab fw $rule"
    fi
    sleep_until 45
    ip netns exec "$sw" nft -j list ruleset | jq . > "$W/cap/switch.nft.json"
  }
}

sc_failover-failback() {
  local hi; hi=$(pick 1 2)
  DESCRIPTION="node$hi (priority 150, preempt) is master; its keepalived is stopped (SIGTERM: priority-0 advert), the peer takes over with GARPs; node$hi restarts and preempts back."
  FIRST=$hi; SECOND=$((3 - hi)); PRIO[$hi]=150; NOPREEMPT[$hi]=0; PRIO[$SECOND]=100
  ex '{"eth0/51":"failover-failback","eth1/52":"failover-failback"}' \
    "{\"mastersInOrder\":{\"eth0/51\":[\"node$hi\",\"node$SECOND\",\"node$hi\"],\"eth1/52\":[\"node$hi\",\"node$SECOND\",\"node$hi\"]},\"priorityZeroFrom\":\"node$hi\",\"finalMasters\":{\"eth0/51\":[\"node$hi\"],\"eth1/52\":[\"node$hi\"]}}"
  body() {
    start_pair; sleep_until "$(pick 13 16)"
    stop_node "$FIRST" TERM; sleep_until "$(pick 23 25)"
    start_node "$FIRST"; sleep_until "$(pick 35 37)"
  }
}

sc_priority-track() {
  DROP=$(pick -60 -50); local drop=$DROP
  DESCRIPTION="track_file on SERVICE: the master's file is set to $drop (weight 1), its priority falls below the peer's and the peer (preempt) takes over eth0; eth1 stays."
  NOPREEMPT[1]=0; NOPREEMPT[2]=0; TRACK=1
  [ "$V" != 1 ] && hi_lo "$FIRST" 110 100
  ex '{"eth0/51":"failover","eth1/52":"healthy"}' \
    "{\"mastersInOrder\":{\"eth0/51\":[\"node$FIRST\",\"node$SECOND\"],\"eth1/52\":[\"node$FIRST\"]},\"priorityDropOn\":\"node$FIRST\",\"priorityAfter\":$(( ${PRIO[$FIRST]} + drop )),\"finalMasters\":{\"eth0/51\":[\"node$SECOND\"],\"eth1/52\":[\"node$FIRST\"]}}"
  body() {
    start_pair; sleep_until "$(pick 13 15)"
    echo "$DROP" > "$W/n$FIRST/track_service"; action "node$FIRST" "echo $DROP > track_file TRACK_SERVICE (weight 1)"
    sleep_until 28
  }
}

sc_auth-mismatch() {
  DESCRIPTION="Different auth_pass on VRID 51 (PASS auth); VRID 52 identical."
  AUTH51[1]=vrrp51a; AUTH51[2]=vrrp51b
  [ "$V" != 1 ] && hi_lo "$FIRST" 110 100
  ex '{"eth0/51":"auth-mismatch","eth1/52":"healthy"}' "{\"authStrings\":{\"node1\":\"vrrp51a\",\"node2\":\"vrrp51b\"},\"finalMasters\":{\"eth1/52\":[\"node$FIRST\"]}}"
  body() { start_pair; sleep_until 25; }
}

sc_interval-mismatch() {
  DESCRIPTION="advert_int differs on VRID 51 (VRRPv2): one node 1 s, the other 2 s; VRID 52 identical."
  if [ "$V" = 1 ]; then ADV51[1]=1; ADV51[2]=2; else ADV51[1]=2; ADV51[2]=1; hi_lo "$FIRST" 110 100; fi
  ex '{"eth0/51":"interval-mismatch","eth1/52":"healthy"}' "{\"advertInt\":{\"node1\":${ADV51[1]},\"node2\":${ADV51[2]}},\"finalMasters\":{\"eth1/52\":[\"node$FIRST\"]}}"
  body() { start_pair; sleep_until 25; }
}

sc_vrid-conflict() {
  NODES=(1 2 3)
  if [ "$V" = 1 ]; then AUTH51[3]=vrrp51; else AUTH51[3]=other51; fi
  DESCRIPTION="A third node (node3, eth0 only) runs an unrelated cluster with the same VRID 51 (VIP 192.168.2.50, auth ${AUTH51[3]})."
  [ "$V" != 1 ] && hi_lo "$FIRST" 110 100
  ex '{"eth0/51":"vrid-conflict","eth1/52":"healthy"}' "{\"foreignNode\":\"node3\",\"foreignVips\":[\"192.168.2.50\"],\"finalMasters\":{\"eth1/52\":[\"node$FIRST\"]}}"
  body() {
    if [ "$V" = 1 ]; then start_pair; sleep_until 12; start_node 3
    else start_node 3; nap 4; start_pair; fi
    sleep_until 30
  }
}

sc_vrrpv3-ipv6() {
  DESCRIPTION="vrrp_version 3: SERVICE (IPv4, VRID 51), SERVICE6 (IPv6, VRID 61) on eth0 and BACKEND (VRID 52) on eth1."
  VERSION=3; V6=1
  if [ "$V" = 1 ]; then
    ex '{"eth0/51":"healthy","eth0/61":"healthy","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node1"],"eth0/61":["node1"],"eth1/52":["node1"]},"ipv6Vips":["fd00:2::1"]}'
  else
    DESCRIPTION="$DESCRIPTION SERVICE6 has a link-local first VIP (fe80::61) plus fd00:2::1; the master is stopped mid-run (failover, unsolicited NAs from the new master)."
    hi_lo "$FIRST" 110 100
    ex '{"eth0/51":"failover","eth0/61":"failover","eth1/52":"failover"}' "{\"mastersInOrder\":{\"eth0/51\":[\"node$FIRST\",\"node$SECOND\"],\"eth0/61\":[\"node$FIRST\",\"node$SECOND\"],\"eth1/52\":[\"node$FIRST\",\"node$SECOND\"]},\"ipv6Vips\":[\"fe80::61\",\"fd00:2::1\"]}"
  fi
  body() {
    start_pair
    if [ "$V" = 1 ]; then sleep_until 25; else sleep_until 18; stop_node "$FIRST" TERM; sleep_until 30; fi
  }
}

sc_unicast-peers() {
  DESCRIPTION="unicast_src_ip / unicast_peer on both instances: adverts go to the peer's address, not 224.0.0.18."
  UNICAST=1
  [ "$V" != 1 ] && hi_lo "$SECOND" 110 100
  ex '{"eth0/51":"healthy","eth1/52":"healthy"}' "{\"unicast\":true,\"finalMasters\":{\"eth0/51\":[\"node$FIRST\"],\"eth1/52\":[\"node$FIRST\"]}}"
  body() { start_pair; sleep_until 25; }
}

sc_sync-group-firewall() {
  SYNC=1; JSON_EVERY=5; SAVE_FW=1
  if [ "$V" = 1 ]; then
    DESCRIPTION="The incident with vrrp_sync_group G1 {SERVICE BACKEND}: vrrp DROP on eth0 INPUT on both nodes before start. The backup stays BACKUP (eth1 still hears the master) and logs 'Receive advertisement timeout'; the wire looks healthy."
    ex '{"eth0/51":"healthy-on-wire","eth1/52":"healthy"}' "{\"finalMasters\":{\"eth0/51\":[\"node$FIRST\"],\"eth1/52\":[\"node$FIRST\"]},\"backupWantsMaster\":\"node$SECOND\",\"logLine\":\"Receive advertisement timeout\",\"firewallDropsOn\":{\"node1\":[\"eth0\"],\"node2\":[\"eth0\"]}}"
  else
    DESCRIPTION="The incident with vrrp_sync_group G1 {SERVICE BACKEND}: vrrp DROP on eth0 INPUT of the backup only, added while running. The backup stays BACKUP and logs 'Receive advertisement timeout'."
    hi_lo "$SECOND" 110 100
    ex '{"eth0/51":"healthy-on-wire","eth1/52":"healthy"}' "{\"finalMasters\":{\"eth0/51\":[\"node$FIRST\"],\"eth1/52\":[\"node$FIRST\"]},\"backupWantsMaster\":\"node$SECOND\",\"logLine\":\"Receive advertisement timeout\",\"firewallDropsOn\":{\"node$SECOND\":[\"eth0\"]}}"
  fi
  body() {
    if [ "$V" = 1 ]; then fw_drop_eth0 1; fw_drop_eth0 2; start_pair; sleep_until 30
    else start_pair; sleep_until 14; fw_drop_eth0 "$SECOND"; sleep_until 32; fi
  }
}

sc_no-master() {
  DESCRIPTION="Both keepalived daemons are SIGKILLed (backup first, then master): no priority-0 advert, all adverts stop; the last seconds are silent."
  [ "$V" != 1 ] && hi_lo "$SECOND" 110 100
  ex '{"eth0/51":"no-master","eth1/52":"no-master"}' "{\"lastMaster\":{\"eth0/51\":\"node$FIRST\",\"eth1/52\":\"node$FIRST\"},\"silentTailSeconds\":8}"
  body() {
    start_pair; sleep_until "$(pick 15 17)"
    stop_node "$SECOND" KILL; sleep "$(pick 0.5 0.2)"; stop_node "$FIRST" KILL
    nap 8.5
  }
}

# ------------------------------------------------------------------ run one
cleanup() {
  local rc=$? p n
  [ -n "${NAP:-}" ] && kill "$NAP" 2>/dev/null
  [ -n "${DUMP_LOOP_PID:-}" ] && { kill "$DUMP_LOOP_PID" 2>/dev/null || true; wait "$DUMP_LOOP_PID" 2>/dev/null || true; }
  for p in "${CAP_PIDS[@]:-}"; do [ -n "$p" ] && kill -INT "$p" 2>/dev/null || true; done
  for n in 1 2 3; do
    p=${KPID[$n]:-}; [ -n "$p" ] && kill -TERM "$p" 2>/dev/null || true
  done
  sleep 0.5
  for p in "${CAP_PIDS[@]:-}" "${KPID[@]:-}"; do [ -n "$p" ] && { kill -KILL "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; }; done
  cleanup_ns
  [ -n "${W:-}" ] && [ -d "$W" ] && rm -rf "$W"
  return $rc
}

write_manifest() {
  local out=$1 n i nodes_json='{}' files_json='{}' f ll
  for n in "${NODES[@]}"; do
    local ifs='{}'
    for i in $(node_ifaces "$n"); do
      local m idx; m=$(mac "$n" "$i")
      idx=$(ip -n "$(ns "$n")" -o link show dev "eth$i" | cut -d: -f1)
      if [ "$i" = 0 ]; then
        ll=$(ip -n "$(ns "$n")" -6 addr show dev eth0 scope link 2>/dev/null | awk '/inet6/ {sub("/.*","",$2); print $2; exit}')
        ifs=$(jq -c --arg m "$m" --argjson idx "$idx" --arg a "192.168.2.1$n" --arg a6 "fd00:2::1$n" --arg ll "$ll" \
          '. + {eth0:{mac:$m, ifindex:$idx, ipv4:$a, ipv6:$a6, ipv6LinkLocal:$ll, segment:"service"}}' <<<"$ifs")
      else
        ifs=$(jq -c --arg m "$m" --argjson idx "$idx" --arg a "10.1.2.1$n" '. + {eth1:{mac:$m, ifindex:$idx, ipv4:$a, segment:"backend"}}' <<<"$ifs")
      fi
    done
    local inst
    if [ "$n" = 3 ]; then
      inst=$(jq -nc --argjson p "${PRIO[3]}" --arg a "${AUTH51[3]}" '{OTHER:{interface:"eth0",vrid:51,priority:$p,nopreempt:true,advertInt:1,authPass:$a,vips:["192.168.2.50/24"]}}')
    else
      inst=$(jq -nc --argjson p "${PRIO[$n]}" --argjson np "${NOPREEMPT[$n]}" --argjson a51 "${ADV51[$n]}" \
        --arg au "${AUTH51[$n]}" --argjson ver "$VERSION" --argjson v6 "$V6" --argjson uc "$UNICAST" --argjson tr "$TRACK" \
        --arg src0 "192.168.2.1$n" --arg peer0 "192.168.2.1$((3 - n))" --arg src1 "10.1.2.1$n" --arg peer1 "10.1.2.1$((3 - n))" --argjson V "$V" '
        def auth(a): if $ver == 2 then {authType:"PASS", authPass:a} else {} end;
        def uc(s; p): if $uc == 1 then {unicastSrcIp:s, unicastPeers:[p]} else {} end;
        {SERVICE:({interface:"eth0",vrid:51,version:$ver,priority:$p,nopreempt:($np==1),advertInt:$a51,
                   vips:["192.168.2.1/24","192.168.2.2/24"]} + auth($au) + uc($src0;$peer0)
                   + (if $tr == 1 then {trackFile:"TRACK_SERVICE", trackWeight:1} else {} end)),
         BACKEND:({interface:"eth1",vrid:52,version:$ver,priority:$p,nopreempt:($np==1),advertInt:1,
                   vips:["10.1.2.1/24"]} + auth("vrrp52") + uc($src1;$peer1))}
        + (if $v6 == 1 then {SERVICE6:{interface:"eth0",vrid:61,version:3,priority:$p,nopreempt:($np==1),advertInt:1,
                   vips:(if $V == 1 then ["fd00:2::1/64"] else ["fe80::61/64","fd00:2::1/64"] end)}} else {} end)')
    fi
    nodes_json=$(jq -c --arg n "node$n" --arg ns "$(ns "$n")" --argjson ifs "$ifs" --argjson inst "$inst" \
      --argjson prio "${PRIO[$n]}" \
      '. + {($n): {namespace:$ns, priority:$prio, interfaces:$ifs, instances:$inst, config:($n+".conf"), log:($n+".log")}}' <<<"$nodes_json")
  done
  for f in "$out"/*; do
    f=$(basename "$f")
    local meta='{}'
    case "$f" in
      node?-eth?.pcap) meta=$(jq -nc --arg n "${f%%-*}" --arg i "${f#*-}" '{node:$n, interface:($i|rtrimstr(".pcap")), format:"pcap", linktype:"EN10MB"}') ;;
      node2-any.pcap) meta='{"node":"node2","interface":"any","format":"pcap","linktype":"LINUX_SLL2"}' ;;
      node2.pcapng) meta='{"node":"node2","interface":["eth0","eth1"],"format":"pcapng","linktype":"EN10MB","writer":"dumpcap"}' ;;
      *.conf) meta="{\"node\":\"${f%.conf}\",\"kind\":\"keepalived-config\"}" ;;
      *.log) meta="{\"node\":\"${f%.log}\",\"kind\":\"keepalived-log\"}" ;;
      *-json-*.json) meta=$(jq -nc --arg n "${f%%-*}" --argjson t "$(sed 's/.*-json-\([0-9]*\)\.json/\1/' <<<"$f")" '{node:$n, kind:"keepalived-json-dump", t:$t}') ;;
      *.iptables-save) meta="{\"node\":\"${f%.*}\",\"kind\":\"iptables-save\"}" ;;
      *.nft.json) meta="{\"node\":\"${f%%.*}\",\"kind\":\"nft-json\"}" ;;
      scenario.json) continue ;;
    esac
    files_json=$(jq -c --arg f "$f" --argjson m "$meta" '. + {($f): $m}' <<<"$files_json")
  done
  jq -n --arg sc "$SC" --argjson v "$V" --arg desc "$DESCRIPTION" --arg kav "$KA_VERSION" \
    --argjson start "$CAP_START" --argjson endt "$CAP_END" --arg filter "$FILTER" --argjson snap "$SNAPLEN" \
    --argjson nodes "$nodes_json" --argjson files "$files_json" --slurpfile actions "$W/actions.jsonl" \
    --argjson expect "$EXPECT" --argjson detail "$EXPECT_DETAIL" --argjson sync "$SYNC" --argjson ver "$VERSION" \
    --argjson first "$FIRST" --argjson gap "$GAP" --arg tz "$(date +%Z)" '
    {scenario:$sc, variant:$v, description:$desc, keepalived:$kav,
     start:$start, "end":$endt, logTimezone:$tz,
     notes:"keepalived logs have 1 s resolution, local time (logTimezone); lines after end are teardown (all daemons stopped with SIGTERM after the captures).", captureFilter:$filter, snaplen:$snap,
     vrrpVersion:$ver, syncGroup:(if $sync == 1 then {name:"G1", members:["SERVICE","BACKEND"]} else null end),
     startOrder:{first:("node" + ($first|tostring)), gapSeconds:$gap},
     segments:{eth0:{name:"service", ipv4:"192.168.2.0/24", ipv6:"fd00:2::/64", bridge:"br0"},
               eth1:{name:"backend", ipv4:"10.1.2.0/24", bridge:"br1"}},
     nodes:$nodes, actions:$actions, expect:$expect, expectDetail:$detail, files:$files}' > "$out/scenario.json"
}

run_scenario() {
  SC=$1
  local out n
  if [ "$V" = 1 ]; then out="$OUT_BASE/$SC"; else out="$OUT_BASE/$SC-v$V"; fi
  W=$(mktemp -d /run/vslab.XXXXXX)     # not under /tmp: each keepalived gets its own /tmp bind mount
  mkdir -p "$W/cap"
  trap cleanup EXIT
  trap 'exit 130' INT TERM HUP
  reset_state
  FIRST=$(pick 1 2); SECOND=$((3 - FIRST)); GAP=$(pick 4 6)
  "sc_$SC"
  for n in 1 2 3; do mkdir -p "$W/n$n/tmp"; done
  log "setting up (variant $V, first node$FIRST, gap ${GAP}s)"
  setup_topology
  for n in "${NODES[@]}"; do gen_conf "$n"; done
  start_captures
  sleep 1
  if [ "$JSON_EVERY" != 0 ]; then dump_loop & DUMP_LOOP_PID=$!; fi
  body
  if [ -n "$DUMP_LOOP_PID" ]; then kill "$DUMP_LOOP_PID" 2>/dev/null || true; wait "$DUMP_LOOP_PID" 2>/dev/null || true; DUMP_LOOP_PID=""; fi
  for n in "${NODES[@]}"; do json_dump "$n"; done
  [ "$SAVE_FW" = 1 ] && save_fw
  stop_captures
  # teardown (not recorded): stop all daemons at once so that no one takes over after the captures
  for n in "${NODES[@]}"; do [ -n "${KPID[$n]:-}" ] && kill -TERM "${KPID[$n]}" 2>/dev/null || true; done
  for n in "${NODES[@]}"; do stop_node "$n" TERM; done
  for n in "${NODES[@]}"; do
    cp "$W/n$n/keepalived.conf" "$W/cap/node$n.conf"
    cp "$W/n$n/keepalived.log" "$W/cap/node$n.log"
  done
  rm -rf "$out"; mkdir -p "$out"
  cp "$W/cap/"* "$out/"
  chmod 0644 "$out"/*
  write_manifest "$out"
  log "done -> ${out#"$REPO"/} ($(du -sh "$out" | cut -f1))"
}

rc=0
for s in "${SCENARIOS[@]}"; do
  # the scenario runs in a subshell with its own EXIT trap; forward INT/TERM to it so that it cleans up
  ( set -e; run_scenario "$s" ) & SUB=$!
  trap 'kill -TERM "$SUB" 2>/dev/null; wait "$SUB"; exit 130' INT TERM HUP
  set +e; wait "$SUB"; r=$?; set -e
  trap - INT TERM HUP
  [ "$r" = 0 ] || { rc=1; echo "scenario $s (variant $V) FAILED (exit $r)" >&2; }
done
exit $rc
