#pragma once
/// Number formatting shared by the models, tables and chart tooltips: every figure with its unit.
#include <QString>

namespace headroom::gui {

QString gib(double bytes);                 ///< "73.4 GiB" (capacities: GiB = 2^30 bytes)
QString rate(double value, const char* unit);  ///< SI prefix: "989 TFLOP/s", "3.35 TB/s"
QString duration(double seconds);          ///< "12.3 days", "4.1 h", "35 ms"
QString usd(double dollars);               ///< "$1.23 M", "$45.6 k", "$12.34"
QString count(double n);                   ///< "1.2 M", "512"

}  // namespace headroom::gui
