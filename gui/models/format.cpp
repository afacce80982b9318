#include "format.hpp"

#include <cmath>

#include "headroom/core/units.hpp"

namespace headroom::gui {

QString gib(double bytes) { return QStringLiteral("%1 GiB").arg(bytes / (1024.0 * 1024.0 * 1024.0), 0, 'f', 1); }

QString rate(double value, const char* unit) { return QString::fromStdString(core::format_rate(value, unit)); }

QString duration(double s) {
  if (!std::isfinite(s) || s <= 0) return QStringLiteral("–");
  if (s >= 86400.0) return QStringLiteral("%1 days").arg(s / 86400.0, 0, 'f', 1);
  if (s >= 3600.0) return QStringLiteral("%1 h").arg(s / 3600.0, 0, 'f', 1);
  if (s >= 1.0) return QStringLiteral("%1 s").arg(s, 0, 'f', 2);
  return QStringLiteral("%1 ms").arg(s * 1e3, 0, 'f', 1);
}

QString usd(double d) {
  const double a = std::fabs(d);
  if (a >= 1e9) return QStringLiteral("$%1 B").arg(d / 1e9, 0, 'f', 2);
  if (a >= 1e6) return QStringLiteral("$%1 M").arg(d / 1e6, 0, 'f', 2);
  if (a >= 1e3) return QStringLiteral("$%1 k").arg(d / 1e3, 0, 'f', 1);
  return QStringLiteral("$%1").arg(d, 0, 'f', 2);
}

QString count(double n) {
  const double a = std::fabs(n);
  if (a >= 1e9) return QStringLiteral("%1 G").arg(n / 1e9, 0, 'f', 2);
  if (a >= 1e6) return QStringLiteral("%1 M").arg(n / 1e6, 0, 'f', 2);
  if (a >= 1e4) return QStringLiteral("%1 k").arg(n / 1e3, 0, 'f', 1);
  return QString::number(n, 'f', 0);
}

}  // namespace headroom::gui
