#include "bench_runner.hpp"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>
#include <QRegularExpression>
#include <QStandardPaths>

#include <csignal>

namespace headroom::gui {

BenchRunner::BenchRunner(QObject* parent) : QObject(parent) {
  process_.setProcessChannelMode(QProcess::SeparateChannels);
  connect(&process_, &QProcess::readyReadStandardError, this, &BenchRunner::readStderr);
  connect(&process_, &QProcess::finished, this, [this](int code, QProcess::ExitStatus status) {
    readStderr();
    const bool wrote = QFileInfo(out_).isFile() && QFileInfo(out_).size() > 0;
    QString message;
    if (status == QProcess::CrashExit) {
      message = QStringLiteral("headroom bench crashed");
    } else if (cancelled_) {
      message = wrote ? QStringLiteral("cancelled: partial results kept") : QStringLiteral("cancelled before any result");
    } else if (code == 0) {
      message = QStringLiteral("finished");
    } else {
      message = QStringLiteral("headroom bench exited with %1: %2").arg(code).arg(last_line_);
    }
    emit finished(wrote ? out_ : QString(), cancelled_, message);
  });
  connect(&process_, &QProcess::errorOccurred, this, [this](QProcess::ProcessError e) {
    if (e == QProcess::FailedToStart) emit finished(QString(), false, QStringLiteral("cannot start %1").arg(process_.program()));
  });
}

BenchRunner::~BenchRunner() {
  if (process_.state() != QProcess::NotRunning) {
    process_.kill();
    process_.waitForFinished(2000);
  }
}

QString BenchRunner::headroomExecutable() {
  const QString env = qEnvironmentVariable("HEADROOM_BIN");
  if (!env.isEmpty() && QFileInfo(env).isExecutable()) return env;
  const QDir app(QCoreApplication::applicationDirPath());
  for (const QString& candidate : {app.filePath(QStringLiteral("headroom")), app.filePath(QStringLiteral("../cli/headroom")),
                                   QStringLiteral(HEADROOM_GUI_CLI_PATH)}) {
    if (QFileInfo(candidate).isExecutable()) return QFileInfo(candidate).canonicalFilePath();
  }
  return QStandardPaths::findExecutable(QStringLiteral("headroom"));
}

bool BenchRunner::running() const { return process_.state() != QProcess::NotRunning; }

bool BenchRunner::start(const QString& suite, const QString& filter, const QString& out_file) {
  if (running()) {
    error_ = QStringLiteral("a benchmark is already running");
    return false;
  }
  const QString exe = headroomExecutable();
  if (exe.isEmpty()) {
    error_ = QStringLiteral("the headroom executable was not found (set HEADROOM_BIN)");
    return false;
  }
  out_ = out_file;
  cancelled_ = false;
  buffer_.clear();
  last_line_.clear();
  QStringList args{QStringLiteral("bench"), QStringLiteral("--suite"), suite, QStringLiteral("--out"), out_file, QStringLiteral("--force")};
  if (!filter.isEmpty()) args << QStringLiteral("--filter") << filter;
  process_.start(exe, args);
  return true;
}

void BenchRunner::cancel() {
  // One SIGINT only: a second one means "stop now" to `headroom bench` (like a second Ctrl-C in a
  // terminal) and would end the child before it writes the partial results.
  if (!running() || cancelled_) return;
  cancelled_ = true;
  // SIGINT, like Ctrl-C in a terminal: the runner finishes the current case and writes the file.
  ::kill(static_cast<pid_t>(process_.processId()), SIGINT);
}

void BenchRunner::readStderr() {
  buffer_ += process_.readAllStandardError();
  static const QRegularExpression progress_line(QStringLiteral("^\\[(\\d+)/(\\d+)[^\\]]*\\]"));
  for (qsizetype nl = buffer_.indexOf('\n'); nl >= 0; nl = buffer_.indexOf('\n')) {
    const QString line = QString::fromUtf8(buffer_.left(nl)).trimmed();
    buffer_.remove(0, nl + 1);
    if (line.isEmpty()) continue;
    last_line_ = line;
    const auto m = progress_line.match(line);
    if (m.hasMatch()) emit progress(m.captured(1).toInt(), m.captured(2).toInt(), line);
  }
}

}  // namespace headroom::gui
