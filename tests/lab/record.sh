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
  sync-group-firewall no-master
  version-mismatch priority-oscillation crash-loop stall vip-hijack unicast-firewall nftables-drop
  ip6tables-drop link-loss vlan split-brain-heals firewall-before-start)

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
for bin in ip keepalived tcpdump dumpcap iptables iptables-save ip6tables ip6tables-save nft jq tshark arping python3; do
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
SIG_DATA=$(keepalived --signum=DATA)
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
  declare -gA NVER=() SVCVER=()  # per node: global vrrp_version / SERVICE's own `version` (default $VERSION)
  declare -gA PRIO100=([1]=100 [2]=100) NOPREEMPT100=([1]=1 [2]=1)   # SERVICE100 on eth0.100 (vlan)
  VERSION=2; SYNC=0; V6=0; UNICAST=0; TRACK=0; TRACKMODE=file; TRACK_WEIGHT=1; ADV52=1
  V6VIPS=""                     # SERVICE6's VIPs (default: by variant, as in vrrpv3-ipv6)
  OBS=0                         # observer namespace on both bridges (bridges flood like a hub)
  BUNDLE=0                      # full host bundle: data dump, ip6tables-save, ip -j link/addr
  VLAN=0                        # eth0.100 (VLAN 100) on node1/node2 with instance SERVICE100
  KA_NODES=()                   # nodes that run keepalived (default: all of NODES)
  DIAG='null'                   # the scenario's ground truth ("diagnosis" in the manifest)
  CAP_FILTER=$FILTER
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

ns() { if [ "$1" = obs ]; then echo "$P-obs"; else echo "$P-n$1"; fi; }
mac() { printf '02:00:00:%02x:%02x:%02x' "$V" "$1" "$2"; }   # node, iface index

# ------------------------------------------------------------------ topology
setup_topology() {
  local sw="$P-sw" n i
  cleanup_ns                                     # leftovers of an earlier aborted run
  ip netns add "$sw"
  ip netns exec "$sw" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip -n "$sw" link set lo up
  for i in 0 1 $([ "$VLAN" = 1 ] && echo 100); do
    ip -n "$sw" link add "br$i" type bridge stp_state 0 mcast_snooping 0
    # with an observer, ageing 0 makes the bridge flood every frame (a hub / SPAN port): it sees unicast too
    [ "$OBS" = 1 ] && ip -n "$sw" link set "br$i" type bridge ageing_time 0
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
    if [ "$VLAN" = 1 ] && [ "$n" != 3 ]; then
      # eth0.100: an access port on br100 with eth0's MAC (see vlan-trunk.py: no 8021q in the lab kernel)
      ip -n "$sw" link add "n$n-e0v100" type veth peer name eth0.100 netns "$(ns "$n")"
      ip -n "$sw" link set "n$n-e0v100" master br100 up
      ip -n "$(ns "$n")" link set eth0.100 address "$(mac "$n" 0)"
      ip -n "$(ns "$n")" addr add "192.168.100.1$n/24" dev eth0.100
      ip -n "$(ns "$n")" link set eth0.100 up
    fi
  done
  if [ "$VLAN" = 1 ]; then   # the trunk: br100 <-> relay <-> br0, tagging VLAN 100
    ip -n "$sw" link add tr100a type veth peer name tr100b
    ip -n "$sw" link add ac100a type veth peer name ac100b
    ip -n "$sw" link set tr100a master br0 up
    ip -n "$sw" link set ac100a master br100 up
    ip -n "$sw" link set tr100b up; ip -n "$sw" link set ac100b up
    ip netns exec "$sw" python3 "$HERE/vlan-trunk.py" ac100b tr100b 100 &
  fi
  if [ "$OBS" = 1 ]; then
    # the observer: no addresses, IPv6 off, so it sends nothing; it only listens on both segments
    ip netns add "$P-obs"
    ip netns exec "$P-obs" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$P-obs" link set lo up
    for i in 0 1; do
      ip -n "$sw" link add "obs-eth$i" type veth peer name "eth$i" netns "$P-obs"
      ip -n "$sw" link set "obs-eth$i" master "br$i" up
      ip -n "$P-obs" link set "eth$i" address "$(mac 9 "$i")"
      ip -n "$P-obs" link set "eth$i" up
    done
  fi
}
# interfaces captured on node $1 (names)
cap_ifaces() { local i; for i in $(node_ifaces "$1"); do echo "eth$i"; done; [ "$VLAN" = 1 ] && [ "$1" != 3 ] && echo eth0.100; return 0; }
node_ifaces() { if [ "$1" = 3 ]; then echo 0; else echo "0 1"; fi; }

