#pragma once
// The one owner of the model in the studio. The tokenizer lives on its own
// thread; the UI asks through queued calls and hears back through signals, so
// the UI thread never runs a network.
#include <QObject>
#include <QString>

#include <atomic>
#include <memory>

class QThread;

namespace samtok::model {
class Tokenizer;
}

namespace samtok::ui {

struct ModelSummary {
    QString name;            // "samtok-micro" or the checkpoint's file name
    QString checkpoint;
    QString sha256;
    QString device;
    int threads = 0;
    qulonglong parameters = 0;
    bool canTokenize = false;
    bool canPrompt = false;
    bool isDefault = false;
};

class InferenceWorker;

class InferenceService : public QObject {
    Q_OBJECT
public:
    explicit InferenceService(QObject* parent = nullptr);
    ~InferenceService() override;

    // Both return at once; the answer comes as modelReady or modelFailed.
    void loadDefaultModel();
    void loadModel(const QString& checkpoint, const QString& promptCheckpoint = {});

    // Tokens for every annotation of the project lacking them from this model,
    // through the worker's own connection (one transaction per image).
    void tokenizeProject(const QString& projectPath);
    void cancelTokenizing();

    const ModelSummary& model() const { return summary_; }
    bool hasModel() const { return !summary_.checkpoint.isEmpty(); }

signals:
    void modelLoading(const QString& what);
    void modelReady(const samtok::ui::ModelSummary& summary);
    void modelFailed(const QString& what, const QString& error);
    void tokenizeProgress(int imagesDone, int imagesTotal);
    // error is empty on success; cancelled runs keep what they committed.
    void tokenizeFinished(int annotations, int skippedImages, bool cancelled, const QString& error);

private:
    QThread* thread_;
    InferenceWorker* worker_;
    ModelSummary summary_;
};

// Runs on the service's thread. Not for direct use.
class InferenceWorker : public QObject {
    Q_OBJECT
public:
    InferenceWorker();
    ~InferenceWorker() override;

    std::atomic<bool> stop{false};

public slots:
    void load(const QString& checkpoint, const QString& promptCheckpoint, bool isDefault);
    void tokenize(const QString& projectPath);

signals:
    void loaded(const samtok::ui::ModelSummary& summary);
    void failed(const QString& what, const QString& error);
    void progress(int imagesDone, int imagesTotal);
    void tokenized(int annotations, int skippedImages, bool cancelled, const QString& error);

private:
    std::unique_ptr<model::Tokenizer> tokenizer_;
    QString name_;
};

}  // namespace samtok::ui

Q_DECLARE_METATYPE(samtok::ui::ModelSummary)
