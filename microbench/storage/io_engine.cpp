// I/O engines: io_uring (liburing, when built with it) and psync (pread/pwrite, threads for depth).
#include <unistd.h>

#include <fmt/format.h>

#include <atomic>
#include <cerrno>
#include <ctime>
#include <system_error>
#include <thread>

#ifdef HEADROOM_HAVE_IOURING
#include <liburing.h>
#endif

#include "headroom/core/errors.hpp"
#include "storage.hpp"

namespace headroom::bench::storage {

namespace {

double mono_s() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + 1e-9 * static_cast<double>(ts.tv_nsec);
}

std::string io_error(const IoJob& job, std::int64_t offset, long res) {
  const char* verb = job.kind == IoKind::kRead ? "read" : "write";
  if (res < 0) {
    return fmt::format("{} of {} bytes at offset {} failed: {}", verb, job.block_bytes, offset,
                       std::generic_category().message(static_cast<int>(-res)));
  }
  return fmt::format("short {} at offset {}: {} of {} bytes", verb, offset, res, job.block_bytes);
}

// --- psync ----------------------------------------------------------------------------------------

class PsyncEngine final : public IoEngine {
 public:
  std::string name() const override { return "psync"; }
  std::string describe() const override { return "psync, one synchronous request per thread"; }

  IoRun run(const IoJob& job, const unsigned char* write_data) override {
    const int threads = std::max(1, job.queue_depth);
    std::atomic<std::int64_t> next{0};
    std::atomic<bool> failed{false};
    std::vector<std::vector<double>> lat(static_cast<std::size_t>(threads));
    std::vector<std::string> errors(static_cast<std::size_t>(threads));
    std::vector<std::int64_t> done(static_cast<std::size_t>(threads), 0);
    const double t0 = mono_s();
    auto worker = [&](int t) {
      AlignedBuffer buf(job.kind == IoKind::kRead ? job.block_bytes : 0);
      auto& my_lat = lat[static_cast<std::size_t>(t)];
      for (;;) {
        if (failed.load(std::memory_order_relaxed)) return;
        const std::int64_t i = next.fetch_add(1, std::memory_order_relaxed);
        if (i >= job.max_ops) return;
        const double s = mono_s();
        if (s - t0 > job.max_s) return;
        const std::int64_t off = job.offset(i);
        ssize_t n = 0;
        do {
          n = job.kind == IoKind::kRead
                  ? ::pread(job.fd, buf.data(), static_cast<std::size_t>(job.block_bytes), off)
                  : ::pwrite(job.fd, write_data, static_cast<std::size_t>(job.block_bytes), off);
        } while (n < 0 && errno == EINTR);
        if (n != job.block_bytes) {
          errors[static_cast<std::size_t>(t)] = io_error(job, off, n < 0 ? -errno : static_cast<long>(n));
          failed.store(true);
          return;
        }
        if (job.record_latency) my_lat.push_back(mono_s() - s);
        ++done[static_cast<std::size_t>(t)];
      }
    };
    if (threads == 1) {
      worker(0);
    } else {
      std::vector<std::thread> pool;
      pool.reserve(static_cast<std::size_t>(threads));
      for (int t = 0; t < threads; ++t) pool.emplace_back(worker, t);
      for (auto& th : pool) th.join();
    }
    IoRun out;
    out.seconds = mono_s() - t0;
    for (const auto& e : errors) {
      if (!e.empty()) throw core::EnvironmentError(e);
    }
    for (int t = 0; t < threads; ++t) {
      out.ops += done[static_cast<std::size_t>(t)];
      const auto& l = lat[static_cast<std::size_t>(t)];
      out.latency_s.insert(out.latency_s.end(), l.begin(), l.end());
    }
    return out;
  }
};

// --- io_uring -------------------------------------------------------------------------------------

#ifdef HEADROOM_HAVE_IOURING
class UringEngine final : public IoEngine {
 public:
  /// Sets up a ring of `entries` in place; init_rc() is its result (0 or −errno). Asks for the setup
  /// flags fio's io_uring engine sets (fio 3.33: COOP_TASKRUN, SINGLE_ISSUER, DEFER_TASKRUN): one
  /// thread submits and reaps, so completion work can wait until it asks for completions instead of
  /// interrupting it after every request. Older kernels refuse them (EINVAL): dropped one by one.
  explicit UringEngine(unsigned entries) : entries_(entries) {
    unsigned flags = IORING_SETUP_COOP_TASKRUN | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
    for (;;) {
      io_uring_params p{};
      p.flags = flags;
      init_rc_ = io_uring_queue_init_params(entries, &ring_, &p);
      if (init_rc_ != -EINVAL || flags == 0) break;
      flags = (flags & IORING_SETUP_DEFER_TASKRUN) != 0 ? IORING_SETUP_COOP_TASKRUN : 0;
    }
    flags_ = flags;
  }
  ~UringEngine() override {
    if (init_rc_ == 0) io_uring_queue_exit(&ring_);
  }
  int init_rc() const { return init_rc_; }
  UringEngine(const UringEngine&) = delete;
  UringEngine& operator=(const UringEngine&) = delete;

  std::string name() const override { return "io_uring"; }
  std::string describe() const override {
    std::string setup;
    if ((flags_ & IORING_SETUP_DEFER_TASKRUN) != 0) {
      setup = ", COOP_TASKRUN+SINGLE_ISSUER+DEFER_TASKRUN";
    } else if ((flags_ & IORING_SETUP_COOP_TASKRUN) != 0) {
      setup = ", COOP_TASKRUN";
    }
    return "io_uring, one request per submission" + setup;
  }