cleanup_ns() {
  local n pid
  for n in "$P-n1" "$P-n2" "$P-n3" "$P-obs" "$P-sw"; do
    if ip netns list | awk '{print $1}' | grep -qx "$n"; then
      for pid in $(ip netns pids "$n" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
      ip netns del "$n" 2>/dev/null || true
    fi
  done
}

# ------------------------------------------------------------------ configs
gen_conf() { # node -> writes $W/n<node>/keepalived.conf
  local n=$1 d="$W/n$1" peer ver
  peer=$([ "$n" = 1 ] && echo 2 || echo 1)
  ver=${NVER[$n]:-$VERSION}
  {
    echo "# vrrpscope lab: scenario $SC variant $V node$n"
    echo "global_defs {"
    echo "  router_id node$n"
    [ "$ver" = 3 ] && echo "  vrrp_version 3"
    echo "}"
    if [ "$TRACK" = 1 ] && [ "$n" != 3 ] && [ "$TRACKMODE" = file ]; then
      echo "track_file TRACK_SERVICE {"
      echo "  file $d/track_service"
      echo "}"
    fi
    if [ "$TRACK" = 1 ] && [ "$n" != 3 ] && [ "$TRACKMODE" = script ]; then
      echo "vrrp_script CHK_SERVICE {"
      echo "  script \"/usr/bin/test -e $d/service_up\""
      echo "  interval 1"
      echo "  weight -$TRACK_WEIGHT"
      echo "  fall 1"
      echo "  rise 1"
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
    IVER=${SVCVER[$n]:-$ver}
    [ "$IVER" != "$ver" ] && IVER_LINE=1
    instance SERVICE eth0 51 "${PRIO[$n]}" "${NOPREEMPT[$n]}" "${ADV51[$n]}" "${AUTH51[$n]}" "$usrc0" "$upeer0" \
      "192.168.2.1/24" "192.168.2.2/24"
    IVER=$ver; IVER_LINE=0
    if [ "$VLAN" = 1 ]; then
      instance SERVICE100 eth0.100 51 "${PRIO100[$n]}" "${NOPREEMPT100[$n]}" 1 vrrp51 "" "" "192.168.100.1/24"
    fi
    if [ "$V6" = 1 ] && [ -n "$V6VIPS" ]; then
      # shellcheck disable=SC2086
      instance SERVICE6 eth0 61 "${PRIO[$n]}" "${NOPREEMPT[$n]}" 1 "" "" "" $V6VIPS
    elif [ "$V6" = 1 ]; then
      if [ "$V" = 1 ]; then
        instance SERVICE6 eth0 61 "${PRIO[$n]}" "${NOPREEMPT[$n]}" 1 "" "" "" "fd00:2::1/64"
      else
        instance SERVICE6 eth0 61 "${PRIO[$n]}" "${NOPREEMPT[$n]}" 1 "" "" "" "fe80::61/64" "fd00:2::1/64"
      fi
    fi
    instance BACKEND eth1 52 "${PRIO[$n]}" "${NOPREEMPT[$n]}" "$ADV52" vrrp52 "$usrc1" "$upeer1" "10.1.2.1/24"
  } > "$d/keepalived.conf"
}

instance() { # name iface vrid prio nopreempt advert auth usrc upeer vip...
  local name=$1 ifc=$2 vrid=$3 prio=$4 nop=$5 adv=$6 auth=$7 usrc=$8 upeer=$9; shift 9
  echo "vrrp_instance $name {"
  echo "  state BACKUP"
  echo "  interface $ifc"
  echo "  virtual_router_id $vrid"
  [ "${IVER_LINE:-0}" = 1 ] && echo "  version $IVER"
  echo "  priority $prio"
  [ "$nop" = 1 ] && echo "  nopreempt"
  echo "  advert_int $adv"
  echo "  garp_master_delay 5"
  if [ "${IVER:-$VERSION}" = 2 ] && [ -n "$auth" ]; then
    echo "  authentication {"; echo "    auth_type PASS"; echo "    auth_pass $auth"; echo "  }"
  fi
  if [ -n "$usrc" ]; then
    echo "  unicast_src_ip $usrc"
    echo "  unicast_peer {"; echo "    $upeer"; echo "  }"
  fi
  if [ "$TRACK" = 1 ] && [ "$name" = SERVICE ] && [ "$TRACKMODE" = file ]; then
    echo "  track_file {"; echo "    TRACK_SERVICE weight $TRACK_WEIGHT"; echo "  }"
  fi
  if [ "$TRACK" = 1 ] && [ "$name" = SERVICE ] && [ "$TRACKMODE" = script ]; then
    echo "  track_script {"; echo "    CHK_SERVICE"; echo "  }"
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
  [ "$TRACK" = 1 ] && [ "$TRACKMODE" = script ] && [ ! -f "$d/service_up.init" ] && { touch "$d/service_up" "$d/service_up.init"; }
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

data_dump() { # node -> copies keepalived's data dump (--signum=DATA: config, interfaces with ifindex, state)
  local n=$1 d="$W/n$1" i t pid="" s1 s2
  [ -s "$d/keepalived.pid" ] && pid=$(cat "$d/keepalived.pid")
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  rm -f "$d/tmp/keepalived.data"
  t=$(date +%s)
  kill -"$SIG_DATA" "$pid" 2>/dev/null || return 0
  for i in $(seq 30); do
    if [ -s "$d/tmp/keepalived.data" ]; then
      s1=$(stat -c %s "$d/tmp/keepalived.data"); sleep 0.2; s2=$(stat -c %s "$d/tmp/keepalived.data")
      [ "$s1" = "$s2" ] && { cp "$d/tmp/keepalived.data" "$W/cap/node$n-data-$t.txt"; return 0; }
    fi
    sleep 0.1
  done
  log "no data dump from node$n"
}

dump_loop() {
  local sp="" n
  trap '[ -n "$sp" ] && kill "$sp" 2>/dev/null; exit 0' TERM
  while :; do
    sleep "$JSON_EVERY" & sp=$!; wait "$sp"; sp=""
    for n in "${KA_NODES[@]}"; do json_dump "$n"; done
  done
}

save_fw() {
  local n
  for n in "${NODES[@]}"; do
    ip netns exec "$(ns "$n")" iptables-save > "$W/cap/node$n.iptables-save" 2>/dev/null || true
    ip netns exec "$(ns "$n")" nft -j list ruleset | jq . > "$W/cap/node$n.nft.json" 2>/dev/null || true
    if [ "$BUNDLE" = 1 ]; then
      ip netns exec "$(ns "$n")" ip6tables-save > "$W/cap/node$n.ip6tables-save" 2>/dev/null || true
      ip -n "$(ns "$n")" -j link | jq . > "$W/cap/node$n.ip-link.json"
      ip -n "$(ns "$n")" -j addr | jq . > "$W/cap/node$n.ip-addr.json"
    fi
  done
}

vrrp_signal() { # node STOP|CONT -> signal keepalived's VRRP child only
  local n=$1 sig=$2
  kill -"$sig" "$(cat "${VPIDFILE[$n]}")"
  action "node$n" "kill -$sig keepalived VRRP process (pid file vrrp.pid)"
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
  local n i f="$CAP_FILTER" dc=()
  for n in "${NODES[@]}"; do
    for i in $(cap_ifaces "$n"); do
      start_capture "$n" "node$n-$i.pcap" tcpdump -Z root -U -n -s "$SNAPLEN" -i "$i" -w "$W/cap/node$n-$i.pcap" "$f"
    done
  done
  # libpcap has no `vlan` for LINUX_SLL2 ("no VLAN support for Linux cooked v2"), and it does not put the
  # tag back into cooked frames: tagged frames on eth0 show up untagged under eth0's ifindex
  start_capture 2 node2-any.pcap tcpdump -Z root -U -n -s "$SNAPLEN" -i any -y LINUX_SLL2 -w "$W/cap/node2-any.pcap" "$FILTER"
  for i in $(cap_ifaces 2); do dc+=(-i "$i" -f "$f" -s "$SNAPLEN"); done
  start_capture 2 node2.pcapng dumpcap "${dc[@]}" -w "$W/cap/node2.pcapng"
  if [ "$OBS" = 1 ]; then
    start_capture obs observer.pcapng dumpcap -i eth0 -f "$f" -s "$SNAPLEN" -i eth1 -f "$f" -s "$SNAPLEN" -w "$W/cap/observer.pcapng"
  fi
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

# ------------------------------------------------------------------ issue 10 scenarios
# Every one of these records the observer (observer.pcapng) and the full host bundle of every node,
# and states its ground truth in "diagnosis" (finding codes as in docs/findings.md).
modern() { OBS=1; BUNDLE=1; JSON_EVERY=5; SAVE_FW=1; }
# ref NODE IFACE -> {"node","address","interface","mac"} of that node's interface
ref() {
  local n=$1 i=$2 a
  case "$i" in eth0) a="192.168.2.1$n" ;; eth1) a="10.1.2.1$n" ;; eth0.100) a="192.168.100.1$n" ;; esac
  jq -nc --arg n "node$n" --arg a "$a" --arg i "$i" --arg m "$(mac "$n" "${i:3:1}")" '{node:$n, address:$a, interface:$i, mac:$m}'
}
ll6() { printf 'fe80::ff:fe%02x:%x' "$V" $(($1 * 256)); }   # node's EUI-64 link-local on eth0
fw() { # node "rule text for the record" command...
  local n=$1 text=$2; shift 2
  ip netns exec "$(ns "$n")" "$@"
  action "node$n" "$text"
}

