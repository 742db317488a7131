#!/usr/bin/env bash
# bench/cpu-speed.sh - how fast each CPU of this machine runs right now, relative to the fastest one.
#
# The same single-threaded busy loop is run pinned to each online CPU in turn (taskset), nothing else of ours running.
# On a machine whose CPUs are equal every figure is about 1.00. On the 2-vCPU VM this project is measured on, one vCPU
# ran the loop at 0.53-0.57 of the other's speed, and which one was slow changed within minutes (2026-12-02), so a
# thread of a CPU-bound start-up ran at either speed depending on where the scheduler put it. bench/startup.sh prints
# this line before each pair of runs, so that a run says what the machine was like when it was measured.
# Usage: bench/cpu-speed.sh            prints e.g. "cpu speed (fastest = 1.00): cpu0 1.00, cpu1 0.55"
set -euo pipefail

loop() {
  local i
  for ((i = 0; i < 400000; i++)); do :; done
}
export -f loop

took=()
fastest=0
for cpu in $(seq 0 $(($(nproc --all) - 1))); do
  [[ -r /sys/devices/system/cpu/cpu$cpu/online && $(</sys/devices/system/cpu/cpu$cpu/online) == 0 ]] && continue
  start=${EPOCHREALTIME/./}
  taskset -c "$cpu" bash -c loop
  took[$cpu]=$((${EPOCHREALTIME/./} - start))
  ((fastest == 0 || took[$cpu] < fastest)) && fastest=${took[$cpu]}
done
line=""
for cpu in "${!took[@]}"; do   # an indexed array lists its indexes in order
  speed=$((fastest * 100 / took[$cpu]))
  line+="${line:+, }cpu$cpu $((speed / 100)).$(printf '%02d' $((speed % 100)))"
done
echo "cpu speed (fastest = 1.00): $line"
