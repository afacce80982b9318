#!/usr/bin/env python3
"""Side-by-side check of headroom's CUDA figures against PyTorch on the same GPU (issue-4 targets).

Runs the real `headroom` binary and PyTorch alternately on one device and prints, per target, the
median over rounds of headroom / reference:

  GEMM 8192^3 bf16, fp16, tf32   cuda.gemm.<p> flop_per_s        vs torch.matmul          target >= 0.97
  GEMM 8192^3 fp8 e4m3 -> bf16   cuda.gemm.fp8 / fp8_fast        vs torch._scaled_mm      target >= 0.97
                                 (use_fast_accum False / True)
  GEMM 8192^3 int8 -> int32      cuda.gemm.int8 (OP/s)           vs torch._int_mm         target >= 0.97
  device copy, 1 GiB array       cuda.hbm.copy bytes_per_s       vs torch Tensor.copy_    target >= 0.97
                                 (both counted as bytes read + written = 2 x size)
  host->device, device->host     cuda.pcie.h2d|d2h bytes_per_s   vs cudaMemcpyAsync loops target >= 0.97
  pinned, 256 MiB                (pinned)                          timed by hand through torch
  quick GPU suite wall time      headroom bench --filter 'cuda.*' and 'nccl.*'   target <= 90 s

It needs a CUDA GPU and PyTorch with CUDA; without them it exits 3 and says why (it never prints a
made-up figure). Its output, device and date are recorded in docs/validation.md ("GPU"). A reference
that this PyTorch cannot compute (an older build without _scaled_mm, say) is reported as such and
left out of the verdict, never replaced by a number.

Usage: bench/gpu_vs_torch.py [--headroom build/cli/headroom] [--rounds 3] [--reps 20]
                             [--skip-suite] [--json OUT.json]
Exit: 0 all targets met, 1 a target missed, 2 bad arguments, 3 no GPU / no torch / no binary.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

GEMM_N = 8192
COPY_BYTES = 1 << 30  # largest array of cuda.hbm.copy's quick sweep
PCIE_BYTES = 256 << 20  # largest transfer of cuda.pcie.*'s quick sweep


def die(code, message):
    print(f"gpu_vs_torch: {message}", file=sys.stderr)
    sys.exit(code)


def run_headroom(binary, case_filter, reps):
    """Runs `headroom bench` for one filter (quick suite) and returns the parsed results.json."""
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "results.json")
        cmd = [binary, "bench", "--quiet", "--suite", "quick", "--filter", case_filter,
               "--repetitions", str(reps), "--out", out]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        if proc.returncode != 0:
            die(3, f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()}")
        with open(out, encoding="utf-8") as f:
            return json.load(f)


def headroom_metric(results, name, metric, **params):
    """The headline value of `metric` of the passed, verified case `name` with `params`."""
    for case in results["cases"]:
        if case["name"] != name or any(case["params"].get(k) != v for k, v in params.items()):
            continue
        if case["status"] != "passed":
            die(3, f"{name} {params} was {case['status']}: {case['message']}")
        if case.get("verified") is False:
            die(1, f"{name} {params} ran but its result was wrong: {case['message']}")
        for m in case["metrics"]:
            if m["name"] == metric and m["value"] is not None:
                return float(m["value"])
    die(3, f"no {name} case with {params} and metric {metric} in the results")


def torch_timed(torch, fn, reps, inner):
    """Median seconds per call of fn(), CUDA-event timed, `inner` calls per sample, after warm-up."""
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(reps):
        start.record()
        for _ in range(inner):
            fn()
        stop.record()
        stop.synchronize()
        samples.append(start.elapsed_time(stop) / 1e3 / inner)
    return statistics.median(samples)


def torch_gemm_flops(torch, precision, reps):
    """torch.matmul on the problem cuda.gemm.<precision> solves: the same types, the same TN layout
    and fp32 accumulation throughout."""
    dtype = {"bf16": torch.bfloat16, "fp16": torch.float16, "tf32": torch.float32}[precision]
    # "high" lets fp32 matmuls use TF32 tensor cores, "highest" forbids it (stable API since 1.12;
    # allow_tf32 is deprecated in favour of fp32_precision from 2.9).
    torch.set_float32_matmul_precision("high" if precision == "tf32" else "highest")
    # headroom restricts split-K to fp32 partial sums (CUBLASLT_REDUCTION_SCHEME_COMPUTE_TYPE);
    # PyTorch's default allows fp16/bf16 partial sums, so turn that off for a like-for-like run.
    torch.backends.cuda.matmul.allow_fp16_reduced_precision_reduction = False
    torch.backends.cuda.matmul.allow_bf16_reduced_precision_reduction = False
    m = n = k = GEMM_N
    # headroom's TN layout (column-major A stored k x m, B stored k x n, C m x n) is, in row-major
    # torch terms, a of shape (m, k), b of shape (n, k) and c of shape (n, m) = b @ a.T: cuBLAS
    # then gets op(A) = T and op(B) = N, as in headroom.
    a = torch.rand(m, k, device="cuda", dtype=dtype) * 2 - 1  # uniform [-1, 1): random, never zeros
    b = torch.rand(n, k, device="cuda", dtype=dtype) * 2 - 1
    c = torch.empty(n, m, device="cuda", dtype=dtype)
    a_t = a.t()
    t = torch_timed(torch, lambda: torch.matmul(b, a_t, out=c), reps, 10)
    return 2.0 * m * n * k / t


def torch_low_precision_flops(torch, precision, reps):
    """cuda.gemm.fp8 / fp8_fast / int8's problem through PyTorch's own cuBLASLt paths: e4m3 inputs
    with unit scales and a bf16 result (torch._scaled_mm), or int8 inputs with an int32 result
    (torch._int_mm), in the same TN layout as above (mat1 row-major, mat2 column-major)."""
    m = n = k = GEMM_N
    if precision == "int8":
        a = torch.randint(-128, 128, (m, k), device="cuda", dtype=torch.int8)
        b = torch.randint(-128, 128, (n, k), device="cuda", dtype=torch.int8)
        a_t = a.t()
        fn = lambda: torch._int_mm(b, a_t)  # noqa: E731
    else:
        e4m3 = torch.float8_e4m3fn
        a = (torch.rand(m, k, device="cuda") * 2 - 1).to(e4m3)
        b = (torch.rand(n, k, device="cuda") * 2 - 1).to(e4m3)
        one = torch.ones((), device="cuda", dtype=torch.float32)
        fast = precision == "fp8_fast"
        a_t = a.t()
        fn = lambda: torch._scaled_mm(b, a_t, scale_a=one, scale_b=one, out_dtype=torch.bfloat16,  # noqa: E731
                                      use_fast_accum=fast)
    return 2.0 * m * n * k / torch_timed(torch, fn, reps, 10)


def torch_copy_bytes(torch, reps):
    n = COPY_BYTES // 8
    src = torch.rand(n, device="cuda", dtype=torch.float64)
    dst = torch.empty_like(src)
    t = torch_timed(torch, lambda: dst.copy_(src), reps, 10)
    return 2.0 * COPY_BYTES / t  # read + written, as cuda.hbm.copy counts


def torch_pcie_bytes(torch, direction, reps):
    n = PCIE_BYTES // 8
    host = torch.rand(n, dtype=torch.float64).pin_memory()
    dev = torch.rand(n, device="cuda", dtype=torch.float64)
    if direction == "h2d":
        fn = lambda: dev.copy_(host, non_blocking=True)  # noqa: E731 (cudaMemcpyAsync H2D)
    else:
        fn = lambda: host.copy_(dev, non_blocking=True)  # noqa: E731 (cudaMemcpyAsync D2H)
    return PCIE_BYTES / torch_timed(torch, fn, reps, 5)


def in_order(headroom_fn, reference_fn, headroom_first):
    """Runs both sides in the given order; returns (headroom value, reference value)."""
    if headroom_first:
        h = headroom_fn()
        return h, reference_fn()
    r = reference_fn()
    return headroom_fn(), r


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--headroom", default=os.path.join(root, "build", "cli", "headroom"))
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=20)
    ap.add_argument("--skip-suite", action="store_true", help="skip timing the whole quick GPU suite")
    ap.add_argument("--json", help="also write all figures to this file")
    args = ap.parse_args()
    if args.rounds < 1 or args.reps < 1:
        die(2, "--rounds and --reps must be >= 1")
    if not os.access(args.headroom, os.X_OK):
        die(3, f"headroom binary '{args.headroom}' not found (build first or pass --headroom)")
    try:
        import torch
    except ImportError:
        die(3, "PyTorch is not installed")
    if not torch.cuda.is_available():
        die(3, "no CUDA GPU visible to PyTorch: this comparison needs one")
    device = torch.cuda.get_device_name(0)

    rows = {}  # label -> list of (headroom, reference) per round
    unavailable = {}  # precision -> why PyTorch could not compute the reference

    def add(label, h, ref):
        rows.setdefault(label, []).append((h, ref))

    for rnd in range(args.rounds):
        headroom_first = rnd % 2 == 0  # alternate who runs first so drift cannot favour one side
        for precision in ("bf16", "fp16", "tf32"):
            def hr():
                res = run_headroom(args.headroom, f"cuda.gemm.{precision}", args.reps)
                return headroom_metric(res, f"cuda.gemm.{precision}", "flop_per_s", m=GEMM_N, n=GEMM_N, k=GEMM_N)
            ref = lambda: torch_gemm_flops(torch, precision, args.reps)  # noqa: E731
            h, r = in_order(hr, ref, headroom_first)
            add(f"gemm {precision} {GEMM_N}^3 FLOP/s", h, r)

        for precision in ("fp8", "fp8_fast", "int8"):
            def hr_low():
                res = run_headroom(args.headroom, f"cuda.gemm.{precision}", args.reps)
                return headroom_metric(res, f"cuda.gemm.{precision}", "flop_per_s", m=GEMM_N, n=GEMM_N, k=GEMM_N)

            def ref_low():
                try:
                    return torch_low_precision_flops(torch, precision, args.reps)
                except (RuntimeError, AttributeError) as e:  # not in this PyTorch build or on this GPU
                    unavailable[precision] = f"{type(e).__name__}: {str(e).splitlines()[0]}"
                    return None
            h, r = in_order(hr_low, ref_low, headroom_first)
            if r is not None:
                add(f"gemm {precision} {GEMM_N}^3 {'OP/s' if precision == 'int8' else 'FLOP/s'}", h, r)

        def hcopy():
            res = run_headroom(args.headroom, "cuda.hbm.copy", args.reps)
            return headroom_metric(res, "cuda.hbm.copy", "bytes_per_s", size_bytes=COPY_BYTES)
        h, r = in_order(hcopy, lambda: torch_copy_bytes(torch, args.reps), headroom_first)
        add("d2d copy 1 GiB B/s (read+write)", h, r)

        for direction in ("h2d", "d2h"):
            def hp():
                res = run_headroom(args.headroom, f"cuda.pcie.{direction}", args.reps)
                return headroom_metric(res, f"cuda.pcie.{direction}", "bytes_per_s", size_bytes=PCIE_BYTES,
                                       memory="pinned")
            ref = lambda: torch_pcie_bytes(torch, direction, args.reps)  # noqa: E731
            h, r = in_order(hp, ref, headroom_first)
            add(f"{direction} pinned 256 MiB B/s", h, r)

    suite_s = None
    if not args.skip_suite:
        t0 = time.monotonic()
        run_headroom(args.headroom, "cuda.*", 9)
        listed = subprocess.run([args.headroom, "list"], capture_output=True, text=True).stdout
        if "\nnccl." in "\n" + listed:  # a build without NCCL has no nccl.* cases to time
            run_headroom(args.headroom, "nccl.*", 9)
        suite_s = time.monotonic() - t0

    print(f"device: {device}   torch {torch.__version__}   rounds {args.rounds}   reps {args.reps}")
    print(f"{'figure':34} {'headroom':>12} {'reference':>12} {'ratio':>7}  target")
    missed = False
    report = {"device": device, "torch": torch.__version__, "rows": {}, "quick_suite_s": suite_s}
    for label, pairs in rows.items():
        ratio = statistics.median(h / r for h, r in pairs)
        h_med = statistics.median(h for h, _ in pairs)
        r_med = statistics.median(r for _, r in pairs)
        ok = ratio >= 0.97
        missed |= not ok
        print(f"{label:34} {h_med:12.4g} {r_med:12.4g} {ratio:7.3f}  >= 0.97 {'ok' if ok else 'MISSED'}")
        report["rows"][label] = {"headroom": h_med, "reference": r_med, "ratio": ratio, "pairs": pairs}
    for precision, why in unavailable.items():
        print(f"{'gemm ' + precision:34} no PyTorch reference ({why}); not part of the verdict")
    report["unavailable"] = unavailable
    if suite_s is not None:
        ok = suite_s <= 90
        missed |= not ok
        print(f"{'quick GPU suite wall time (s)':34} {suite_s:12.1f} {'':12} {'':7}  <= 90 {'ok' if ok else 'MISSED'}")
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(report, f, indent=2)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