sc_version-mismatch() {
  modern
  NVER[1]=2
  if [ "$V" = 1 ]; then
    NVER[2]=3
    DESCRIPTION="node1 runs VRRPv2 (auth PASS), node2 has vrrp_version 3 in global_defs: same VRIDs and VIPs on both segments, and each node discards the other's adverts (wrong version)."
    ex '{"eth0/51":"version-mismatch","eth1/52":"version-mismatch"}' '{"versions":{"node1":2,"node2":3}}'
    DIAG=$(jq -nc --argjson a "$(ref 1 eth0)" --argjson b "$(ref 2 eth0)" --argjson c "$(ref 1 eth1)" --argjson d "$(ref 2 eth1)" '
      {causes:[{code:"version-mismatch", segment:"eth0", vrid:51, culprit:null, facts:{versions:{node1:2, node2:3}, sides:[($a + {version:2}), ($b + {version:3})]}},
               {code:"version-mismatch", segment:"eth1", vrid:52, culprit:null, facts:{versions:{node1:2, node2:3}, sides:[($c + {version:2}), ($d + {version:3})]}}],
       symptoms:["split-brain"], healthy:[], notFindings:["flapping","advert-loss","check-firewall","adverts-dropped-on-host"],
       mustSay:["192.168.2.11","192.168.2.12","10.1.2.11","10.1.2.12","eth0","eth1"]}')
  else
    NVER[2]=2; SVCVER[2]=3; hi_lo "$FIRST" 110 100
    DESCRIPTION="node2's SERVICE has 'version 3' (instance keyword; node2 priority 110, started first), node1's SERVICE is VRRPv2 with auth PASS. BACKEND is VRRPv2 on both and healthy."
    ex '{"eth0/51":"version-mismatch","eth1/52":"healthy"}' '{"versions":{"node1":2,"node2":3},"finalMasters":{"eth1/52":["node2"]}}'
    DIAG=$(jq -nc --argjson a "$(ref 1 eth0)" --argjson b "$(ref 2 eth0)" '
      {causes:[{code:"version-mismatch", segment:"eth0", vrid:51, culprit:null, facts:{versions:{node1:2, node2:3}, sides:[($a + {version:2}), ($b + {version:3})]}}],
       symptoms:["split-brain"], healthy:["eth1/52"], notFindings:["flapping","advert-loss","check-firewall","adverts-dropped-on-host"],
       mustSay:["192.168.2.11","192.168.2.12","eth0"]}')
  fi
  body() { start_pair; sleep_until 30; }
}

sc_priority-oscillation() {
  modern
  NOPREEMPT[1]=0; NOPREEMPT[2]=0; TRACK=1
  local hi=$FIRST lo=$SECOND
  if [ "$V" = 1 ]; then
    TRACKMODE=file; TRACK_WEIGHT=1; hi_lo "$hi" 110 100; OSC_LOW=50; OSC_AT=(8 13 18 23 28 33); OSC_END=38
    DESCRIPTION="track_file TRACK_SERVICE (weight 1) on SERVICE; node$hi (110, preempt) is master and its file is toggled 0 / -60 every 5 s, so its effective priority flips 110 / 50 around node$lo's 100: eth0 mastership swings back and forth. eth1 stays on node$hi."
  else
    TRACKMODE=script; TRACK_WEIGHT=50; hi_lo "$hi" 120 100; OSC_LOW=70; OSC_AT=(12 18 24 30); OSC_END=38
    DESCRIPTION="vrrp_script CHK_SERVICE (test -e a file, interval 1, weight -50, fall 1, rise 1) on SERVICE; the file on node$hi (120, preempt) is removed / restored every 6 s, so its effective priority flips 120 / 70 around node$lo's 100: eth0 mastership swings back and forth. eth1 stays on node$hi."
  fi
  ex '{"eth0/51":"priority-oscillation","eth1/52":"healthy"}' \
    "{\"oscillatingNode\":\"node$hi\",\"priorities\":[${PRIO[$hi]},$OSC_LOW],\"peerPriority\":100,\"toggles\":${#OSC_AT[@]},\"finalMasters\":{\"eth1/52\":[\"node$hi\"]}}"
  DIAG=$(jq -nc --argjson c "$(ref "$hi" eth0)" --argjson p "$(ref "$lo" eth0)" --argjson hp "${PRIO[$hi]}" --argjson lp "$OSC_LOW" \
    --arg tr "$([ "$TRACKMODE" = file ] && echo "track_file TRACK_SERVICE weight 1 (file 0 / -60)" || echo "vrrp_script CHK_SERVICE weight -50")" \
    --argjson n "${#OSC_AT[@]}" --argjson every "$([ "$V" = 1 ] && echo 5 || echo 6)" '
    {causes:[{code:"priority-oscillation", segment:"eth0", vrid:51, culprit:$c,
              facts:{priorities:[$hp, $lp], peer:($p + {priority:100}), toggles:$n, toggleEverySeconds:$every, tracker:$tr}}],
     symptoms:["flapping"], healthy:["eth1/52"], notFindings:["advert-loss","check-firewall","split-brain"],
     mustSay:[$c.address, "eth0", ($hp|tostring), ($lp|tostring)]}')
  body() {
    local k=0 t
    start_pair
    for t in "${OSC_AT[@]}"; do
      sleep_until "$t"
      if [ $((k % 2)) = 0 ]; then
        if [ "$TRACKMODE" = file ]; then echo -60 > "$W/n$FIRST/track_service"; action "node$FIRST" "echo -60 > track_file TRACK_SERVICE (weight 1)"
        else rm -f "$W/n$FIRST/service_up"; action "node$FIRST" "rm service_up (vrrp_script CHK_SERVICE fails, weight -50)"; fi
      else
        if [ "$TRACKMODE" = file ]; then echo 0 > "$W/n$FIRST/track_service"; action "node$FIRST" "echo 0 > track_file TRACK_SERVICE (weight 1)"
        else touch "$W/n$FIRST/service_up"; action "node$FIRST" "touch service_up (vrrp_script CHK_SERVICE succeeds)"; fi
      fi
      k=$((k + 1))
    done
    sleep_until "$OSC_END"
  }
}

sc_crash-loop() {
  modern
  local hi; hi=$(pick 1 2)
  FIRST=$hi; SECOND=$((3 - hi)); PRIO[$hi]=150; NOPREEMPT[$hi]=0; PRIO[$SECOND]=100
  if [ "$V" = 1 ]; then CRASH_AT=(10 19 28); CRASH_RESTART=2; CRASH_END=37
  else CRASH_AT=(10 18 26); CRASH_RESTART=3; CRASH_END=37; fi
  DESCRIPTION="node$hi (150, preempt) is master; its keepalived is SIGKILLed (VRRP child, then parent: no priority-0 advert) and restarted ${CRASH_RESTART} s later, ${#CRASH_AT[@]} times. Each time node$SECOND takes over after the down timer and node$hi preempts back after its restart."
  ex '{"eth0/51":"crash-loop","eth1/52":"crash-loop"}' \
    "{\"crashingNode\":\"node$hi\",\"crashes\":${#CRASH_AT[@]},\"signal\":\"KILL\",\"noPriorityZeroFrom\":\"node$hi\",\"finalMasters\":{\"eth0/51\":[\"node$hi\"],\"eth1/52\":[\"node$hi\"]}}"
  DIAG=$(jq -nc --argjson c "$(ref "$hi" eth0)" --argjson c1 "$(ref "$hi" eth1)" --argjson n "${#CRASH_AT[@]}" --argjson r "$CRASH_RESTART" '
    {causes:[{code:"master-gone", segment:"eth0", vrid:51, culprit:$c, facts:{crashes:$n, signal:"SIGKILL", priorityZero:false, restartAfterSeconds:$r, repeated:true}},
             {code:"master-gone", segment:"eth1", vrid:52, culprit:$c1, facts:{crashes:$n, signal:"SIGKILL", priorityZero:false, restartAfterSeconds:$r, repeated:true}}],
     symptoms:["flapping"], healthy:[], notFindings:["check-firewall","advert-loss","split-brain","priority-zero"],
     mustSay:[$c.address, ($n|tostring)]}')
  body() {
    local t
    start_pair
    for t in "${CRASH_AT[@]}"; do
      sleep_until "$t"; stop_node "$FIRST" KILL
      nap "$CRASH_RESTART"; start_node "$FIRST"
    done
    sleep_until "$CRASH_END"
  }
}

sc_stall() {
  modern
  if [ "$V" = 1 ]; then STALL_AT=12; STALL_FOR=8
  else hi_lo "$FIRST" 110 100; STALL_AT=15; STALL_FOR=6; fi
  # What keepalived 2.2.7 does on SIGCONT: it first reads the adverts queued on its socket during the stall.
  # v1 (equal priority, the peer has the higher IP): it yields at once without sending a single advert,
  # so the wire shows a master that went away for good (wireCode master-gone), and only the host side
  # (no restart in the log, JSON dumps missing during the stall) tells a stall.
  # v2 (the stalled node has the higher priority): "forcing new election", it advertises again at once
  # with its GARP burst and the peer yields: a return after ~6 s of silence without a restart.
  if [ "$V" = 1 ]; then STALL_RESUMES=false; STALL_WIRE=master-gone; STALL_SYMPTOMS='["master-change"]'
  else STALL_RESUMES=true; STALL_WIRE=master-stalled; STALL_SYMPTOMS='["master-change"]'; fi
  DESCRIPTION="The master's (node$FIRST) keepalived VRRP process is SIGSTOPped for ${STALL_FOR} s (longer than the master-down interval) and then SIGCONTed: node$SECOND takes over during the stall. $([ "$V" = 1 ] && echo "On SIGCONT node1 reads node2's queued equal-priority adverts (higher IP) and goes BACKUP without advertising once." || echo "On SIGCONT node2 (110) hears node1's priority-100 adverts, forces a new election and is master again at once; node1 yields.")"
  ex '{"eth0/51":"stall","eth1/52":"stall"}' \
    "{\"stalledNode\":\"node$FIRST\",\"stallSeconds\":$STALL_FOR,\"resumesAdvertising\":$STALL_RESUMES,\"finalMasters\":{\"eth0/51\":[\"node$([ "$V" = 1 ] && echo "$SECOND" || echo "$FIRST")\"],\"eth1/52\":[\"node$([ "$V" = 1 ] && echo "$SECOND" || echo "$FIRST")\"]}}"
  DIAG=$(jq -nc --argjson c "$(ref "$FIRST" eth0)" --argjson c1 "$(ref "$FIRST" eth1)" --argjson s "$STALL_FOR" --arg w "$STALL_WIRE" \
    --argjson r "$STALL_RESUMES" --argjson sy "$STALL_SYMPTOMS" --arg peer "node$SECOND" '
    {causes:[{code:"master-stalled", wireCode:$w, segment:"eth0", vrid:51, culprit:$c, facts:{stallSeconds:$s, signal:"SIGSTOP/SIGCONT", resumesAdvertising:$r, takeoverBy:$peer}},
             {code:"master-stalled", wireCode:$w, segment:"eth1", vrid:52, culprit:$c1, facts:{stallSeconds:$s, signal:"SIGSTOP/SIGCONT", resumesAdvertising:$r, takeoverBy:$peer}}],
     symptoms:$sy, healthy:[], notFindings:["check-firewall","advert-loss"],
     mustSay:[$c.address]}')
  body() {
    start_pair; sleep_until "$STALL_AT"
    vrrp_signal "$FIRST" STOP; sleep_until $((STALL_AT + STALL_FOR))
    vrrp_signal "$FIRST" CONT; sleep_until 34
  }
}

sc_vip-hijack() {
  modern
  NODES=(1 2 3); KA_NODES=(1 2)
  if [ "$V" = 1 ]; then HJ_VIP=192.168.2.1; HJ_MODE=-U; HJ_COUNT=3; HJ_AT=14
  else HJ_VIP=192.168.2.2; HJ_MODE=-A; HJ_COUNT=4; HJ_AT=18; hi_lo "$FIRST" 110 100; fi
  DESCRIPTION="node3 (192.168.2.13, no keepalived: not a VRRP router) gets VIP $HJ_VIP configured and announces it: arping $HJ_MODE -c $HJ_COUNT (gratuitous ARP $([ "$HJ_MODE" = -U ] && echo requests || echo replies)) from its own MAC at t≈${HJ_AT} s. VRRP itself stays healthy (node$FIRST master)."
  ex '{"eth0/51":"vip-hijack","eth1/52":"healthy"}' \
    "{\"hijacker\":\"node3\",\"hijackMac\":\"$(mac 3 0)\",\"hijackVip\":\"$HJ_VIP\",\"announcements\":$HJ_COUNT,\"finalMasters\":{\"eth0/51\":[\"node$FIRST\"],\"eth1/52\":[\"node$FIRST\"]}}"
  DIAG=$(jq -nc --argjson c "$(ref 3 eth0)" --arg vip "$HJ_VIP" --argjson n "$HJ_COUNT" --arg mode "$HJ_MODE" --arg master "node$FIRST" '
    {causes:[{code:"vip-conflict", segment:"eth0", vrid:51, culprit:$c,
              facts:{vip:$vip, announcements:$n, arp:(if $mode == "-U" then "gratuitous ARP request" else "gratuitous ARP reply" end), vrrpRouter:false, vrrpMaster:$master}}],
     symptoms:[], healthy:["eth1/52"], notFindings:["split-brain","flapping","check-firewall","vrid-conflict"],
     mustSay:[$vip, $c.mac, "eth0"]}')
  body() {
    start_pair; sleep_until "$HJ_AT"
    ip -n "$(ns 3)" addr add "$HJ_VIP/24" dev eth0
    action node3 "ip addr add $HJ_VIP/24 dev eth0"
    ip netns exec "$(ns 3)" arping -q "$HJ_MODE" -c "$HJ_COUNT" -I eth0 "$HJ_VIP" || true
    action node3 "arping $HJ_MODE -c $HJ_COUNT -I eth0 $HJ_VIP (done)"
    sleep_until 30
  }
}

sc_unicast-firewall() {
  modern
  UNICAST=1
  local rule="-A INPUT -s 192.168.2.11/32 -p vrrp -j DROP"
  if [ "$V" = 1 ]; then
    DESCRIPTION="Unicast VRRP (unicast_src_ip / unicast_peer); node2 drops node1's adverts with a source-address rule (iptables -A INPUT -s 192.168.2.11 -p vrrp -j DROP) before it starts: node2 hears nothing on eth0, takes over, and node1 (equal priority, lower IP) steps down."
    ex '{"eth0/51":"takeover-by-deaf-node","eth1/52":"healthy"}' '{"unicast":true,"finalMasters":{"eth0/51":["node2"],"eth1/52":["node1"]},"firewallDropsOn":{"node2":["eth0"]},"firewallRule":"-A INPUT -s 192.168.2.11/32 -p vrrp -j DROP"}'
    DIAG=$(jq -nc --argjson c "$(ref 2 eth0)" --argjson p "$(ref 1 eth0)" --arg r "$rule" '
      {causes:[{code:"check-firewall", bundleCode:"adverts-dropped-on-host", segment:"eth0", vrid:51, culprit:$c,
                facts:{rule:$r, table:"filter", chain:"INPUT", droppedFrom:$p, unicast:true}}],
       symptoms:["master-change"], healthy:["eth1/52"], notFindings:["advert-loss","flapping"],
       mustSay:["192.168.2.11","192.168.2.12","eth0","-s 192.168.2.11"]}')
  else
    hi_lo 1 110 100; NOPREEMPT[1]=0
    DESCRIPTION="Unicast VRRP; node1 (110, preempt) takes over from node2; at t≈16 s node2 adds iptables -A INPUT -s 192.168.2.11 -p vrrp -j DROP: node2 goes deaf on eth0 and claims mastership, node1 keeps forcing new elections (GARP storm): lasting split brain on eth0."
    ex '{"eth0/51":"split-brain","eth1/52":"healthy"}' '{"unicast":true,"finalMasters":{"eth0/51":["node1","node2"],"eth1/52":["node1"]},"firewallDropsOn":{"node2":["eth0"]},"firewallRule":"-A INPUT -s 192.168.2.11/32 -p vrrp -j DROP"}'
    DIAG=$(jq -nc --argjson c "$(ref 2 eth0)" --argjson p "$(ref 1 eth0)" --arg r "$rule" '
      {causes:[{code:"check-firewall", bundleCode:"adverts-dropped-on-host", segment:"eth0", vrid:51, culprit:$c,
                facts:{rule:$r, table:"filter", chain:"INPUT", droppedFrom:$p, unicast:true}}],
       symptoms:["split-brain"], healthy:["eth1/52"], notFindings:["advert-loss","flapping"],
       mustSay:["192.168.2.11","192.168.2.12","eth0","-s 192.168.2.11"]}')
  fi
  body() {
    if [ "$V" = 1 ]; then
      start_node 1; fw 2 "iptables -A INPUT -s 192.168.2.11 -p vrrp -j DROP" iptables -A INPUT -s 192.168.2.11 -p vrrp -j DROP
      nap "$GAP"; start_node 2; sleep_until 30
    else
      start_pair; sleep_until 16
      fw 2 "iptables -A INPUT -s 192.168.2.11 -p vrrp -j DROP" iptables -A INPUT -s 192.168.2.11 -p vrrp -j DROP
      sleep_until 34
    fi
  }
}

# nftables: an accepting base chain at priority -10 runs first, but an accept there does not end the
# input hook: the drop in the priority-0 chain of table inet filter decides.
nft_drop_eth0() { # node
  local n=$1
  ip netns exec "$(ns "$n")" nft -f - <<'NFT'
table ip early {
  chain input {
    type filter hook input priority -10; policy accept;
    ip protocol vrrp counter accept
  }
}
table inet filter {
  chain input {
    type filter hook input priority filter; policy accept;
    iifname "eth0" ip protocol vrrp counter drop
  }
}
NFT
  action "node$n" "nft: table ip early input (priority -10) 'ip protocol vrrp counter accept'; table inet filter input (priority filter) 'iifname \"eth0\" ip protocol vrrp counter drop'"
}

sc_nftables-drop() {
  modern
  local victim
  if [ "$V" = 1 ]; then
    victim=2
    DESCRIPTION="nftables on node2 (before it starts): table inet filter, chain input (hook input, priority 0) drops 'iifname eth0 ip protocol vrrp'; a second base chain (table ip early, priority -10) accepts vrrp first, which does not save it. node2 is deaf on eth0, takes over, node1 (equal priority, lower IP) steps down."
    ex '{"eth0/51":"takeover-by-deaf-node","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node2"],"eth1/52":["node1"]},"firewallDropsOn":{"node2":["eth0"]},"nftRule":"iifname \"eth0\" ip protocol vrrp counter drop"}'
  else
    victim=1; hi_lo "$FIRST" 110 100
    DESCRIPTION="nftables drop (table inet filter, input priority 0, 'iifname eth0 ip protocol vrrp drop'; an accepting chain at priority -10 in table ip early) added at t≈14 s on the backup node1 while node2 (110) is master: node1 goes deaf and claims eth0, node2 forces new elections: lasting split brain with a GARP storm."
    ex '{"eth0/51":"split-brain","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node1","node2"],"eth1/52":["node2"]},"firewallDropsOn":{"node1":["eth0"]},"nftRule":"iifname \"eth0\" ip protocol vrrp counter drop"}'
  fi
  DIAG=$(jq -nc --argjson c "$(ref "$victim" eth0)" --argjson p "$(ref $((3 - victim)) eth0)" --argjson v "$V" '
    {causes:[{code:"check-firewall", bundleCode:"adverts-dropped-on-host", segment:"eth0", vrid:51, culprit:$c,
              facts:{firewall:"nftables", table:"inet filter", chain:"input", hook:"input", priority:0, rule:"iifname \"eth0\" ip protocol vrrp counter drop",
                     notDeciding:{table:"ip early", chain:"input", priority:-10, rule:"ip protocol vrrp counter accept"}, droppedFrom:$p}}],
     symptoms:(if $v == 1 then ["master-change"] else ["split-brain"] end), healthy:["eth1/52"], notFindings:["advert-loss","flapping"],
     mustSay:[$c.address, "eth0", "inet filter"]}')
  NFT_VICTIM=$victim
  body() {
    if [ "$V" = 1 ]; then start_node 1; nft_drop_eth0 2; nap "$GAP"; start_node 2; sleep_until 30
    else start_pair; sleep_until 14; nft_drop_eth0 "$NFT_VICTIM"; sleep_until 32; fi
  }
}

sc_ip6tables-drop() {
  modern
  VERSION=3; V6=1; V6VIPS="fd00:2::1/64"
  local victim
  if [ "$V" = 1 ]; then
    victim=2
    DESCRIPTION="VRRPv3: SERVICE (IPv4 VRID 51), SERVICE6 (IPv6 VRID 61, VIP fd00:2::1) on eth0, BACKEND on eth1. node2 has ip6tables -A INPUT -i eth0 -p vrrp -j DROP before it starts: it is deaf to IPv6 VRRP only, takes over VRID 61, and node1 (equal priority, lower link-local) steps down there. IPv4 stays with node1."
    ex '{"eth0/51":"healthy","eth0/61":"takeover-by-deaf-node","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node1"],"eth0/61":["node2"],"eth1/52":["node1"]},"firewallDropsOn":{"node2":["eth0"]},"ipv6Vips":["fd00:2::1"],"ip6tablesRule":"-A INPUT -i eth0 -p vrrp -j DROP"}'
  else
    victim=1; hi_lo "$FIRST" 110 100
    DESCRIPTION="VRRPv3 with SERVICE6 (VRID 61, fd00:2::1). node2 (110) is master; at t≈14 s the backup node1 adds ip6tables -A INPUT -i eth0 -p vrrp -j DROP: node1 claims VRID 61 while node2 keeps forcing new elections: split brain on IPv6 only."
    ex '{"eth0/51":"healthy","eth0/61":"split-brain","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node2"],"eth0/61":["node1","node2"],"eth1/52":["node2"]},"firewallDropsOn":{"node1":["eth0"]},"ipv6Vips":["fd00:2::1"],"ip6tablesRule":"-A INPUT -i eth0 -p vrrp -j DROP"}'
  fi
  DIAG=$(jq -nc --argjson c "$(ref "$victim" eth0)" --arg ll "$(ll6 "$victim")" --arg pll "$(ll6 $((3 - victim)))" --argjson v "$V" '
    {causes:[{code:"check-firewall", bundleCode:"adverts-dropped-on-host", segment:"eth0", vrid:61, family:"ipv6",
              culprit:($c + {address:$ll, ipv4:$c.address}),
              facts:{firewall:"ip6tables", rule:"-A INPUT -i eth0 -p vrrp -j DROP", droppedFrom:{address:$pll}}}],
     symptoms:(if $v == 1 then ["master-change"] else ["split-brain"] end), healthy:["eth0/51","eth1/52"], notFindings:["advert-loss","flapping"],
     mustSay:[$ll, "eth0", "ip6tables"]}')
  IP6_VICTIM=$victim
  body() {
    local r=(ip6tables -A INPUT -i eth0 -p vrrp -j DROP)
    if [ "$V" = 1 ]; then start_node 1; fw 2 "${r[*]}" "${r[@]}"; nap "$GAP"; start_node 2; sleep_until 30
    else start_pair; sleep_until 14; fw "$IP6_VICTIM" "${r[*]}" "${r[@]}"; sleep_until 32; fi
  }
}

sc_link-loss() {
  modern
  PRIO[1]=110; PRIO[2]=100
  if [ "$V" = 1 ]; then LOSS=50; LOSS_AT=0; LOSS_END=36
  else LOSS=45; LOSS_AT=13; LOSS_END=38; NOPREEMPT[1]=0; fi
  DESCRIPTION="Random loss of $LOSS % of node1's VRRP frames on its eth0 link only (switch: bridge prerouting, iifname n1-eth0$([ "$V" = 1 ] && echo ", from the start" || echo ", from t≈${LOSS_AT} s")); eth1 is clean, no sync group. node1 (110) is master; node2 (100) times out now and then and is pushed back by node1's next advert."
  ex '{"eth0/51":"advert-loss","eth1/52":"healthy"}' \
    "{\"lossPercent\":$LOSS,\"lossOn\":\"eth0\",\"lossFrom\":\"node1\",\"lossWhere\":\"switch bridge prerouting, iifname n1-eth0 (node1's eth0 link, VRRP only)\",\"finalMasters\":{\"eth1/52\":[\"node1\"]}}"
  DIAG=$(jq -nc --argjson c "$(ref 1 eth0)" --argjson l "$LOSS" '
    {causes:[{code:"advert-loss", segment:"eth0", vrid:51, culprit:$c,
              facts:{lossPercent:$l, where:"node1 eth0 link (ingress of switch port n1-eth0)", cleanOn:"eth1"}}],
     symptoms:[], healthy:["eth1/52"], notFindings:["check-firewall","adverts-dropped-on-host","split-brain"],
     mustSay:["192.168.2.11","eth0"]}')
  body() {
    local sw="$P-sw" rule="iifname \"n1-eth0\" ip protocol vrrp numgen random mod 100 < $LOSS counter drop"
    ip netns exec "$sw" nft add table bridge vslab
    ip netns exec "$sw" nft add chain bridge vslab pre '{ type filter hook prerouting priority 0; policy accept; }'
    loss_on() {
      # count every VRRP frame from node1's port first, so the real loss can be read off the counters
      ip netns exec "$sw" nft add rule bridge vslab pre iifname '"n1-eth0"' ip protocol vrrp counter
      ip netns exec "$sw" nft add rule bridge vslab pre "$rule"; action switch "nft add rule bridge vslab pre $rule"
    }
    if [ "$V" = 1 ]; then loss_on; start_pair
    else start_pair; sleep_until "$LOSS_AT"; loss_on; fi
    sleep_until "$LOSS_END"
    ip netns exec "$sw" nft -j list ruleset | jq . > "$W/cap/switch.nft.json"
  }
  finish() { # the measured loss: the drop counter against all VRRP frames from n1-eth0
    local c; c=$(jq -c '[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets]' "$1/switch.nft.json")
    DIAG=$(jq -c --argjson c "$c" '.causes[0].facts += {framesFromNode1:$c[0], droppedOnLink:$c[1], measuredLossPercent:(if $c[0] > 0 then ($c[1] * 1000 / $c[0] | round) / 10 else null end)}' <<<"$DIAG")
  }
}

sc_vlan() {
  modern
  VLAN=1
  if [ "$V" = 1 ]; then
    DESCRIPTION="VRRP on a VLAN: SERVICE100 on eth0.100 (VLAN 100, VRID 51, VIP 192.168.100.1) and the untagged SERVICE on eth0 (the same VRID 51, VIPs 192.168.2.1/.2) plus BACKEND on eth1. All healthy, node1 master of all; the tag alone keeps the two VRID 51 apart."
    ex '{"eth0/51":"healthy","eth0.100/51":"healthy","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node1"],"eth0.100/51":["node1"],"eth1/52":["node1"]},"vlan":100}'
  else
    PRIO100[1]=120; NOPREEMPT100[1]=0
    DESCRIPTION="VRRP on a VLAN: SERVICE100 on eth0.100 (VLAN 100, VRID 51, VIP 192.168.100.1; node1 120 preempt) and the untagged SERVICE on eth0 (VRID 51, node2 first). Healthy; the two VRID 51 have different masters (node2 untagged, node1 on VLAN 100)."
    ex '{"eth0/51":"healthy","eth0.100/51":"healthy","eth1/52":"healthy"}' '{"finalMasters":{"eth0/51":["node2"],"eth0.100/51":["node1"],"eth1/52":["node2"]},"vlan":100}'
  fi
  DIAG=$(jq -nc '{causes:[], symptoms:[], healthy:["eth0/51","eth0.100/51","eth1/52"], notFindings:["vrid-conflict","split-brain","flapping","check-firewall"],
                  facts:{vlan:100, taggedOn:"eth0", vlanInterface:"eth0.100", vips:{"eth0/51":["192.168.2.1","192.168.2.2"], "eth0.100/51":["192.168.100.1"]}}, mustSay:[]}')
  body() { start_pair; sleep_until 25; }
}

sc_split-brain-heals() {
  modern
  if [ "$V" = 1 ]; then
    HEAL_AT=20; HEAL_END=34; SB_WINNER=node2; SB_YIELD=node1
    DESCRIPTION="iptables -A INPUT -i eth0 -p vrrp -j DROP on both nodes before start (split brain on eth0); both rules are deleted at t≈${HEAL_AT} s: the nodes hear each other and node1 (equal priority, lower IP) yields."
  else
    hi_lo 1 110 100; HEAL_AT=24; HEAL_END=36; SB_WINNER=node1; SB_YIELD=node2
    DESCRIPTION="node2 master, node1 (110, nopreempt) backup; iptables -A INPUT -i eth0 -p vrrp -j DROP on both at t≈12 s (node1 claims eth0: split brain); the rules are deleted at t≈${HEAL_AT} s (node2 first, node1 1 s later): node2 hears 110 and yields."
  fi
  ex '{"eth0/51":"split-brain-heals","eth1/52":"healthy"}' \
    "{\"healedAt\":$HEAL_AT,\"winner\":\"$SB_WINNER\",\"yielded\":\"$SB_YIELD\",\"finalMasters\":{\"eth0/51\":[\"$SB_WINNER\"],\"eth1/52\":[\"node$FIRST\"]},\"firewallDropsOn\":{\"node1\":[\"eth0\"],\"node2\":[\"eth0\"]},\"firewallRemoved\":true}"
  DIAG=$(jq -nc --argjson a "$(ref 1 eth0)" --argjson b "$(ref 2 eth0)" --arg w "$SB_WINNER" --arg y "$SB_YIELD" '
    {causes:[{code:"check-firewall", segment:"eth0", vrid:51, culprit:null, past:true,
              facts:{rule:"-A INPUT -i eth0 -p vrrp -j DROP", nodes:[$a, $b], removed:true}}],
     symptoms:["split-brain"], healthy:["eth1/52"], notFindings:["advert-loss","flapping"],
     facts:{splitBrainEnded:true, winner:$w, yielded:$y},
     mustSay:["192.168.2.11","192.168.2.12","eth0"]}')
  body() {
    local d=(iptables -D INPUT -i eth0 -p vrrp -j DROP)
    if [ "$V" = 1 ]; then fw_drop_eth0 1; fw_drop_eth0 2; start_pair; sleep_until "$HEAL_AT"
      fw 1 "${d[*]}" "${d[@]}"; fw 2 "${d[*]}" "${d[@]}"
    else start_pair; sleep_until 12; fw_drop_eth0 1; fw_drop_eth0 2; sleep_until "$HEAL_AT"
      fw 2 "${d[*]}" "${d[@]}"; nap 1; fw 1 "${d[*]}" "${d[@]}"
    fi
    sleep_until "$HEAL_END"
  }
}

sc_firewall-before-start() {
  modern
  SYNC=1
  local victim=$SECOND
  if [ "$V" = 1 ]; then ADV51[1]=3; ADV51[2]=3; ADV52=3; FBS_END=44
  else hi_lo "$FIRST" 110 100; FBS_END=32; fi
  local adv=${ADV51[1]}
  DESCRIPTION="The incident exactly: vrrp_sync_group G1 {SERVICE BACKEND}, advert_int $adv; the backup node$victim has iptables -A INPUT -i eth0 -p vrrp -j DROP before its keepalived starts. The wire looks healthy (node$FIRST master on both segments); node$victim's SERVICE counts advert_rcvd 0 since start and logs 'Receive advertisement timeout'; the sync group keeps it BACKUP."
  ex '{"eth0/51":"healthy-on-wire","eth1/52":"healthy"}' \
    "{\"finalMasters\":{\"eth0/51\":[\"node$FIRST\"],\"eth1/52\":[\"node$FIRST\"]},\"backupWantsMaster\":\"node$victim\",\"logLine\":\"Receive advertisement timeout\",\"firewallDropsOn\":{\"node$victim\":[\"eth0\"]},\"advertInt\":$adv,\"advertRcvdZero\":{\"node$victim\":\"SERVICE\"}}"
  DIAG=$(jq -nc --argjson c "$(ref "$victim" eth0)" --argjson p "$(ref "$FIRST" eth0)" --argjson adv "$adv" '
    {causes:[{code:"adverts-dropped-on-host", wireCode:null, segment:"eth0", vrid:51, culprit:$c, needsBundle:true,
              facts:{rule:"-A INPUT -i eth0 -p vrrp -j DROP", before:"keepalived start", advertRcvd:0, instance:"SERVICE", syncGroup:"G1", advertInt:$adv, master:$p}}],
     symptoms:[], healthy:["eth1/52"], wireOnly:{causes:[], symptoms:[], note:"the wire is healthy: only the bundle shows it"},
     notFindings:["split-brain","flapping","advert-loss"],
     mustSay:[$c.address, "eth0", "-A INPUT -i eth0 -p vrrp -j DROP"]}')
  FBS_VICTIM=$victim
  body() { fw_drop_eth0 "$FBS_VICTIM"; start_pair; sleep_until "$FBS_END"; }
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
    if [ "$VLAN" = 1 ] && [ "$n" != 3 ]; then
      idx=$(ip -n "$(ns "$n")" -o link show dev eth0.100 | cut -d: -f1)
      ifs=$(jq -c --arg m "$(mac "$n" 0)" --argjson idx "$idx" --arg a "192.168.100.1$n" \
        '. + {"eth0.100":{mac:$m, ifindex:$idx, ipv4:$a, vlan:100, parent:"eth0", segment:"vlan100",
                          kind:"access port on br100, tagged onto br0 by tests/lab/vlan-trunk.py (the lab kernel has no 8021q)"}}' <<<"$ifs")
    fi
    local inst ka=0 ver sver
    case " ${KA_NODES[*]} " in *" $n "*) ka=1 ;; esac
    ver=${NVER[$n]:-$VERSION}; sver=${SVCVER[$n]:-$ver}
    if [ "$ka" = 0 ]; then
      inst='{}'
    elif [ "$n" = 3 ]; then
      inst=$(jq -nc --argjson p "${PRIO[3]}" --arg a "${AUTH51[3]}" '{OTHER:{interface:"eth0",vrid:51,priority:$p,nopreempt:true,advertInt:1,authPass:$a,vips:["192.168.2.50/24"]}}')
    else
      inst=$(jq -nc --argjson p "${PRIO[$n]}" --argjson np "${NOPREEMPT[$n]}" --argjson a51 "${ADV51[$n]}" --argjson a52 "$ADV52" \
        --arg au "${AUTH51[$n]}" --argjson ver "$ver" --argjson sver "$sver" --argjson v6 "$V6" --argjson uc "$UNICAST" --argjson tr "$TRACK" \
        --arg trmode "$TRACKMODE" --argjson trw "$TRACK_WEIGHT" --arg v6vips "$V6VIPS" --argjson vlan "$VLAN" \
        --argjson p100 "${PRIO100[$n]:-100}" --argjson np100 "${NOPREEMPT100[$n]:-1}" \
        --arg src0 "192.168.2.1$n" --arg peer0 "192.168.2.1$((3 - n))" --arg src1 "10.1.2.1$n" --arg peer1 "10.1.2.1$((3 - n))" --argjson V "$V" '
        def auth(v; a): if v == 2 then {authType:"PASS", authPass:a} else {} end;
        def uc(s; p): if $uc == 1 then {unicastSrcIp:s, unicastPeers:[p]} else {} end;
        {SERVICE:({interface:"eth0",vrid:51,version:$sver,priority:$p,nopreempt:($np==1),advertInt:$a51,
                   vips:["192.168.2.1/24","192.168.2.2/24"]} + auth($sver; $au) + uc($src0;$peer0)
                   + (if $tr == 1 and $trmode == "file" then {trackFile:"TRACK_SERVICE", trackWeight:$trw} else {} end)
                   + (if $tr == 1 and $trmode == "script" then {trackScript:"CHK_SERVICE", trackWeight:(0 - $trw)} else {} end)),
         BACKEND:({interface:"eth1",vrid:52,version:$ver,priority:$p,nopreempt:($np==1),advertInt:$a52,
                   vips:["10.1.2.1/24"]} + auth($ver; "vrrp52") + uc($src1;$peer1))}
        + (if $vlan == 1 then {SERVICE100:({interface:"eth0.100",vrid:51,version:$ver,priority:$p100,nopreempt:($np100==1),advertInt:1,
                   vips:["192.168.100.1/24"]} + auth($ver; "vrrp51"))} else {} end)
        + (if $v6 == 1 then {SERVICE6:{interface:"eth0",vrid:61,version:3,priority:$p,nopreempt:($np==1),advertInt:1,
                   vips:(if $v6vips != "" then ($v6vips | split(" ")) elif $V == 1 then ["fd00:2::1/64"] else ["fe80::61/64","fd00:2::1/64"] end)}} else {} end)')
    fi
    nodes_json=$(jq -c --arg n "node$n" --arg ns "$(ns "$n")" --argjson ifs "$ifs" --argjson inst "$inst" \
      --argjson prio "${PRIO[$n]}" --argjson ka "$ka" \
      '. + {($n): ({namespace:$ns, interfaces:$ifs, instances:$inst}
                  + (if $ka == 1 then {priority:$prio, config:($n+".conf"), log:($n+".log")}
                     else {priority:null, config:null, log:null, keepalived:false} end))}' <<<"$nodes_json")
  done
  for f in "$out"/*; do
    f=$(basename "$f")
    local meta='{}'
    case "$f" in
      node?-eth?.pcap|node?-eth?.*.pcap) meta=$(jq -nc --arg n "${f%%-*}" --arg i "${f#*-}" '{node:$n, interface:($i|rtrimstr(".pcap")), format:"pcap", linktype:"EN10MB"}') ;;
      node2-any.pcap) meta='{"node":"node2","interface":"any","format":"pcap","linktype":"LINUX_SLL2"}' ;;
      node2.pcapng) meta=$(jq -nc --arg i "$(cap_ifaces 2 | tr '\n' ' ')" '{node:"node2", interface:($i|rtrimstr(" ")|split(" ")), format:"pcapng", linktype:"EN10MB", writer:"dumpcap"}') ;;
      observer.pcapng) meta=$(jq -nc --arg ns "$P-obs" '{node:"observer", namespace:$ns, interface:["eth0","eth1"], segments:["eth0","eth1"], format:"pcapng", linktype:"EN10MB", writer:"dumpcap"}') ;;
      *.conf) meta="{\"node\":\"${f%.conf}\",\"kind\":\"keepalived-config\"}" ;;
      *.log) meta="{\"node\":\"${f%.log}\",\"kind\":\"keepalived-log\"}" ;;
      *-json-*.json) meta=$(jq -nc --arg n "${f%%-*}" --argjson t "$(sed 's/.*-json-\([0-9]*\)\.json/\1/' <<<"$f")" '{node:$n, kind:"keepalived-json-dump", t:$t}') ;;
      *-data-*.txt) meta=$(jq -nc --arg n "${f%%-*}" --argjson t "$(sed 's/.*-data-\([0-9]*\)\.txt/\1/' <<<"$f")" '{node:$n, kind:"keepalived-data-dump", t:$t}') ;;
      *.iptables-save) meta="{\"node\":\"${f%.*}\",\"kind\":\"iptables-save\"}" ;;
      *.ip6tables-save) meta="{\"node\":\"${f%.*}\",\"kind\":\"ip6tables-save\"}" ;;
      *.ip-link.json) meta="{\"node\":\"${f%%.*}\",\"kind\":\"ip-link-json\"}" ;;
      *.ip-addr.json) meta="{\"node\":\"${f%%.*}\",\"kind\":\"ip-addr-json\"}" ;;
      *.nft.json) meta="{\"node\":\"${f%%.*}\",\"kind\":\"nft-json\"}" ;;
      scenario.json) continue ;;
    esac
    files_json=$(jq -c --arg f "$f" --argjson m "$meta" '. + {($f): $m}' <<<"$files_json")
  done
  jq -n --arg sc "$SC" --argjson v "$V" --arg desc "$DESCRIPTION" --arg kav "$KA_VERSION" \
    --argjson start "$CAP_START" --argjson endt "$CAP_END" --arg filter "$CAP_FILTER" --argjson snap "$SNAPLEN" \
    --argjson nodes "$nodes_json" --argjson files "$files_json" --slurpfile actions "$W/actions.jsonl" \
    --argjson expect "$EXPECT" --argjson detail "$EXPECT_DETAIL" --argjson sync "$SYNC" --argjson ver "$VERSION" \
    --argjson first "$FIRST" --argjson gap "$GAP" --arg tz "$(date +%Z)" \
    --argjson obs "$OBS" --arg obsns "$P-obs" --arg om0 "$(mac 9 0)" --arg om1 "$(mac 9 1)" --argjson vlan "$VLAN" --argjson diag "$DIAG" '
    {scenario:$sc, variant:$v, description:$desc, keepalived:$kav,
     start:$start, "end":$endt, logTimezone:$tz,
     notes:"keepalived logs have 1 s resolution, local time (logTimezone); lines after end are teardown (all daemons stopped with SIGTERM after the captures).", captureFilter:$filter, snaplen:$snap,
     vrrpVersion:$ver, syncGroup:(if $sync == 1 then {name:"G1", members:["SERVICE","BACKEND"]} else null end),
     startOrder:{first:("node" + ($first|tostring)), gapSeconds:$gap},
     segments:({eth0:{name:"service", ipv4:"192.168.2.0/24", ipv6:"fd00:2::/64", bridge:"br0"},
               eth1:{name:"backend", ipv4:"10.1.2.0/24", bridge:"br1"}}
               + (if $vlan == 1 then {"eth0.100":{name:"vlan100", ipv4:"192.168.100.0/24", bridge:"br0", vlan:100, parent:"eth0"}} else {} end)),
     nodes:$nodes}
    + (if $obs == 1 then {observer:{namespace:$obsns, file:"observer.pcapng", interfaces:{eth0:{bridge:"br0", mac:$om0}, eth1:{bridge:"br1", mac:$om1}}, bridgeAgeingSeconds:0,
                          note:"the bridges flood every frame (ageing 0), so the observer sees unicast adverts too; it has no address and sends nothing"}} else {} end)
    + {actions:$actions, expect:$expect, expectDetail:$detail}
    + (if $diag != null then {diagnosis:$diag} else {} end)
    + {files:$files}' > "$out/scenario.json"
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
  finish() { :; }
  "sc_$SC"
  [ ${#KA_NODES[@]} -gt 0 ] || KA_NODES=("${NODES[@]}")
  # VLAN-tagged frames need their own clause (the kernel gives libpcap the tag out of band)
  [ "$VLAN" = 1 ] && CAP_FILTER="$FILTER or (vlan and ($FILTER))"
  for n in 1 2 3; do mkdir -p "$W/n$n/tmp"; done
  log "setting up (variant $V, first node$FIRST, gap ${GAP}s)"
  setup_topology
  for n in "${KA_NODES[@]}"; do gen_conf "$n"; done
  start_captures
  sleep 1
  if [ "$JSON_EVERY" != 0 ]; then dump_loop & DUMP_LOOP_PID=$!; fi
  body
  if [ -n "$DUMP_LOOP_PID" ]; then kill "$DUMP_LOOP_PID" 2>/dev/null || true; wait "$DUMP_LOOP_PID" 2>/dev/null || true; DUMP_LOOP_PID=""; fi
  for n in "${KA_NODES[@]}"; do json_dump "$n"; done
  if [ "$BUNDLE" = 1 ]; then for n in "${KA_NODES[@]}"; do data_dump "$n"; done; fi
  [ "$SAVE_FW" = 1 ] && save_fw
  stop_captures
  # teardown (not recorded): stop all daemons at once so that no one takes over after the captures
  for n in "${KA_NODES[@]}"; do [ -n "${KPID[$n]:-}" ] && kill -TERM "${KPID[$n]}" 2>/dev/null || true; done
  for n in "${KA_NODES[@]}"; do stop_node "$n" TERM; done
  for n in "${KA_NODES[@]}"; do
    cp "$W/n$n/keepalived.conf" "$W/cap/node$n.conf"
    cp "$W/n$n/keepalived.log" "$W/cap/node$n.log"
  done
  rm -rf "$out"; mkdir -p "$out"
  cp "$W/cap/"* "$out/"
  chmod 0644 "$out"/*
  finish "$out"
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
