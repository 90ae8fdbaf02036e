#!/usr/bin/env python3
"""Where a Flink task thread's time goes, from a JFR recording of an end-to-end run.

Usage: bench/jfr-breakdown.py RECORDING.jfr FROM TO THREAD [JFR_TOOL]
  FROM, TO  wall-clock window (HH:MM:SS, the recording's time zone), e.g. one case of
            EndToEndSuite taken from its log
  THREAD    substring of the sampled thread's name, e.g. "classify sequences"

Counts jdk.ExecutionSample (every 10 ms with settings=profile) and jdk.NativeMethodSample
(every 20 ms, so weighted twice) of the matching threads, and puts each sample in the first
category whose frames appear anywhere in its stack, then by the rnnstream or timer-service
caller and the state primitive below it. Under load the shares are meaningful, the absolute
times are not.
"""
import collections
import re
import subprocess
import sys

CATEGORIES = [
    ("rocksdb: sequence state read (ValueState.value)", ["RocksDBValueState.value"]),
    ("rocksdb: sequence state write (update/clear)",
     ["RocksDBValueState.update", "RocksDBValueState.clear", "AbstractRocksDBState.clear"]),
    ("rocksdb: pending-events map", ["RocksDBMapState"]),
    ("timers (register, fire, delete)",
     ["RocksDBCachingPriorityQueueSet", "InternalTimerServiceImpl.registerEventTimeTimer",
      "InternalTimerServiceImpl.deleteEventTimeTimer", "HeapPriorityQueueSet",
      "KeyGroupPartitionedPriorityQueue"]),
    ("RNN step and result (model-core)", ["io.rnnstream.core."]),
    ("sequence state serializer", ["SequenceStateSerializer"]),
    ("Kafka, parsing", ["org.apache.kafka", "ParseEvents", "io.rnnstream.stream.event"]),
]


def samples(recording, start, end, thread, tool):
    text = subprocess.run(
        [tool, "print", "--events", "jdk.ExecutionSample,jdk.NativeMethodSample",
         "--stack-depth", "64", recording],
        capture_output=True, text=True, check=True).stdout
    for event in re.split(r"\n(?=jdk\.(?:ExecutionSample|NativeMethodSample) \{)", text)[1:]:
        time = re.search(r"startTime = (\d\d:\d\d:\d\d)", event)
        name = re.search(r'sampledThread = "([^"]*)"', event)
        if not time or not name or not start <= time.group(1) <= end or thread not in name.group(1):
            continue
        weight = 2 if event.startswith("jdk.NativeMethodSample") else 1
        yield weight, re.findall(r"\n\s+([\w.$<>]+\.[\w$<>]+)\(", event)


def short(frame):
    return ".".join(frame.split(".")[-2:])


def main():
    recording, start, end, thread = sys.argv[1:5]
    tool = sys.argv[5] if len(sys.argv) > 5 else "jfr"
    categories, callers, total = collections.Counter(), collections.Counter(), 0
    for weight, frames in samples(recording, start, end, thread, tool):
        total += weight
        stack = " ".join(frames)
        category = next((c for c, keys in CATEGORIES if any(k in stack for k in keys)), "other")
        categories[category] += weight
        ours = [f for f in frames if "io.rnnstream.stream" in f or "InternalTimerServiceImpl" in f]
        primitive = "-"
        for f in frames:
            if "org.rocksdb" in f or "RocksDB" in short(f) or "PriorityQueue" in f or "Ttl" in f:
                primitive = short(f)
        callers[(short(ours[0]) if ours else "-", primitive)] += weight
    print(f"samples (10 ms units): {total}")
    print("\n| share | category |\n|---|---|")
    for category, n in categories.most_common():
        print(f"| {n / total:.1%} | {category} |")
    print("\n| share | caller | state primitive underneath |\n|---|---|---|")
    for (caller, primitive), n in callers.most_common(15):
        print(f"| {n / total:.1%} | {caller} | {primitive} |")


if __name__ == "__main__":
    main()
