// The sensor readings a GPU case writes into its notes, from given NVML values (no GPU needed).
#include <gtest/gtest.h>

#include "nvml.hpp"

namespace gpu = headroom::bench::gpu;

TEST(NvmlText, ClockEventReasonsInWords) {
  EXPECT_EQ(gpu::clock_event_reasons_text(0x0), "");
  EXPECT_EQ(gpu::clock_event_reasons_text(0x1), "");  // idle is no limit on a loaded GPU
  EXPECT_EQ(gpu::clock_event_reasons_text(0x4), "power cap");
  EXPECT_EQ(gpu::clock_event_reasons_text(0x4 | 0x40), "power cap, thermal (hardware)");
  EXPECT_EQ(gpu::clock_event_reasons_text(0x1 | 0x20 | 0x80), "thermal (software), power brake (hardware)");
  EXPECT_EQ(gpu::clock_event_reasons_text(0x2 | 0x8 | 0x10 | 0x100),
            "applications clocks setting, hardware slowdown, sync boost, display clock setting");
  EXPECT_EQ(gpu::clock_event_reasons_text(0x4 | 0x400), "power cap, reason bits 0x400");
}

TEST(NvmlText, SensorsWithPowerAndWhatHoldsTheClocksBack) {
  gpu::GpuSensors s;
  s.clock_sm_mhz = 1155;
  s.clock_mem_mhz = 2619;
  s.temperature_c = 57;
  s.power_w = 698.6;
  s.pcie_gen = 5;
  s.pcie_width = 16;
  s.clock_event_reasons = 0x4;
  EXPECT_EQ(gpu::describe_sensors(s), "sm 1155 MHz, mem 2619 MHz, 57 °C, 699 W, PCIe Gen5 x16, clocks held back by power cap");
  s.clock_event_reasons = 0x1;  // idle only: nothing to say
  s.power_w.reset();
  EXPECT_EQ(gpu::describe_sensors(s), "sm 1155 MHz, mem 2619 MHz, 57 °C, PCIe Gen5 x16");
}
