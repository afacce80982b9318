#pragma once
/// Runs `headroom bench` as a child process (the GUI never hosts benchmark code): progress from
/// its stderr lines "[i/n ...]", cancel = SIGINT so the child stops after the current case and
/// still writes the partial results file.
#include <QObject>
#include <QProcess>
#include <QString>

namespace headroom::gui {

class BenchRunner : public QObject {
  Q_OBJECT

 public:
  explicit BenchRunner(QObject* parent = nullptr);
  ~BenchRunner() override;

  /// The `headroom` executable: $HEADROOM_BIN, next to this program, ../cli/ of a build tree,
  /// the build tree this GUI was configured with, then PATH. Empty when none exists.
  static QString headroomExecutable();

  /// Starts `headroom bench --suite SUITE [--filter GLOB] --out OUT --force`. False (with
  /// errorString()) when one is already running or the executable is missing.
  bool start(const QString& suite, const QString& filter, const QString& out_file);
  void cancel();
  bool running() const;
  QString errorString() const { return error_; }
  QStringList arguments() const { return process_.arguments(); }

 signals:
  /// Case `done` of `total` finished; `line` is the child's progress line.
  void progress(int done, int total, const QString& line);
  /// The child ended. `results_file` is set when a results file was written (complete or partial);
  /// `message` says how it ended.
  void finished(const QString& results_file, bool cancelled, const QString& message);

 private:
  void readStderr();

  QProcess process_;
  QString out_;
  QString error_;
  QByteArray buffer_;
  QString last_line_;
  bool cancelled_ = false;
};

}  // namespace headroom::gui
