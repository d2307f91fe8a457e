#pragma once
// The one owner of the model in the studio. The tokenizer lives on its own
// thread; the UI asks through queued calls and hears back through signals, so
// the UI thread never runs a network.
//
// Work has priorities: an interactive prompt first (only the newest one: a
// newer prompt replaces one not yet started), then tokens for edited masks,
// then prefetching embeddings. Long jobs (a whole project) stop between images
// to serve a waiting prompt.
#include "ModelSummary.h"
#include "export/Export.h"
#include "mask/Mask.h"
#include "store/Records.h"

#include <QObject>
#include <QSharedPointer>
#include <QString>

#include <array>
#include <atomic>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

class QThread;

namespace samtok {
class ProjectStore;
}

namespace samtok::pipeline {
class ActiveModel;
}

namespace samtok::model {
class Tokenizer;
class EmbeddingCache;
class ImageEmbedding;
}  // namespace samtok::model

namespace samtok::ui {

struct PromptPointF {
    float x = 0, y = 0;  // image pixels
    bool positive = true;
};

struct PromptRequest {
    quint64 id = 0;
    RowId imageId = 0;
    QString imagePath;
    QString imageKey;  // the image's checksum
    std::vector<PromptPointF> points;
    std::optional<std::array<float, 4>> box;  // x1, y1, x2, y2
    std::vector<float> previousLowRes;        // the chosen candidate's logits, to refine
};

struct PromptResult {
    quint64 id = 0;
    RowId imageId = 0;
    std::vector<Mask> masks;                 // best first
    std::vector<float> scores;               // predicted IoU
    std::vector<std::vector<float>> lowRes;  // per mask, to refine with the next click
    QString method;                          // "model" or "GrabCut"
    QString error;
    double millis = 0;  // prompt to candidates, embedding excluded
    bool embeddingWasCached = false;
};
using PromptResultPtr = QSharedPointer<const PromptResult>;

// An MLLM export run by the worker (the zoom-in crops need the model), then checked by the validator.
struct ExportRequest {
    QString projectPath;
    exporter::ExportOptions options;  // tokenizer, crops, progress and cancel are filled in by the worker
};
// A region's two tokens decoded on its image, to compare with the drawn mask.
struct RegionDecode {
    RowId imageId = 0;
    RowId annotationId = 0;
    // Every candidate the decoder made, in its order, with its predicted IoU;
    // `returned` indexes the one a decode of the pair returns (ranked first).
    std::vector<Mask> candidates;
    std::vector<float> predictedIous;
    int returned = 0;
    const Mask& mask() const { return candidates.at(static_cast<std::size_t>(returned)); }
    QString error;
};

// The code pair whose decoded mask best matches a region, among the neighbours of
// its latent (Tokenizer::encodeSearched). Both IoUs are measured here, against the
// mask that was sent and from one decode, so they compare like with like.
struct RegionCodeSearch {
    quint64 id = 0;
    RowId imageId = 0;
    RowId annotationId = 0;
    int width = 0;         // width x width pairs were decoded
    TokenPair best;        // the best pair
    double iou = 0;        // of the best pair's mask
    double storedIou = 0;  // of the stored pair's mask
    QString error;
};

// Code pairs from a pasted text, decoded on an image.
struct CodesDecode {
    quint64 id = 0;
    RowId imageId = 0;
    std::vector<Mask> masks;
    std::vector<float> predictedIou;
    QString error;
};

// A sheet of code pairs (one code fixed, the other over the codebook) decoded
// on an image, delivered in chunks so that thumbnails appear as they come.
struct SheetChunk {
    quint64 id = 0;
    RowId imageId = 0;
    int first = 0;  // sheet index of thumbnails[0]
    int total = 0;
    std::vector<Mask> thumbnails;  // the decoded masks at thumbnail size
    std::vector<float> predictedIou;
    bool finished = false;  // no chunk follows (done, cancelled or failed)
    bool cancelled = false;
    QString error;
};

struct ExportResult {
    QString error;           // empty on success
    QString summary;         // records per split and task, images, crops
    QStringList validation;  // one line per written record file: the validator's verdict
    QString folder;
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

