// cuBLASLt, loaded on first use instead of at program start.
//
// Why: libcublasLt.so.13 is a 540 MB library whose load relocates ~200 MB of tables. Linked
// normally, every `headroom` process paid for it before main(): `headroom --version`, `plan`,
// `tco` and `compare` took 0.3 s and 210 MB of resident memory on the development VM
// (`/usr/bin/time -f "%e s %M KB" headroom --version`), and a machine without a GPU paid it for
// nothing. These definitions of the cuBLASLt entry points headroom calls take the place of the
// import library: the first call dlopen()s the real library and every call forwards to its
// symbol. The declarations come from <cublasLt.h>, so a signature that drifts from the header is a
// compile error, and an entry point used elsewhere but not defined here is a link error.
//
// Nothing here runs on a machine without a CUDA device: the backend stops at device_count() == 0
// before its first cuBLASLt call.
#include <cublasLt.h>
#include <dlfcn.h>

#include <mutex>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "headroom/core/errors.hpp"
#include "headroom/gpu/cublaslt_loader.hpp"

#define HEADROOM_LT_STR2(x) #x
#define HEADROOM_LT_STR(x) HEADROOM_LT_STR2(x)

namespace headroom::bench::gpu {
namespace {

/// The soname the toolkit headroom was built with ships ("libcublasLt.so.13"); the same major
/// keeps the header's structures and enums valid.
constexpr const char* kSoname = "libcublasLt.so." HEADROOM_LT_STR(CUBLAS_VER_MAJOR);

/// Every entry point defined below (keep in step with the definitions): probed up front so that a
/// library lacking one waives the GEMM cases instead of failing halfway through a case.
constexpr const char* kEntryPoints[] = {
    "cublasLtCreate",
    "cublasLtDestroy",
    "cublasLtGetStatusName",
    "cublasLtGetStatusString",
    "cublasLtGetVersion",
    "cublasLtMatmulDescCreate",
    "cublasLtMatmulDescDestroy",
    "cublasLtMatmulDescSetAttribute",
    "cublasLtMatrixLayoutCreate",
    "cublasLtMatrixLayoutDestroy",
    "cublasLtMatrixLayoutSetAttribute",
    "cublasLtMatmulPreferenceCreate",
    "cublasLtMatmulPreferenceDestroy",
    "cublasLtMatmulPreferenceSetAttribute",
    "cublasLtMatmulAlgoGetHeuristic",
    "cublasLtMatmul",
};

/// The first entry point `handle` lacks, in the words of the waiver; empty when it has them all.
std::string missing_symbol(void* handle, const std::string& library_name) {
  for (const char* name : kEntryPoints) {
    if (dlsym(handle, name) == nullptr) {
      return fmt::format("{} has no symbol {}: a cuBLASLt older than the {}.{} headers headroom was built with",
                         library_name, name, CUBLAS_VER_MAJOR, CUBLAS_VER_MINOR);
    }
  }
  return {};
}

struct Library {
  void* handle = nullptr;
  std::string error;  ///< why it could not be loaded; empty when loaded
};

const Library& library() {
  static Library lib;
  static std::once_flag once;
  std::call_once(once, [] {
    // First the soname through the normal search (LD_LIBRARY_PATH, the binary's RUNPATH, ld.so
    // cache); then the file CMake found at configure time, for installs outside those paths.
    std::string tried;
    for (const char* candidate : {kSoname, HEADROOM_CUBLASLT_PATH}) {
      if (candidate[0] == '\0') continue;
      lib.handle = dlopen(candidate, RTLD_NOW | RTLD_LOCAL);
      if (lib.handle != nullptr) return;
      const char* why = dlerror();
      tried += fmt::format("{}{}", tried.empty() ? "" : "; ", why != nullptr ? why : candidate);
    }
    lib.error = tried;
  });
  return lib;
}

/// The real `name` in the loaded library; throws core::EnvironmentError (exit 3 from the CLI, an
/// `error` case in a run) naming the library when it cannot be loaded or lacks the symbol.
template <typename Fn>
Fn real(const char* name) {
  const Library& lib = library();
  if (lib.handle == nullptr) {
    throw core::EnvironmentError(
        fmt::format("cuBLASLt could not be loaded ({}): install the CUDA toolkit's cuBLAS libraries or add their "
                    "directory to LD_LIBRARY_PATH",
                    lib.error));
  }
  void* symbol = dlsym(lib.handle, name);
  if (symbol == nullptr) {
    throw core::EnvironmentError(fmt::format("{} has no symbol {}: a cuBLASLt older than the {}.{} headers headroom "
                                             "was built with",
                                             kSoname, name, CUBLAS_VER_MAJOR, CUBLAS_VER_MINOR));
  }
  return reinterpret_cast<Fn>(symbol);
}

// One cached pointer per entry point: resolved once, then a plain indirect call.
#define HEADROOM_LT_REAL(name)                                     \
  static const auto fn = real<decltype(&::name)>(#name); /* NOLINT */ \
  return fn

}  // namespace

std::string probe_cublaslt(const std::vector<std::string>& candidates) {
  std::string tried;
  for (const auto& candidate : candidates) {
    if (candidate.empty()) continue;
    void* handle = dlopen(candidate.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle == nullptr) {
      const char* why = dlerror();
      tried += fmt::format("{}{}", tried.empty() ? "" : "; ", why != nullptr ? why : candidate.c_str());
      continue;
    }
    std::string missing = missing_symbol(handle, candidate);
    (void)dlclose(handle);
    return missing;
  }
  return fmt::format("cuBLASLt could not be loaded ({}): install the CUDA toolkit's cuBLAS libraries or add their "
                     "directory to LD_LIBRARY_PATH",
                     tried.empty() ? "no candidate library" : tried);
}

std::string cublaslt_unavailable_reason() {
  static const std::string reason = [] {
    const Library& lib = library();
    if (lib.handle == nullptr) {
      return fmt::format("cuBLASLt could not be loaded ({}): install the CUDA toolkit's cuBLAS libraries or add "
                         "their directory to LD_LIBRARY_PATH",
                         lib.error);
    }
    return missing_symbol(lib.handle, kSoname);
  }();
  return reason;
}

}  // namespace headroom::bench::gpu

using headroom::bench::gpu::real;

extern "C" {

cublasStatus_t CUBLASWINAPI cublasLtCreate(cublasLtHandle_t* lightHandle) {
  HEADROOM_LT_REAL(cublasLtCreate)(lightHandle);
}

cublasStatus_t CUBLASWINAPI cublasLtDestroy(cublasLtHandle_t lightHandle) {
  HEADROOM_LT_REAL(cublasLtDestroy)(lightHandle);
}

const char* CUBLASWINAPI cublasLtGetStatusName(cublasStatus_t status) {
  HEADROOM_LT_REAL(cublasLtGetStatusName)(status);
}

const char* CUBLASWINAPI cublasLtGetStatusString(cublasStatus_t status) {
  HEADROOM_LT_REAL(cublasLtGetStatusString)(status);
}

size_t CUBLASWINAPI cublasLtGetVersion(void) {
  HEADROOM_LT_REAL(cublasLtGetVersion)();
}

cublasStatus_t CUBLASWINAPI cublasLtMatmulDescCreate(cublasLtMatmulDesc_t* matmulDesc, cublasComputeType_t computeType,
                                                     cudaDataType_t scaleType) {
  HEADROOM_LT_REAL(cublasLtMatmulDescCreate)(matmulDesc, computeType, scaleType);
}

cublasStatus_t CUBLASWINAPI cublasLtMatmulDescDestroy(cublasLtMatmulDesc_t matmulDesc) {
  HEADROOM_LT_REAL(cublasLtMatmulDescDestroy)(matmulDesc);
}

cublasStatus_t CUBLASWINAPI cublasLtMatmulDescSetAttribute(cublasLtMatmulDesc_t matmulDesc,
                                                           cublasLtMatmulDescAttributes_t attr, const void* buf,
                                                           size_t sizeInBytes) {
  HEADROOM_LT_REAL(cublasLtMatmulDescSetAttribute)(matmulDesc, attr, buf, sizeInBytes);
}

cublasStatus_t CUBLASWINAPI cublasLtMatrixLayoutCreate(cublasLtMatrixLayout_t* matLayout, cudaDataType type,
                                                       uint64_t rows, uint64_t cols, int64_t ld) {
  HEADROOM_LT_REAL(cublasLtMatrixLayoutCreate)(matLayout, type, rows, cols, ld);
}

cublasStatus_t CUBLASWINAPI cublasLtMatrixLayoutDestroy(cublasLtMatrixLayout_t matLayout) {
  HEADROOM_LT_REAL(cublasLtMatrixLayoutDestroy)(matLayout);
}

cublasStatus_t CUBLASWINAPI cublasLtMatrixLayoutSetAttribute(cublasLtMatrixLayout_t matLayout,
                                                             cublasLtMatrixLayoutAttribute_t attr, const void* buf,
                                                             size_t sizeInBytes) {
  HEADROOM_LT_REAL(cublasLtMatrixLayoutSetAttribute)(matLayout, attr, buf, sizeInBytes);
}

cublasStatus_t CUBLASWINAPI cublasLtMatmulPreferenceCreate(cublasLtMatmulPreference_t* pref) {
  HEADROOM_LT_REAL(cublasLtMatmulPreferenceCreate)(pref);
}

cublasStatus_t CUBLASWINAPI cublasLtMatmulPreferenceDestroy(cublasLtMatmulPreference_t pref) {
  HEADROOM_LT_REAL(cublasLtMatmulPreferenceDestroy)(pref);
}

cublasStatus_t CUBLASWINAPI cublasLtMatmulPreferenceSetAttribute(cublasLtMatmulPreference_t pref,
                                                                 cublasLtMatmulPreferenceAttributes_t attr,
                                                                 const void* buf, size_t sizeInBytes) {
  HEADROOM_LT_REAL(cublasLtMatmulPreferenceSetAttribute)(pref, attr, buf, sizeInBytes);
}

cublasStatus_t CUBLASWINAPI cublasLtMatmulAlgoGetHeuristic(
    cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t operationDesc, cublasLtMatrixLayout_t Adesc,
    cublasLtMatrixLayout_t Bdesc, cublasLtMatrixLayout_t Cdesc, cublasLtMatrixLayout_t Ddesc,
    cublasLtMatmulPreference_t preference, int requestedAlgoCount, cublasLtMatmulHeuristicResult_t heuristicResultsArray[],
    int* returnAlgoCount) {
  HEADROOM_LT_REAL(cublasLtMatmulAlgoGetHeuristic)(lightHandle, operationDesc, Adesc, Bdesc, Cdesc, Ddesc, preference,
                                                   requestedAlgoCount, heuristicResultsArray, returnAlgoCount);
}

cublasStatus_t CUBLASWINAPI cublasLtMatmul(cublasLtHandle_t lightHandle, cublasLtMatmulDesc_t computeDesc,
                                           const void* alpha, const void* A, cublasLtMatrixLayout_t Adesc,
                                           const void* B, cublasLtMatrixLayout_t Bdesc, const void* beta,
                                           const void* C, cublasLtMatrixLayout_t Cdesc, void* D,
                                           cublasLtMatrixLayout_t Ddesc, const cublasLtMatmulAlgo_t* algo,
                                           void* workspace, size_t workspaceSizeInBytes, cudaStream_t stream) {
  HEADROOM_LT_REAL(cublasLtMatmul)(lightHandle, computeDesc, alpha, A, Adesc, B, Bdesc, beta, C, Cdesc, D, Ddesc, algo,
                                   workspace, workspaceSizeInBytes, stream);
}

}  // extern "C"
