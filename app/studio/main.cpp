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

int main(int argc, char** argv) {
    samtok::ui::StudioApplication app(argc, argv);
    QApplication::setApplicationName("samtok-studio");
    QApplication::setOrganizationName("SAMTok");
    QApplication::setApplicationDisplayName("SAMTok Studio");
    QApplication::setApplicationVersion(SAMTOK_VERSION);
    QApplication::setWindowIcon(samtok::ui::applicationIcon());
    QApplication::setDesktopFileName(
        QStringLiteral("samtok-studio"));  // Wayland matches the window to the .desktop entry

    QCommandLineParser cli;
    cli.setApplicationDescription("SAMTok Studio: label image regions and turn masks into SAMTok tokens.");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addPositionalArgument("project", "Project file (.samtok) to open.");
    QCommandLineOption sample("sample", "Open the sample project (rendered on first use).");
    QCommandLineOption create("create", "Create the project file if it does not exist.");
    QCommandLineOption threads("threads", "Inference threads (default: all cores).", "n", "0");
    QCommandLineOption screenshot("screenshot", "Save a screenshot of the window to <file> and quit (for docs and CI).",
                                  "file");
    QCommandLineOption measure("measure",
                               "Run a scripted session on the project (next image, clicks, clicks while tokenizing), "
                               "print the timings and the longest UI stall as JSON, and quit.");
    cli.addOptions({sample, create, threads, screenshot, measure});
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