    // Candidates for a prompt; only the newest waiting request is served.
    void segment(const PromptRequest& request);
    // Tokens for the image's annotations that lack them (after an edit).
    void tokenizeImage(const QString& projectPath, RowId imageId);
    // Tokens for the regions drawn by hand that lack them: those a killed studio had no time to tokenize.
    // leftoversTokenized follows.
    void tokenizeLeftovers(const QString& projectPath);
    // How many times the worker has opened a project (tests: once per project, not once per job).
    int projectOpens() const;
    // The worker lets go of its connection (the studio closed the project or opened another).
    void closeProject();
    // Computes the image's embedding ahead of use.
    void prefetch(RowId imageId, const QString& imagePath, const QString& imageKey);
    // The mask the loaded model rebuilds from two codes on the image; regionDecoded follows.
    void decodeRegion(RowId imageId, const QString& imagePath, const QString& imageKey, RowId annotationId,
                      TokenPair pair);
    // The best pair near the region's latent by decoding width x width of them, and how it and the stored
    // pair rebuild the drawn mask; regionCodesSearched follows.
    void searchRegionCodes(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                           RowId annotationId, const Mask& drawn, TokenPair stored, int width);
    // Masks for code pairs (c1 -1: missing, read as the official decoder does); codesDecoded follows.
    void decodeCodes(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                     const std::vector<TokenPair>& codes);
    // The project as an MLLM dataset with the loaded model's tokens; exportFinished follows.
    void exportDataset(const ExportRequest& request);
    void cancelExport();
    // Masks for many code pairs at thumbnail size (the longer side `thumbnail` pixels), in chunks; sheetChunk follows.
    void decodeSheet(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                     const std::vector<TokenPair>& codes, int thumbnail);
    void cancelSheet();

    quint64 nextRequestId() { return ++lastRequest_; }  // ids for decodeCodes and decodeSheet, unique per service
    // For the next load: "cpu" / "cuda", and "fp32" / "bf16".
    void setDevice(const QString& device, const QString& precision) {
        device_ = device;
        precision_ = precision;
    }
    void setCacheBudget(qulonglong bytes);

    const ModelSummary& model() const { return summary_; }
    bool hasModel() const { return !summary_.checkpoint.isEmpty(); }
    bool canTokenize() const { return hasModel() && summary_.canTokenize; }  // a SAM2-only checkpoint cannot

signals:
    void modelLoading(const QString& what);
    void modelReady(const samtok::ui::ModelSummary& summary);
    void modelFailed(const QString& what, const QString& error);
    void tokenizeProgress(int imagesDone, int imagesTotal);
    // error is empty on success; cancelled runs keep what they committed.
    void tokenizeFinished(int annotations, int skippedImages, bool cancelled, const QString& error);
    void embeddingStarted(samtok::RowId imageId);
    void embeddingFinished(samtok::RowId imageId, double millis);
    void promptFinished(const samtok::ui::PromptResultPtr& result);
    void imageTokenized(samtok::RowId imageId, int annotations, const QString& error);
    void leftoversTokenized(int annotations, const QString& error);
    void exportProgress(int done, int total);
    void exportFinished(const samtok::ui::ExportResult& result);
    void regionDecoded(const samtok::ui::RegionDecode& result);
    void regionCodesSearched(const samtok::ui::RegionCodeSearch& result);
    void codesDecoded(const samtok::ui::CodesDecode& result);
    void sheetChunk(const samtok::ui::SheetChunk& chunk);

private:
    QThread* thread_;
    InferenceWorker* worker_;
    ModelSummary summary_;
    quint64 lastPrompt_ = 0;
    quint64 lastRequest_ = 0;
    QString device_ = QStringLiteral("cpu");
    QString precision_ = QStringLiteral("fp32");
};

// Runs on the service's thread. Not for direct use.
class InferenceWorker : public QObject {
    Q_OBJECT
public:
    InferenceWorker();
    ~InferenceWorker() override;

