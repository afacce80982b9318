#!/usr/bin/env python3
"""Writes SYNTHETIC results.json fixtures for the accept/compare/report tests (never measurements).

Usage: make_fixtures.py OUTDIR

Every value is made up from round reference numbers times a fixed factor and seeded noise; every file
says so in run.notes. Case names and parameter names are those `headroom bench` writes (microbench/*:
cpu.stream array_bytes, storage block_bytes, ...), so the tests see the real format. Files:
  host_base.json, host_same.json  two runs of one host-only suite, same distribution (different seeds)
  host_slow.json                  like host_same, with cpu.stream.triad bytes_per_s degraded by 10 %
  gpu_good.json                   8 synthetic "NVIDIA H100 80GB HBM3" GPUs, all above the SKU thresholds
  gpu_bad.json                    gpu_good with cuda:3 BF16 GEMM at 80 % of its peers (uniformity fails)
  hostile.json                    host names / messages carrying <script> and onerror= payloads
  fleet/node{0..5}.json           six nodes, node4 with 25 % lower STREAM triad
"""
import json
import os
import random
import sys

PAYLOAD_TITLE = "<script>document.title='PWNED'</script>"
PAYLOAD_IMG = "\"><img src=x onerror=\"document.title='PWNED2'\">"


def metric(name, unit, samples, better="higher", provenance="measured", note=""):
    s = sorted(samples)
    n = len(s)
    med = s[n // 2] if n % 2 else 0.5 * (s[n // 2 - 1] + s[n // 2])
    mean = sum(s) / n
    sd = (sum((x - mean) ** 2 for x in s) / (n - 1)) ** 0.5 if n > 1 else 0.0

    def pct(q):
        h = q * (n - 1)
        lo = int(h)
        hi = min(lo + 1, n - 1)
        return s[lo] + (h - lo) * (s[hi] - s[lo])

    return {"name": name, "unit": unit, "better": better, "value": med, "samples": samples,
            "summary": {"n": n, "median": med, "mean": mean, "min": s[0], "max": s[-1], "p5": pct(0.05),
                        "p95": pct(0.95), "stdev": sd, "cv": sd / mean if mean else 0.0},
            "provenance": provenance, "note": note}


def derived(name, unit, value, note=""):
    return {"name": name, "unit": unit, "better": "higher", "value": value, "samples": [], "summary": None,
            "provenance": "derived", "note": note}


def case(name, params, metrics, device="host", status="passed", message="", seconds=None):
    return {"name": name, "status": status, "message": message, "device": device, "params": params,
            "param_order": list(params.keys()), "verified": True if status == "passed" else None,
            "samples_s": seconds if seconds is not None else [0.01] * 9, "wall_s": 0.2, "metrics": metrics}


def noisy(rng, value, cv, n=9):
    return [value * (1 + rng.gauss(0, cv)) for _ in range(n)]


def host(hostname):
    return {"hostname": hostname, "cpu_model": "Synthetic CPU 64-Core", "cpu_vendor": "SyntheticVendor",
            "sockets": 1, "cores": 64, "threads": 128, "cpu_max_mhz": 3000.0, "l1d_bytes": 49152,
            "l2_bytes": 1048576, "l3_bytes": 33554432, "numa_nodes": 1, "memory_bytes": 549755813888,
            "cpu_flags": ["avx2", "avx512f"], "os": "Synthetic Linux", "kernel": "6.1.0-synthetic",
            "compiler": "g++ 12.2", "headroom_version": "0.1.0", "virtualized": False, "ranks": []}


def results(hostname, cases, devices=(), seed=0, note_extra=""):
    return {"schema": "headroom.results", "schema_version": "1.0",
            "run": {"id": f"{seed:016x}", "started_at": "2026-11-22T10:00:00Z", "finished_at": "2026-11-22T10:05:00Z",
                    "tool_version": "0.1.0", "command_line": "synthetic fixture",
                    "policy": {"suite": "quick", "warmup": 1, "repetitions": 9, "min_time_s": 0.0, "max_case_s": 30.0,
                               "statistic": "median", "rotate_buffers": True},
                    "filter": "*", "world_size": 1, "incomplete": False, "incomplete_reason": "",
                    "notes": ["SYNTHETIC fixture written by tests/cli/reports_fixtures/make_fixtures.py; not a measurement"
                              + note_extra]},
            "host": host(hostname), "hosts": [], "devices": list(devices), "cases": cases}


def host_cases(rng, triad_scale=1.0, cv=0.01):
    cs = []
    for m in (256, 512):
        cs.append(case("cpu.gemm.fp64", {"m": m, "n": m, "k": m, "threads": 64, "impl": "blas"},
                       [metric("flop_per_s", "FLOP/s", noisy(rng, 2.0e12 * (0.8 if m == 256 else 1.0), cv))]))
    for m in (256, 512):
        cs.append(case("cpu.gemm.fp32", {"m": m, "n": m, "k": m, "threads": 64, "impl": "blas"},
                       [metric("flop_per_s", "FLOP/s", noisy(rng, 4.0e12 * (0.8 if m == 256 else 1.0), cv))]))
    cs.append(case("cpu.peak.fp64", {"threads": 64}, [derived("flop_per_s", "FLOP/s", 3.072e12,
                                                              "cores x GHz x 16 FP64 FLOP/cycle")], seconds=[]))
    cs.append(case("cpu.peak.fp32", {"threads": 64}, [derived("flop_per_s", "FLOP/s", 6.144e12,
                                                              "cores x GHz x 32 FP32 FLOP/cycle")], seconds=[]))
    for kernel, bw in (("copy", 2.0e11), ("scale", 1.95e11), ("add", 2.1e11), ("triad", 2.1e11)):
        scale = triad_scale if kernel == "triad" else 1.0
        cs.append(case("cpu.stream." + kernel, {"array_bytes": 1 << 30, "threads": 64},
                       [metric("bytes_per_s", "B/s", noisy(rng, bw * scale, cv))]))
    for size in (1 << 15, 1 << 20, 1 << 24, 1 << 28):
        bw = {1 << 15: 4e12, 1 << 20: 2e12, 1 << 24: 8e11, 1 << 28: 2e11}[size]
        cs.append(case("cpu.cache.sweep", {"size_bytes": size, "threads": 64}, [metric("bytes_per_s", "B/s", noisy(rng, bw, cv))]))
    seq = {"file_bytes": 1 << 32, "size_bytes": 1 << 30, "block_bytes": 1 << 20, "queue_depth": 32}
    cs.append(case("storage.seq_read", seq,
                   [metric("bytes_per_s", "B/s", noisy(rng, 3.0e9, cv)),
                    metric("latency_p99_s", "s", noisy(rng, 4e-3, cv), better="lower")]))
    cs.append(case("storage.seq_write", seq,
                   [metric("bytes_per_s", "B/s", noisy(rng, 2.0e9, cv))]))
    for size in (1 << 10, 1 << 20, 1 << 26):
        bw = {1 << 10: 2e8, 1 << 20: 8e9, 1 << 26: 1.2e10}[size]
        cs.append(case("mpi.all_reduce", {"size_bytes": size, "ranks": 2},
                       [metric("busbw_bytes_per_s", "B/s", noisy(rng, bw, cv)),
                        metric("algbw_bytes_per_s", "B/s", noisy(rng, bw, cv))]))
    cs.append(case("storage.rand_read", {"file_bytes": 1 << 32, "block_bytes": 4096, "queue_depth": 32, "duration_s": 2.0},
                   [], status="waived",
                   message="no io_uring in this synthetic fixture"))
    return cs


def gpu(i):
    return {"index": i, "name": "NVIDIA H100 80GB HBM3", "uuid": f"GPU-synthetic-{i}", "pci_bus_id": f"0000:{i:02x}:00.0",
            "compute_capability": "9.0", "sm_count": 132, "memory_bytes": 85520809984, "l2_bytes": 52428800,
            "clock_sm_mhz": 1980.0, "clock_mem_mhz": 2619.0, "memory_bus_width_bits": 5120, "ecc_enabled": True,
            "numa_node": 0, "pcie_gen": 5, "pcie_width": 16, "power_limit_w": 700.0, "driver_version": "580.00",
            "cuda_runtime_version": "13.0", "cublas_version": "13.1", "nccl_version": "2.28.9", "host_rank": 0}


def gpu_cases(rng, slow_device=None):
    cs = []
    for d in range(8):
        dev = f"cuda:{d}"
        f = 0.8 if d == slow_device else 1.0
        for prec, peak in (("bf16", 989e12), ("fp16", 989e12), ("tf32", 494e12), ("fp8", 1979e12)):
            for m in (4096, 8192):
                frac = 0.72 if m == 4096 else 0.78
                cs.append(case("cuda.gemm." + prec, {"m": m, "n": m, "k": m, "layout": "TN"},
                               [metric("flop_per_s", "FLOP/s", noisy(rng, peak * frac * f, 0.005))], device=dev))
        for size in (1 << 24, 1 << 28, 1 << 31):
            cs.append(case("cuda.hbm.copy", {"size_bytes": size},
                           [metric("bytes_per_s", "B/s", noisy(rng, 3.35e12 * (0.85 if size > 1 << 24 else 0.7), 0.005)),
                            metric("payload_bytes_per_s", "B/s",
                                   noisy(rng, 3.35e12 * (0.425 if size > 1 << 24 else 0.35), 0.005))], device=dev))
        for kind in ("h2d", "d2h"):
            for size in (1 << 20, 1 << 28):
                cs.append(case("cuda.pcie." + kind, {"size_bytes": size, "memory": "pinned"},
                               [metric("bytes_per_s", "B/s", noisy(rng, 55e9 if size > 1 << 20 else 20e9, 0.01))],
                               device=dev))
    for size in (1 << 20, 1 << 26, 1 << 32):
        bw = {1 << 20: 5e10, 1 << 26: 3.2e11, 1 << 32: 4.6e11}[size]
        cs.append(case("nccl.all_reduce", {"size_bytes": size, "ranks": 8},
                       [metric("busbw_bytes_per_s", "B/s", noisy(rng, bw, 0.01)),
                        metric("algbw_bytes_per_s", "B/s", noisy(rng, bw * 8 / 14, 0.01))], device="node"))
    return cs


def write(path, doc):
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)


