#include "InferenceService.h"

#include "model/DefaultModel.h"
#include "model/Runtime.h"
#include "model/Tokenizer.h"
#include "pipeline/ProjectTokenizer.h"
#include "store/ProjectStore.h"
#include "util/Checksum.h"

#include <QFileInfo>
#include <QThread>

#include <exception>

namespace samtok::ui {

InferenceService::InferenceService(QObject* parent) : QObject(parent), thread_(new QThread(this)), worker_(new InferenceWorker) {
    qRegisterMetaType<samtok::ui::ModelSummary>();
    thread_->setObjectName(QStringLiteral("inference"));
    worker_->moveToThread(thread_);
    connect(thread_, &QThread::finished, worker_, &QObject::deleteLater);
    connect(worker_, &InferenceWorker::loaded, this, [this](const ModelSummary& s) {
        summary_ = s;
        emit modelReady(s);
    });
    connect(worker_, &InferenceWorker::failed, this, &InferenceService::modelFailed);
    connect(worker_, &InferenceWorker::progress, this, &InferenceService::tokenizeProgress);
    connect(worker_, &InferenceWorker::tokenized, this, &InferenceService::tokenizeFinished);
    thread_->start();
}

InferenceService::~InferenceService() {
    thread_->quit();
    thread_->wait();
}

void InferenceService::loadDefaultModel() {
    emit modelLoading(QString::fromLatin1(model::kDefaultModelName));
    QMetaObject::invokeMethod(worker_, "load", Qt::QueuedConnection, Q_ARG(QString, QString()), Q_ARG(QString, QString()),
                              Q_ARG(bool, true));
}

void InferenceService::loadModel(const QString& checkpoint, const QString& promptCheckpoint) {
    emit modelLoading(QFileInfo(checkpoint).fileName());
    QMetaObject::invokeMethod(worker_, "load", Qt::QueuedConnection, Q_ARG(QString, checkpoint),
                              Q_ARG(QString, promptCheckpoint), Q_ARG(bool, false));
}

void InferenceService::tokenizeProject(const QString& projectPath) {
    worker_->stop = false;
    QMetaObject::invokeMethod(worker_, "tokenize", Qt::QueuedConnection, Q_ARG(QString, projectPath));
}

void InferenceService::cancelTokenizing() { worker_->stop = true; }

InferenceWorker::InferenceWorker() = default;
InferenceWorker::~InferenceWorker() = default;

void InferenceWorker::load(const QString& checkpoint, const QString& promptCheckpoint, bool isDefault) {
    const QString what = isDefault ? QString::fromLatin1(model::kDefaultModelName) : QFileInfo(checkpoint).fileName();
    try {
        std::string path = checkpoint.toStdString();
        std::string sha256;
        if (isDefault) {
            const auto files = model::findDefaultModel();
            model::verifyDefaultModel(files);  // hashes the file: its digest is then the recorded one
            path = files.weights;
            sha256 = files.sha256;
        }
        const model::ModelConfig config = model::detectConfig(path);
        auto tok = model::Tokenizer::load(config, path, promptCheckpoint.toStdString(), "cpu");
        ModelSummary s;
        s.name = isDefault ? what : QFileInfo(checkpoint).completeBaseName();
        s.checkpoint = QString::fromStdString(path);
        s.sha256 = QString::fromStdString(sha256.empty() ? sha256File(path) : sha256);
        s.device = QString::fromStdString(tok->info().device);
        s.threads = runtime::info().threads;
        s.parameters = tok->info().parameters;
        s.canTokenize = tok->info().canTokenize;
        s.canPrompt = tok->info().canPrompt;
        s.isDefault = isDefault;
        tokenizer_ = std::move(tok);
        name_ = s.name;
        emit loaded(s);
    } catch (const std::exception& e) {
        // The previous model, if any, stays loaded.
        emit failed(what, QString::fromStdString(e.what()));
    }
}

void InferenceWorker::tokenize(const QString& projectPath) {
    if (!tokenizer_ || !tokenizer_->info().canTokenize) {
        emit tokenized(0, 0, false, tr("No tokenizer is loaded: load a SAMTok checkpoint first."));
        return;
    }
    try {
        ProjectStore store = ProjectStore::open(projectPath.toStdString());
        const auto r = pipeline::tokenizeProject(
            store, *tokenizer_, name_.toStdString(),
            [this](const pipeline::TokenizeProgress& p) {
                emit progress(static_cast<int>(p.imagesDone), static_cast<int>(p.imagesTotal));
            },
            &stop);
        emit tokenized(static_cast<int>(r.annotations), static_cast<int>(r.skipped.size()), stop.load(), QString());
    } catch (const std::exception& e) {
        emit tokenized(0, 0, false, QString::fromStdString(e.what()));
    }
}

}  // namespace samtok::ui