    std::atomic<bool> stop{false};
    std::atomic<int> projectOpens{0};
    std::atomic<bool> cancelExport{false};
    std::atomic<bool> cancelSheet{false};
    void post(const PromptRequest& r);  // any thread: replaces the waiting prompt

public slots:
    void load(const QString& checkpoint, const QString& promptCheckpoint, bool isDefault, const QString& device,
              const QString& precision);
    void setCacheBudget(qulonglong bytes);
    void tokenize(const QString& projectPath);
    void servePrompt();
    void tokenizeImage(const QString& projectPath, samtok::RowId imageId);
    void tokenizeLeftovers(const QString& projectPath);
    void closeProject();
    void prefetch(samtok::RowId imageId, const QString& imagePath, const QString& imageKey);
    void exportDataset(const samtok::ui::ExportRequest& request);
    void decodeRegion(samtok::RowId imageId, const QString& imagePath, const QString& imageKey,
                      samtok::RowId annotationId, samtok::TokenPair pair);
    void searchRegionCodes(quint64 id, samtok::RowId imageId, const QString& imagePath, const QString& imageKey,
                           samtok::RowId annotationId, const samtok::Mask& drawn, samtok::TokenPair stored, int width);
    void decodeCodes(quint64 id, samtok::RowId imageId, const QString& imagePath, const QString& imageKey,
                     const std::vector<TokenPair>& codes);
    void decodeSheet(quint64 id, samtok::RowId imageId, const QString& imagePath, const QString& imageKey,
                     const std::vector<TokenPair>& codes, int thumbnail);

signals:
    void loaded(const samtok::ui::ModelSummary& summary);
    void failed(const QString& what, const QString& error);
    void progress(int imagesDone, int imagesTotal);
    void tokenized(int annotations, int skippedImages, bool cancelled, const QString& error);
    void embeddingStarted(samtok::RowId imageId);
    void embeddingFinished(samtok::RowId imageId, double millis);
    void promptFinished(const samtok::ui::PromptResultPtr& result);
    void imageTokenized(samtok::RowId imageId, int annotations, const QString& error);
    void leftoversTokenized(int annotations, const QString& error);
    void exportProgress(int done, int total);
    void exportFinished(const samtok::ui::ExportResult& result);
    void regionDecoded(const samtok::ui::RegionDecode& result);
    void regionCodesSearched(const samtok::ui::RegionCodeSearch& result);
    void codesDecoded(const samtok::ui::CodesDecode& result);
    void sheetChunk(const samtok::ui::SheetChunk& chunk);

private:
    // The worker's own connection to the project, opened once and kept: an open
    // runs a quick_check of the whole file, and a job follows every edit.
    ProjectStore& project(const QString& path);
    std::unique_ptr<ProjectStore> project_;
    QString projectPath_;
    std::pair<unsigned long long, unsigned long long> projectFile_{};  // inode and device of the open file
    std::shared_ptr<const model::ImageEmbedding> embedding(RowId imageId, const QString& path, const QString& key,
                                                           bool* cached);
    RowId tokenizerRow(ProjectStore& store);
    std::unique_ptr<pipeline::ActiveModel> active_;
    model::Tokenizer* tokenizer_ = nullptr;  // active_'s
    std::unique_ptr<model::EmbeddingCache> cache_;
    QString name_, sha256_;
    std::mutex mutex_;
    std::optional<PromptRequest> pending_;
};

}  // namespace samtok::ui

Q_DECLARE_METATYPE(samtok::ui::PromptResultPtr)
Q_DECLARE_METATYPE(samtok::ui::ExportResult)
Q_DECLARE_METATYPE(samtok::ui::RegionCodeSearch)
Q_DECLARE_METATYPE(samtok::ui::RegionDecode)
Q_DECLARE_METATYPE(samtok::ui::CodesDecode)
Q_DECLARE_METATYPE(samtok::ui::SheetChunk)