  IoRun run(const IoJob& job, const unsigned char* write_data) override {
    const int qd = std::max(1, std::min(job.queue_depth, static_cast<int>(entries_)));
    // One buffer per slot for reads, kept from run to run: allocating and first touching them
    // (16 MiB at QD 16 x 1 MiB) would otherwise land in a caller's timed region. Writes all send the
    // same (caller's) data.
    const bool refill = static_cast<int>(bufs_.size()) < qd || bufs_.front().size() < job.block_bytes;
    if (job.kind == IoKind::kRead && refill) {
      bufs_.clear();
      for (int s = 0; s < qd; ++s) bufs_.emplace_back(job.block_bytes);
    }
    const std::vector<AlignedBuffer>& bufs = bufs_;
    std::vector<int> free_slots;
    for (int s = qd - 1; s >= 0; --s) free_slots.push_back(s);
    std::vector<double> start(static_cast<std::size_t>(qd), 0.0);
    std::vector<std::int64_t> slot_offset(static_cast<std::size_t>(qd), 0);
    IoRun out;
    if (job.record_latency) out.latency_s.reserve(1 << 16);
    std::int64_t issued = 0;
    int inflight = 0;
    bool issuing = true;
    std::string error;
    // Takes every completion that is there, without waiting; one clock read per batch reaped.
    auto reap = [&] {
      io_uring_cqe* cqe = nullptr;
      unsigned head = 0;
      unsigned seen = 0;
      double done_at = 0;
      io_uring_for_each_cqe(&ring_, head, cqe) {
        if (seen++ == 0) done_at = mono_s();
        const auto slot = static_cast<int>(io_uring_cqe_get_data64(cqe));
        if (cqe->res != job.block_bytes && error.empty()) {
          error = io_error(job, slot_offset[static_cast<std::size_t>(slot)], cqe->res);
        }
        if (job.record_latency) out.latency_s.push_back(done_at - start[static_cast<std::size_t>(slot)]);
        free_slots.push_back(slot);
        --inflight;
        ++out.ops;
      }
      io_uring_cq_advance(&ring_, seen);
    };
    auto check = [](int rc, const char* call) {
      if (rc < 0 && rc != -EINTR) {
        throw core::EnvironmentError(fmt::format("{} failed: {}", call, std::generic_category().message(-rc)));
      }
    };
    // As fio's defaults (iodepth_batch_submit=1, iodepth_batch_complete_min=1): each request goes to
    // the kernel on its own as soon as a slot is free, completions are collected after every
    // submission without waiting, and the loop sleeps only when every slot is busy. Handing the
    // kernel a whole batch in one call instead keeps the device waiting until the last request of
    // the batch is issued; a device that works through its queue one request at a time (the
    // virtio-blk disk of a VM) then idles after every batch: about 10 % fewer 4 KiB IOPS at QD 32
    // on the development VM (docs/validation.md).
    const double t0 = mono_s();
    while (true) {
      if (issuing && error.empty() && !free_slots.empty() && issued < job.max_ops) {
        const double now = mono_s();
        if (now - t0 > job.max_s) issuing = false;
        io_uring_sqe* sqe = issuing ? io_uring_get_sqe(&ring_) : nullptr;  // null: SQ full, wait below
        if (sqe != nullptr) {
          const int slot = free_slots.back();
          free_slots.pop_back();
          const std::int64_t off = job.offset(issued);
          if (job.kind == IoKind::kRead) {
            io_uring_prep_read(sqe, job.fd, bufs[static_cast<std::size_t>(slot)].data(),
                               static_cast<unsigned>(job.block_bytes), static_cast<__u64>(off));
          } else {
            io_uring_prep_write(sqe, job.fd, write_data, static_cast<unsigned>(job.block_bytes),
                                static_cast<__u64>(off));
          }
          io_uring_sqe_set_data64(sqe, static_cast<__u64>(slot));
          start[static_cast<std::size_t>(slot)] = now;
          slot_offset[static_cast<std::size_t>(slot)] = off;
          ++issued;
          ++inflight;
          check(io_uring_submit_and_get_events(&ring_), "io_uring_submit_and_get_events");
          reap();
          continue;
        }
      }
      if (inflight == 0) break;
      check(io_uring_submit_and_wait(&ring_, 1), "io_uring_submit_and_wait");  // waits for >= 1 completion
      reap();
    }
    out.seconds = mono_s() - t0;
    if (!error.empty()) throw core::EnvironmentError(error);
    return out;
  }

 private:
  io_uring ring_{};
  unsigned entries_;
  unsigned flags_ = 0;  ///< IORING_SETUP_* flags the kernel accepted
  std::vector<AlignedBuffer> bufs_;  ///< read buffers, one per slot
  int init_rc_ = -1;
};
#endif

}  // namespace

std::unique_ptr<IoEngine> make_psync_engine() { return std::make_unique<PsyncEngine>(); }

std::unique_ptr<IoEngine> make_io_engine(int queue_depth, std::string& why_not_uring) {
#ifdef HEADROOM_HAVE_IOURING
  unsigned entries = 1;
  while (entries < static_cast<unsigned>(std::max(1, queue_depth))) entries <<= 1;
  auto engine = std::make_unique<UringEngine>(entries);
  const int rc = engine->init_rc();
  if (rc == 0) {
    why_not_uring.clear();
    return engine;
  }
  why_not_uring = "io_uring refused by the kernel (" + std::generic_category().message(-rc) + "): psync used";
#else
  (void)queue_depth;
  why_not_uring = "built without liburing: psync used (queue depth N = N threads)";
#endif
  return make_psync_engine();
}

}  // namespace headroom::bench::storage
