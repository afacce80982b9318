// headroom-gui: compare GPU options interactively. `--screenshot DIR` renders every page
// offscreen to DIR/<page>.png and exits (tests, README).
#include <QApplication>
#include <QCommandLineParser>
#include <QMessageBox>

#include <cstdio>
#include <cstring>

#include "../pages/main_window.hpp"
#include "headroom/core/errors.hpp"
#include "headroom/plan/catalog.hpp"

int main(int argc, char** argv) {
  // Screenshots need no display: pick the offscreen platform before QApplication reads it.
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--screenshot") == 0 && qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
      qputenv("QT_QPA_PLATFORM", "offscreen");
    }
  }
  QApplication app(argc, argv);
  QApplication::setApplicationName(QStringLiteral("headroom-gui"));
  QApplication::setApplicationVersion(QStringLiteral(HEADROOM_GUI_VERSION));

  QCommandLineParser cli;
  cli.setApplicationDescription(QStringLiteral("Compare GPU options: memory fit, time and throughput, cost, roofline, measurements."));
  cli.addHelpOption();
  cli.addVersionOption();
  const QCommandLineOption screenshot(QStringLiteral("screenshot"), QStringLiteral("Render every page to DIR/<page>.png and exit."),
                                      QStringLiteral("DIR"));
  const QCommandLineOption workspace(QStringLiteral("workspace"), QStringLiteral("Open a saved workspace."), QStringLiteral("FILE"));
  const QCommandLineOption results(QStringLiteral("results"), QStringLiteral("Show a results.json on the Measurements page (twice: A and B)."),
                                   QStringLiteral("FILE"));
  const QCommandLineOption data_dir(QStringLiteral("data-dir"), QStringLiteral("Catalog directory (default: $HEADROOM_DATA_DIR or the installed data/)."),
                                    QStringLiteral("DIR"));
  const QCommandLineOption tab(QStringLiteral("page"), QStringLiteral("Page to show first, 0-5."), QStringLiteral("N"));
  cli.addOptions({screenshot, workspace, results, data_dir, tab});
  cli.process(app);

  const bool shot = cli.isSet(screenshot);
  try {
    headroom::gui::MainWindow window(cli.isSet(data_dir) ? std::filesystem::path(cli.value(data_dir).toStdString())
                                                         : headroom::plan::default_data_dir());
    window.setQuiet(shot);
    QString error;
    if (cli.isSet(workspace)) error = window.loadWorkspaceFile(cli.value(workspace));
    const QStringList files = cli.values(results);
    for (int i = 0; i < files.size() && i < 2 && error.isEmpty(); ++i) error = window.loadResults(files[i], i == 0 ? 'A' : 'B');
    if (!error.isEmpty() && shot) {
      std::fprintf(stderr, "headroom-gui: %s\n", qPrintable(error));
      return static_cast<int>(headroom::core::ExitCode::kBadInput);
    }
    if (cli.isSet(tab)) window.tabs()->setCurrentIndex(cli.value(tab).toInt());
    window.show();
    if (shot) {
      error = window.screenshot(cli.value(screenshot));
      if (!error.isEmpty()) {
        std::fprintf(stderr, "headroom-gui: %s\n", qPrintable(error));
        return static_cast<int>(headroom::core::ExitCode::kEnvironment);
      }
      std::fprintf(stderr, "headroom-gui: wrote the pages to %s\n", qPrintable(cli.value(screenshot)));
      return 0;
    }
    return QApplication::exec();
  } catch (const headroom::core::InputError& e) {
    std::fprintf(stderr, "headroom-gui: %s\n", e.what());
    if (!shot) QMessageBox::critical(nullptr, QStringLiteral("headroom-gui"), QString::fromUtf8(e.what()));
    return static_cast<int>(headroom::core::ExitCode::kBadInput);
  }
}
