#include "chart_panel.hpp"

#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QMessageBox>
#include <QPainter>
#include <QToolButton>
#include <QVBoxLayout>
#include <QtCharts/QChart>
#include <QtCharts/QChartView>

#if HEADROOM_GUI_HAVE_SVG
#include <QSvgGenerator>
#endif

namespace headroom::gui {

ChartPanel::ChartPanel(const QString& name, QWidget* parent) : QWidget(parent), name_(name) {
  auto* chart = new QChart;
  chart->setAnimationOptions(QChart::NoAnimation);  // charts must be current the moment data arrives
  chart->legend()->setAlignment(Qt::AlignBottom);
  chart->setMargins(QMargins(4, 4, 4, 4));
  view_ = new QChartView(chart, this);
  view_->setRenderHint(QPainter::Antialiasing);
  view_->setFocusPolicy(Qt::StrongFocus);
  view_->setAccessibleName(name);

  auto* exportButton = new QToolButton(this);
  exportButton->setText(QStringLiteral("Export…"));
  exportButton->setToolTip(svgAvailable() ? QStringLiteral("Save this chart as PNG or SVG")
                                          : QStringLiteral("Save this chart as PNG (SVG needs Qt6Svg)"));
  connect(exportButton, &QToolButton::clicked, this, [this] { exportInteractive(); });

  note_ = new QLabel(this);
  note_->setWordWrap(true);
  note_->setTextInteractionFlags(Qt::TextSelectableByMouse);
  note_->hide();

  auto* bottom = new QHBoxLayout;
  bottom->addWidget(note_, 1);
  bottom->addWidget(exportButton, 0, Qt::AlignRight | Qt::AlignTop);
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  layout->addWidget(view_, 1);
  layout->addLayout(bottom);
}

QChart* ChartPanel::chart() const { return view_->chart(); }

void ChartPanel::setNote(const QString& text) {
  note_->setText(text);
  note_->setVisible(!text.isEmpty());
}

QString ChartPanel::note() const { return note_->text(); }

bool ChartPanel::svgAvailable() { return HEADROOM_GUI_HAVE_SVG != 0; }

namespace {
// Draws the chart onto `device` at `size`. A chart on a page that is not shown has no laid-out
// geometry and QWidget::grab() gives nothing: then the chart is sized and its scene rendered.
bool draw_chart(QChartView* view, QPaintDevice* device, QSize size) {
  QPainter painter;
  if (!painter.begin(device)) return false;
  painter.setRenderHint(QPainter::Antialiasing);
  if (view->isVisible() && view->width() >= 300 && view->height() >= 200) {
    view->render(&painter, QRectF(QPointF(0, 0), size), view->rect());
  } else {
    QChart* chart = view->chart();
    const QSizeF old = chart->size();
    chart->resize(size);
    painter.fillRect(QRect(QPoint(0, 0), size), Qt::white);
    view->scene()->render(&painter, QRectF(QPointF(0, 0), size), QRectF(chart->pos(), QSizeF(size)));
    chart->resize(old);
  }
  painter.end();
  return true;
}
}  // namespace

QString ChartPanel::exportTo(const QString& path) const {
  const bool shown = view_->isVisible() && view_->width() >= 300 && view_->height() >= 200;
  const QSize size = shown ? view_->size() : QSize(900, 600);
  if (QFileInfo(path).suffix().compare(QStringLiteral("svg"), Qt::CaseInsensitive) == 0) {
#if HEADROOM_GUI_HAVE_SVG
    QSvgGenerator svg;
    svg.setFileName(path);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    svg.setTitle(name_);
    svg.setDescription(QStringLiteral("headroom-gui chart"));
    if (!draw_chart(view_, &svg, size)) return QStringLiteral("cannot write %1").arg(path);
    return QFileInfo(path).size() > 0 ? QString() : QStringLiteral("cannot write %1").arg(path);
#else
    return QStringLiteral("SVG export is not built in (Qt6Svg was not found); save as .png");
#endif
  }
  QImage image(size, QImage::Format_ARGB32_Premultiplied);
  image.fill(Qt::white);
  if (!draw_chart(view_, &image, size) || !image.save(path, "PNG")) return QStringLiteral("cannot write %1").arg(path);
  return {};
}

void ChartPanel::exportInteractive() {
  const QString filter = svgAvailable() ? QStringLiteral("PNG image (*.png);;SVG image (*.svg)") : QStringLiteral("PNG image (*.png)");
  const QString path = QFileDialog::getSaveFileName(this, QStringLiteral("Export chart"), name_ + QStringLiteral(".png"), filter);
  if (path.isEmpty()) return;
  const QString error = exportTo(path);
  if (!error.isEmpty()) QMessageBox::warning(this, QStringLiteral("Export chart"), error);
}

}  // namespace headroom::gui
