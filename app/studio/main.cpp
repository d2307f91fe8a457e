// samtok-studio: the desktop annotator.
//   samtok-studio                 reopen the last project, or show the start page
//   samtok-studio PROJECT         open (or, with --create, create) a project
//   samtok-studio --sample        open the sample project, rendering it on first use
#include "Icons.h"
#include "InferenceService.h"
#include "MainWindow.h"
#include "ProjectSession.h"
#include "SettingsDialog.h"
#include "StudioApplication.h"
#include "StudioMeasure.h"
#include "model/Runtime.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QFileInfo>
#include <QMessageBox>
#include <QTimer>

#include <cstdio>
#include <cstdlib>

namespace {

struct Options {
    QCommandLineOption sample{"sample", "Open the sample project (rendered on first use)."};
    QCommandLineOption create{"create", "Create the project file if it does not exist."};
    QCommandLineOption threads{"threads", "Inference threads (default: all cores).", "n", "0"};
    QCommandLineOption screenshot{"screenshot", "Save a screenshot of the window to <file> and quit (for docs and CI).",
                                  "file"};
    QCommandLineOption measure{"measure",
                               "Run a scripted session on the project (next image, clicks, clicks while tokenizing), "
                               "print the timings and the longest UI stall as JSON, and quit."};
};

void describe(QCommandLineParser& cli, const Options& o) {
    cli.setApplicationDescription("SAMTok Studio: label image regions and turn masks into SAMTok tokens.");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument("project", "Project file (.samtok) to open.");
    cli.addOptions({o.sample, o.create, o.threads, o.screenshot, o.measure});
}

void nameTheApplication() {
    QCoreApplication::setApplicationName("samtok-studio");
    QCoreApplication::setOrganizationName("SAMTok");
    QCoreApplication::setApplicationVersion(SAMTOK_VERSION);
}

// --help and --version print and exit without a display; without any display a GUI cannot start: say so in
// one line instead of Qt's abort.
void answerWithoutADisplay(int argc, char** argv) {
    bool textOnly = false;
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        textOnly = textOnly || a == "-h" || a == "--help" || a == "--help-all" || a == "-v" || a == "--version";
    }
    if (textOnly) {
        QCoreApplication core(argc, argv);
        nameTheApplication();
        Options o;
        QCommandLineParser cli;
        describe(cli, o);
        cli.process(core);  // prints and exits
    }
    if (qEnvironmentVariableIsEmpty("DISPLAY") && qEnvironmentVariableIsEmpty("WAYLAND_DISPLAY") &&
        qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM")) {
        std::fprintf(stderr,
                     "samtok-studio: no display (DISPLAY and WAYLAND_DISPLAY are unset); run it in a desktop "
                     "session, or use the command line tool `samtok`\n");
        std::exit(1);
    }
}

}  // namespace

int main(int argc, char** argv) {
    answerWithoutADisplay(argc, argv);
    samtok::ui::StudioApplication app(argc, argv);
    nameTheApplication();
    QApplication::setApplicationDisplayName("SAMTok Studio");
    QApplication::setWindowIcon(samtok::ui::applicationIcon());
    QApplication::setDesktopFileName(
        QStringLiteral("samtok-studio"));  // Wayland matches the window to the .desktop entry

    const Options options;
    const QCommandLineOption &sample = options.sample, &create = options.create, &threads = options.threads,
                             &screenshot = options.screenshot, &measure = options.measure;
    QCommandLineParser cli;
    describe(cli, options);
    cli.process(app);

    // --threads wins; else the Settings value; 0 means every core.
    samtok::runtime::configure(cli.isSet(threads) ? cli.value(threads).toInt()
                                                  : samtok::ui::StudioSettings::load().threads);

    samtok::ui::ProjectSession session;
    samtok::ui::MainWindow window(&session);
    window.show();

    QString error;
    const QStringList args = cli.positionalArguments();
    if (cli.isSet(sample)) {
        window.openSampleProject();  // names its own errors
    } else if (!args.isEmpty()) {
        const QString path = args.front();
        if (cli.isSet(create) && !QFileInfo::exists(path))
            error = session.create(path, QFileInfo(path).completeBaseName());
        else
            error = session.open(path);
    } else if (const QStringList recent = samtok::ui::ProjectSession::recentProjects(); !recent.isEmpty()) {
        session.open(recent.front());  // a stale entry just leaves the start page up
    }
    if (!error.isEmpty()) QMessageBox::warning(&window, "Cannot open the project", error);

    if (cli.isSet(screenshot)) {
        const QString file = cli.value(screenshot);
        // Once the model has loaded (or failed to), so the status bar shows what a user sees.
        auto shoot = [&window, file] {
            QTimer::singleShot(300, &window, [&window, file] {
                window.grab().save(file);
                QApplication::quit();
            });
        };
        QObject::connect(window.inference(), &samtok::ui::InferenceService::modelReady, &window, shoot);
        QObject::connect(window.inference(), &samtok::ui::InferenceService::modelFailed, &window, shoot);
    }
    if (cli.isSet(measure)) {
        QTimer::singleShot(0, &window, [&window, &session] {
            const QString report = samtok::ui::measureStudio(window, session);
            std::fputs(report.toUtf8().constData(), stdout);
            std::fputs("\n", stdout);
            QApplication::quit();
        });
    }
    return QApplication::exec();
}
