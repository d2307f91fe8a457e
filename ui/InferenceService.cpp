#include "InferenceService.h"

#include "dataset/Validator.h"
#include "io/ImageIO.h"
#include "mask/GrabCutPrompt.h"
#include "mask/MaskCv.h"
#include "mask/MaskMetrics.h"
#include "model/DefaultModel.h"
#include "model/EmbeddingCache.h"
#include "model/Runtime.h"
#include "model/Tokenizer.h"
#include "pipeline/ActiveModel.h"
#include "pipeline/ProjectTokenizer.h"
#include "store/ProjectStore.h"
#include "util/Checksum.h"
#include "util/Error.h"

#include <QElapsedTimer>
#include <QFileInfo>
#include <QThread>

#include <exception>
#include <sys/stat.h>

namespace samtok::ui {

namespace {
constexpr std::size_t kEmbeddingBudget = 1024ull << 20;  // a few large-model embeddings, hundreds of micro ones
}

InferenceService::InferenceService(QObject* parent)
    : QObject(parent), thread_(new QThread(this)), worker_(new InferenceWorker) {
    qRegisterMetaType<samtok::ui::ModelSummary>();
    qRegisterMetaType<samtok::ui::PromptResultPtr>();
    qRegisterMetaType<samtok::ui::ExportResult>();
    qRegisterMetaType<samtok::ui::RegionDecode>();
    qRegisterMetaType<samtok::ui::RegionCodeSearch>();
    qRegisterMetaType<samtok::ui::CodesDecode>();
    qRegisterMetaType<samtok::ui::SheetChunk>();
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
    connect(worker_, &InferenceWorker::embeddingStarted, this, &InferenceService::embeddingStarted);
    connect(worker_, &InferenceWorker::embeddingFinished, this, &InferenceService::embeddingFinished);
    connect(worker_, &InferenceWorker::imageTokenized, this, &InferenceService::imageTokenized);
    connect(worker_, &InferenceWorker::leftoversTokenized, this, &InferenceService::leftoversTokenized);
    connect(worker_, &InferenceWorker::exportProgress, this, &InferenceService::exportProgress);
    connect(worker_, &InferenceWorker::exportFinished, this, &InferenceService::exportFinished);
    connect(worker_, &InferenceWorker::regionDecoded, this, &InferenceService::regionDecoded);
    connect(worker_, &InferenceWorker::regionCodesSearched, this, &InferenceService::regionCodesSearched);
    connect(worker_, &InferenceWorker::codesDecoded, this, &InferenceService::codesDecoded);
    connect(worker_, &InferenceWorker::sheetChunk, this, &InferenceService::sheetChunk);
    connect(worker_, &InferenceWorker::promptFinished, this, [this](const PromptResultPtr& r) {
        if (r->id == lastPrompt_) emit promptFinished(r);  // an answer to an older prompt is stale
    });
    thread_->start();
}

InferenceService::~InferenceService() {
    worker_->stop = true;
    thread_->quit();
    thread_->wait();
}

void InferenceService::loadDefaultModel() {
    emit modelLoading(QString::fromLatin1(model::kDefaultModelName));
    QMetaObject::invokeMethod(
        worker_, [w = worker_, d = device_, p = precision_] { w->load({}, {}, true, d, p); }, Qt::QueuedConnection);
}

void InferenceService::loadModel(const QString& checkpoint, const QString& promptCheckpoint) {
    emit modelLoading(QFileInfo(checkpoint).fileName());
    QMetaObject::invokeMethod(
        worker_,
        [w = worker_, checkpoint, promptCheckpoint, d = device_, p = precision_] {
            w->load(checkpoint, promptCheckpoint, false, d, p);
        },
        Qt::QueuedConnection);
}

void InferenceService::setCacheBudget(qulonglong bytes) {
    QMetaObject::invokeMethod(
        worker_, [w = worker_, bytes] { w->setCacheBudget(bytes); }, Qt::QueuedConnection);
}

void InferenceService::tokenizeProject(const QString& projectPath) {
    worker_->stop = false;
    QMetaObject::invokeMethod(
        worker_, [w = worker_, projectPath] { w->tokenize(projectPath); }, Qt::QueuedConnection);
}

void InferenceService::cancelTokenizing() {
    worker_->stop = true;
}

void InferenceService::segment(const PromptRequest& request) {
    lastPrompt_ = request.id;
    worker_->post(request);
    QMetaObject::invokeMethod(
        worker_, [w = worker_] { w->servePrompt(); }, Qt::QueuedConnection);
}

void InferenceService::tokenizeImage(const QString& projectPath, RowId imageId) {
    QMetaObject::invokeMethod(
        worker_, [w = worker_, projectPath, imageId] { w->tokenizeImage(projectPath, imageId); }, Qt::QueuedConnection);
}

void InferenceService::closeProject() {
    QMetaObject::invokeMethod(
        worker_, [w = worker_] { w->closeProject(); }, Qt::QueuedConnection);
}

void InferenceService::tokenizeLeftovers(const QString& projectPath) {
    QMetaObject::invokeMethod(
        worker_, [w = worker_, projectPath] { w->tokenizeLeftovers(projectPath); }, Qt::QueuedConnection);
}

int InferenceService::projectOpens() const {
    return worker_->projectOpens.load();
}

void InferenceService::prefetch(RowId imageId, const QString& imagePath, const QString& imageKey) {
    QMetaObject::invokeMethod(
        worker_, [w = worker_, imageId, imagePath, imageKey] { w->prefetch(imageId, imagePath, imageKey); },
        Qt::QueuedConnection);
}

void InferenceService::exportDataset(const ExportRequest& request) {
    worker_->cancelExport = false;
    QMetaObject::invokeMethod(
        worker_, [w = worker_, request] { w->exportDataset(request); }, Qt::QueuedConnection);
}

void InferenceService::cancelExport() {
    worker_->cancelExport = true;
}

void InferenceService::decodeCodes(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                                   const std::vector<TokenPair>& codes) {
    QMetaObject::invokeMethod(
        worker_, [=, w = worker_] { w->decodeCodes(id, imageId, imagePath, imageKey, codes); }, Qt::QueuedConnection);
}

void InferenceService::decodeSheet(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                                   const std::vector<TokenPair>& codes, int thumbnail) {
    worker_->cancelSheet = false;
    QMetaObject::invokeMethod(
        worker_, [=, w = worker_] { w->decodeSheet(id, imageId, imagePath, imageKey, codes, thumbnail); },
        Qt::QueuedConnection);
}

void InferenceService::cancelSheet() {
    worker_->cancelSheet = true;
}

void InferenceService::decodeRegion(RowId imageId, const QString& imagePath, const QString& imageKey,
                                    RowId annotationId, TokenPair pair) {
    QMetaObject::invokeMethod(
        worker_, [=, w = worker_] { w->decodeRegion(imageId, imagePath, imageKey, annotationId, pair); },
        Qt::QueuedConnection);
}

void InferenceService::searchRegionCodes(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                                         RowId annotationId, const Mask& drawn, TokenPair stored, int width) {
    QMetaObject::invokeMethod(
        worker_,
        [=, w = worker_] {
            w->searchRegionCodes(id, imageId, imagePath, imageKey, annotationId, drawn, stored, width);
        },
        Qt::QueuedConnection);
}

InferenceWorker::InferenceWorker() : cache_(std::make_unique<model::EmbeddingCache>(kEmbeddingBudget)) {}
InferenceWorker::~InferenceWorker() = default;

ProjectStore& InferenceWorker::project(const QString& path) {
    struct stat st {};
    const bool same = project_ && projectPath_ == path && ::stat(path.toLocal8Bit().constData(), &st) == 0 &&
                      st.st_ino == projectFile_.first && st.st_dev == projectFile_.second;
    if (!same) {  // another project, or the file was replaced
        project_.reset();
        projectPath_.clear();
        const bool known = ::stat(path.toLocal8Bit().constData(), &st) == 0;  // before the open: no race with a swap
        project_ = std::make_unique<ProjectStore>(ProjectStore::open(path.toStdString()));
        projectPath_ = path;
        projectFile_ = known ? std::make_pair<unsigned long long, unsigned long long>(st.st_ino, st.st_dev)
                             : std::make_pair(0ull, 0ull);
        ++projectOpens;
    }
    return *project_;
}

void InferenceWorker::closeProject() {
    project_.reset();
    projectPath_.clear();
}

// The loaded model's row in the project, registered with the digest computed at load.
RowId InferenceWorker::tokenizerRow(ProjectStore& store) {
    return active_->rowIn(store);
}

void InferenceWorker::post(const PromptRequest& r) {
    std::lock_guard<std::mutex> lock(mutex_);
    pending_ = r;
}

void InferenceWorker::setCacheBudget(qulonglong bytes) {
    cache_->setBudget(bytes);
}

void InferenceWorker::load(const QString& checkpoint, const QString& promptCheckpoint, bool isDefault,
                           const QString& device, const QString& precision) {
    const QString what = isDefault ? QString::fromLatin1(model::kDefaultModelName) : QFileInfo(checkpoint).fileName();
    try {
        pipeline::ModelRequest request;
        request.model = isDefault ? std::string() : checkpoint.toStdString();
        request.promptModel = promptCheckpoint.toStdString();
        request.device = device.toStdString();
        request.precision = precision.toStdString();
        auto active = pipeline::ActiveModel::load(request);  // as the CLI loads it
        const model::TokenizerInfo& info = active->tokenizer().info();
        ModelSummary s;
        s.name = QString::fromStdString(active->name());
        s.checkpoint = QString::fromStdString(active->checkpoint());
        s.sha256 = QString::fromStdString(active->sha256());
        s.device = QString::fromStdString(info.device);
        s.precision = QString::fromStdString(info.precision);
        s.threads = runtime::info().threads;
        s.parameters = info.parameters;
        s.canTokenize = active->canTokenize();
        s.canPrompt = active->canPrompt();
        s.codebookSize = active->codebookSize();
        s.isDefault = active->isDefault();
        active_ = std::move(active);
        tokenizer_ = &active_->tokenizer();
        cache_->clear();  // embeddings belong to the model that made them
        name_ = s.name;
        sha256_ = s.sha256;
        emit loaded(s);
    } catch (const std::exception& e) {
        // The previous model, if any, stays loaded.
        emit failed(what, QString::fromStdString(e.what()));
    }
}

std::shared_ptr<const model::ImageEmbedding> InferenceWorker::embedding(RowId imageId, const QString& path,
                                                                        const QString& key, bool* cached) {
    const std::string cacheKey = key.toStdString() + "/" + sha256_.toStdString();
    if (auto e = cache_->find(cacheKey)) {
        if (cached) *cached = true;
        return e;
    }
    if (cached) *cached = false;
    emit embeddingStarted(imageId);
    QElapsedTimer timer;
    timer.start();
    const DecodedImage img = readImage(path.toStdString());
    auto e = tokenizer_->embed({img.rgb.data, img.rgb.cols, img.rgb.rows, img.rgb.step});
    cache_->insert(cacheKey, e);
    emit embeddingFinished(imageId, static_cast<double>(timer.nsecsElapsed()) / 1e6);
    return e;
}

void InferenceWorker::servePrompt() {
    std::optional<PromptRequest> r;
    {
        std::lock_guard<std::mutex> lock(mutex_);
        r.swap(pending_);
    }
    if (!r) return;  // already served by a newer call
    auto out = QSharedPointer<PromptResult>::create();
    out->id = r->id;
    out->imageId = r->imageId;
    try {
        if (tokenizer_ && tokenizer_->info().canPrompt) {
            const auto emb = embedding(r->imageId, r->imagePath, r->imageKey, &out->embeddingWasCached);
            QElapsedTimer timer;
            timer.start();
            model::Prompt p;
            for (const auto& pt : r->points) p.points.push_back({pt.x, pt.y, pt.positive});
            p.box = r->box;
            p.previousLowRes = r->previousLowRes;
            p.multimask = r->previousLowRes.empty();  // a refined prompt is unambiguous
            for (auto& c : tokenizer_->segment(*emb, p)) {
                out->masks.emplace_back(c.mask.height, c.mask.width, std::move(c.mask.mask));
                out->scores.push_back(c.mask.predictedIou);
                out->lowRes.push_back(std::move(c.lowResLogits));
            }
            out->method = QStringLiteral("model");
            out->millis = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        } else {
            // No mask decoder for prompts: GrabCut from the same clicks and box.
            QElapsedTimer timer;
            timer.start();
            const DecodedImage img = readImage(r->imagePath.toStdString());
            std::vector<PromptSeed> seeds;
            for (const auto& pt : r->points) seeds.push_back({pt.x, pt.y, pt.positive});
            cv::Rect box;
            if (r->box)
                box = cv::Rect(cv::Point(static_cast<int>((*r->box)[0]), static_cast<int>((*r->box)[1])),
                               cv::Point(static_cast<int>((*r->box)[2]), static_cast<int>((*r->box)[3])));
            out->masks.push_back(grabCutFromPrompt(img.rgb, seeds, r->box ? &box : nullptr));
            out->scores.push_back(0);
            out->lowRes.emplace_back();
            out->method = QStringLiteral("GrabCut");
            out->millis = static_cast<double>(timer.nsecsElapsed()) / 1e6;
        }
    } catch (const std::exception& e) {
        out->error = QString::fromStdString(e.what());
    }
    emit promptFinished(out);
}

void InferenceWorker::tokenize(const QString& projectPath) {
    if (!tokenizer_ || !tokenizer_->info().canTokenize) {
        emit tokenized(0, 0, false, tr("No tokenizer is loaded: load a SAMTok checkpoint first."));
        return;
    }
    try {
        ProjectStore& store = project(projectPath);
        const auto r = pipeline::tokenizeProject(
            store, *active_,
            [this](const pipeline::TokenizeProgress& p) {
                emit progress(static_cast<int>(p.imagesDone), static_cast<int>(p.imagesTotal));
                servePrompt();  // a waiting prompt goes first, between two images
            },
            &stop);
        emit tokenized(static_cast<int>(r.annotations), static_cast<int>(r.skipped.size()), stop.load(), QString());
    } catch (const std::exception& e) {
        emit tokenized(0, 0, false, QString::fromStdString(e.what()));
    }
}

void InferenceWorker::tokenizeImage(const QString& projectPath, RowId imageId) {
    servePrompt();
    if (!tokenizer_ || !tokenizer_->info().canTokenize) return;
    try {
        ProjectStore& store = project(projectPath);
        const RowId tokenizerId = tokenizerRow(store);
        const auto n = pipeline::tokenizeImage(
            store, *tokenizer_, tokenizerId, imageId, [&](const ImageRecord& im, const std::string& path) {
                return embedding(im.id, QString::fromStdString(path), QString::fromStdString(im.checksum), nullptr);
            });
        emit imageTokenized(imageId, static_cast<int>(n), QString());
    } catch (const std::exception& e) {
        emit imageTokenized(imageId, 0, QString::fromStdString(e.what()));
    }
}

void InferenceWorker::tokenizeLeftovers(const QString& projectPath) {
    if (!tokenizer_ || !tokenizer_->info().canTokenize) return;
    int total = 0;
    try {
        ProjectStore& store = project(projectPath);
        const std::vector<RowId> images = store.imagesWithUntokenizedDrawnRegions();
        const RowId tokenizerId = images.empty() ? 0 : tokenizerRow(store);  // no row for a model that did nothing
        for (RowId imageId : images) {
            servePrompt();  // a click waiting goes first
            try {
                const auto n = pipeline::tokenizeImage(
                    store, *tokenizer_, tokenizerId, imageId, [&](const ImageRecord& im, const std::string& path) {
                        return embedding(im.id, QString::fromStdString(path), QString::fromStdString(im.checksum),
                                         nullptr);
                    });
                total += static_cast<int>(n);
                emit imageTokenized(imageId, static_cast<int>(n), QString());
            } catch (const UserError& e) {  // an image that cannot be read: the others go on
                emit imageTokenized(imageId, 0, QString::fromStdString(e.what()));
            }
        }
        emit leftoversTokenized(total, QString());
    } catch (const std::exception& e) {
        emit leftoversTokenized(total, QString::fromStdString(e.what()));
    }
}

void InferenceWorker::prefetch(RowId imageId, const QString& imagePath, const QString& imageKey) {
    servePrompt();
    if (!tokenizer_) return;
    try {
        embedding(imageId, imagePath, imageKey, nullptr);
    } catch (const std::exception&) {  // the image will say what is wrong when it is opened
    }
}

void InferenceWorker::decodeRegion(RowId imageId, const QString& imagePath, const QString& imageKey, RowId annotationId,
                                   TokenPair pair) {
    servePrompt();
    RegionDecode out;
    out.imageId = imageId;
    out.annotationId = annotationId;
    try {
        if (!tokenizer_ || !tokenizer_->info().canTokenize) throw UserError("no tokenizer is loaded");
        const auto emb = embedding(imageId, imagePath, imageKey, nullptr);
        auto decoded = tokenizer_->decodeCandidates(*emb, pair);
        out.returned = decoded.returned;
        for (auto& c : decoded.masks) {
            out.predictedIous.push_back(c.predictedIou);
            out.candidates.emplace_back(c.height, c.width, std::move(c.mask));
        }
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    emit regionDecoded(out);
}

void InferenceWorker::searchRegionCodes(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                                        RowId annotationId, const Mask& drawn, TokenPair stored, int width) {
    servePrompt();
    RegionCodeSearch out;
    out.id = id;
    out.imageId = imageId;
    out.annotationId = annotationId;
    out.width = width;
    try {
        if (!tokenizer_ || !tokenizer_->info().canTokenize) throw UserError("no tokenizer is loaded");
        const auto emb = embedding(imageId, imagePath, imageKey, nullptr);
        const model::MaskView view{drawn.data(), drawn.width(), drawn.height()};
        const TokenPair best = tokenizer_->encodeSearched(*emb, {view}, width).at(0);
        auto d = tokenizer_->decode(*emb, {best, stored});
        out.best = best;
        out.iou = maskIou(drawn, Mask(d[0].height, d[0].width, std::move(d[0].mask)));
        out.storedIou = maskIou(drawn, Mask(d[1].height, d[1].width, std::move(d[1].mask)));
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    emit regionCodesSearched(out);
}

void InferenceWorker::decodeCodes(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                                  const std::vector<TokenPair>& codes) {
    servePrompt();
    CodesDecode out;
    out.id = id;
    out.imageId = imageId;
    try {
        if (!tokenizer_ || !tokenizer_->info().canTokenize) throw UserError("no tokenizer is loaded");
        const auto emb = embedding(imageId, imagePath, imageKey, nullptr);
        for (auto& d : tokenizer_->decode(*emb, codes)) {
            out.predictedIou.push_back(d.predictedIou);
            out.masks.emplace_back(d.height, d.width, std::move(d.mask));
        }
    } catch (const std::exception& e) {
        out.error = QString::fromStdString(e.what());
    }
    emit codesDecoded(out);
}

void InferenceWorker::decodeSheet(quint64 id, RowId imageId, const QString& imagePath, const QString& imageKey,
                                  const std::vector<TokenPair>& codes, int thumbnail) {
    constexpr std::size_t kChunk = 16;  // a click waits at most one chunk
    SheetChunk chunk;
    chunk.id = id;
    chunk.imageId = imageId;
    chunk.total = static_cast<int>(codes.size());
    try {
        if (!tokenizer_ || !tokenizer_->info().canTokenize) throw UserError("no tokenizer is loaded");
        const auto emb = embedding(imageId, imagePath, imageKey, nullptr);
        for (std::size_t first = 0; first < codes.size(); first += kChunk) {
            servePrompt();
            if (cancelSheet) {
                chunk.cancelled = true;
                break;
            }
            const std::vector<TokenPair> pairs(
                codes.begin() + static_cast<std::ptrdiff_t>(first),
                codes.begin() + static_cast<std::ptrdiff_t>(std::min(codes.size(), first + kChunk)));
            chunk.first = static_cast<int>(first);
            chunk.thumbnails.clear();
            chunk.predictedIou.clear();
            for (auto& d : tokenizer_->decode(*emb, pairs)) {
                chunk.predictedIou.push_back(d.predictedIou);
                chunk.thumbnails.push_back(shrinkMask(Mask(d.height, d.width, std::move(d.mask)), thumbnail));
            }
            chunk.finished = first + kChunk >= codes.size();
            emit sheetChunk(chunk);
            if (chunk.finished) return;
        }
    } catch (const std::exception& e) {
        chunk.error = QString::fromStdString(e.what());
    }
    chunk.thumbnails.clear();
    chunk.predictedIou.clear();
    chunk.finished = true;
    emit sheetChunk(chunk);
}

void InferenceWorker::exportDataset(const ExportRequest& request) {
    ExportResult result;
    result.folder = QString::fromStdString(request.options.outDir);
    try {
        if (!tokenizer_) throw UserError("no model is loaded");
        ProjectStore& store = project(request.projectPath);
        exporter::ExportOptions o = request.options;
        const TokenizerModel tok = active_->identity().requireIn(store, "run Model ▸ Tokenize Project first");
        o.tokenizerId = tok.id;
        o.tokenizeCrop = [this](const cv::Mat& rgb, const Mask& mask) {
            return pipeline::tokenizeCrop(*tokenizer_, rgb, mask);
        };
        o.progress = [this](std::size_t done, std::size_t total) {
            emit exportProgress(static_cast<int>(done), static_cast<int>(total));
            servePrompt();  // a click does not wait for the whole export
        };
        o.cancel = &cancelExport;
        const auto r = exporter::exportDataset(store, o);
        QStringList parts;
        for (const auto& [split, tasks] : r.records) {
            QStringList t;
            for (const auto& [task, n] : tasks) t << QStringLiteral("%1 %2").arg(QString::fromStdString(task)).arg(n);
            parts << QStringLiteral("%1: %2").arg(split.empty() ? QStringLiteral("all") : QString::fromStdString(split),
                                                  t.join(", "));
        }
        result.summary = tr("%1 record(s) on %2 image(s), %3 zoom-in crop(s), tokens of %4 (%5) — %6")
                             .arg(r.total())
                             .arg(r.images)
                             .arg(r.crops)
                             .arg(QString::fromStdString(tok.name),
                                  QString::fromStdString(tok.checkpointSha256.substr(0, 8)), parts.join("; "));
        if (r.meanIou) result.summary += tr(" — mean reconstruction IoU %1").arg(*r.meanIou, 0, 'f', 3);
        if (!r.tokenizerWarning.empty())
            result.summary += tr("\nWarning: %1").arg(QString::fromStdString(r.tokenizerWarning));
        for (const auto& note : r.notes) result.summary += tr("\nLeft out: %1").arg(QString::fromStdString(note));
        for (const auto& f : r.files) {
            const QString file = QString::fromStdString(f);
            if (!file.endsWith(".jsonl") &&
                !(file.endsWith(".json") && file.startsWith(QString::fromStdString(o.name))))
                continue;
            if (file.endsWith("_meta.json")) continue;
            const auto check = dataset::validateDataset(o.outDir + "/" + f);
            result.validation << (check.issues.empty() ? tr("%1: %2 record(s), %3 mask group(s): no problems")
                                                             .arg(file)
                                                             .arg(check.records)
                                                             .arg(check.maskGroups)
                                                       : tr("%1: %2 problem(s), first at line %3: %4")
                                                             .arg(file)
                                                             .arg(check.issues.size())
                                                             .arg(check.issues[0].line)
                                                             .arg(QString::fromStdString(check.issues[0].message)));
        }
    } catch (const std::exception& e) {
        result.error = QString::fromStdString(e.what());
    }
    emit exportFinished(result);
}

}  // namespace samtok::ui
