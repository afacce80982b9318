#pragma once
/// cuBLASLt is dlopen()ed on first use (microbench/cuda/src/cublaslt_loader.cpp). These say up front
/// whether it can be used, so a machine with a GPU but without a usable cuBLASLt waives the GEMM
/// cases with the reason and still inventories its GPUs and runs the other CUDA benchmarks.
#include <string>
#include <vector>

namespace headroom::bench::gpu {

/// Empty when libcublasLt.so.<major of the headers> (or the file found at configure time) loads and
/// has every entry point headroom calls; otherwise why not, naming the library and the symbol.
/// Loads the library on first call; the answer is cached.
std::string cublaslt_unavailable_reason();

/// The same check for an explicit list of library files or sonames, tried in order until one
/// loads; that one must have every entry point. Loads and unloads them; for tests.
std::string probe_cublaslt(const std::vector<std::string>& candidates);

}  // namespace headroom::bench::gpu
