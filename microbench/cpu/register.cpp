#include "headroom/bench/backends.hpp"

namespace headroom::bench {

void register_cpu(Registry& registry) { (void)registry; }

}  // namespace headroom::bench