def main():
    out = sys.argv[1]
    os.makedirs(os.path.join(out, "fleet"), exist_ok=True)
    write(os.path.join(out, "host_base.json"), results("synthetic-node-a", host_cases(random.Random(1)), seed=1))
    write(os.path.join(out, "host_same.json"), results("synthetic-node-a", host_cases(random.Random(2)), seed=2))
    write(os.path.join(out, "host_slow.json"),
          results("synthetic-node-a", host_cases(random.Random(3), triad_scale=0.9), seed=3,
                  note_extra="; cpu.stream.triad degraded by 10 % on purpose"))
    gpus = [gpu(i) for i in range(8)]
    cs = host_cases(random.Random(4)) + gpu_cases(random.Random(5))
    write(os.path.join(out, "gpu_good.json"), results("synthetic-gpu-node", cs, gpus, seed=4))
    cs = host_cases(random.Random(4)) + gpu_cases(random.Random(5), slow_device=3)
    write(os.path.join(out, "gpu_bad.json"), results("synthetic-gpu-node", cs, gpus, seed=5))
    hostile = results("evil" + PAYLOAD_TITLE + PAYLOAD_IMG, host_cases(random.Random(6)), seed=6)
    hostile["run"]["notes"].append(PAYLOAD_TITLE)
    hostile["cases"].append(case("cpu.stream.triad", {"array_bytes": 1 << 20, "threads": "x" + PAYLOAD_IMG},
                                 [], status="error", message=PAYLOAD_TITLE + PAYLOAD_IMG))
    write(os.path.join(out, "hostile.json"), hostile)
    for i in range(6):
        write(os.path.join(out, "fleet", f"node{i}.json"),
              results(f"synthetic-node-{i}", host_cases(random.Random(10 + i), triad_scale=0.75 if i == 4 else 1.0),
                      seed=10 + i))


if __name__ == "__main__":
    main()
