#include "StudioStatusBar.h"

#include "ImageView.h"
#include "InferenceService.h"
#include "model/Runtime.h"

#include <QLabel>
#include <QProgressBar>
#include <QStatusBar>
#include <QToolButton>

namespace samtok::ui {

StudioStatusBar::StudioStatusBar(QStatusBar* bar, InferenceService* inference, ImageView* view, QObject* parent)
    : QObject(parent),
      bar_(bar),
      inference_(inference),
      imageLabel_(new QLabel),
      toolHint_(new QLabel),
      zoomLabel_(new QLabel),
      modelLabel_(new QLabel),
      runtimeLabel_(new QLabel) {
    toolHint_->setObjectName("toolHint");
    showNoModel();
    const runtime::Info rt = runtime::info();
    runtimeLabel_->setText(tr("LibTorch %1 · %2 · %3 threads")
                               .arg(QString::fromStdString(rt.libtorchVersion))
                               .arg(QString::fromStdString(rt.device).toUpper())
                               .arg(rt.threads));
    connect(inference_, &InferenceService::modelLoading, this,
            [this](const QString& what) { modelLabel_->setText(tr("Loading %1…").arg(what)); });
    connect(view, &ImageView::zoomChanged, this,
            [this](double z) { zoomLabel_->setText(QStringLiteral("%1 %").arg(qRound(z * 100))); });
    bar->addWidget(imageLabel_);
    bar->addWidget(toolHint_, 1);
    buildEmbeddingProgress(bar);
    buildTokenizeProgress(bar);
    bar->addPermanentWidget(zoomLabel_);
    bar->addPermanentWidget(modelLabel_);
    bar->addPermanentWidget(runtimeLabel_);
}

void StudioStatusBar::buildEmbeddingProgress(QStatusBar* bar) {
    embeddingBar_ = new QProgressBar;
    embeddingBar_->setRange(0, 0);  // busy: a network pass has no steps to count
    embeddingBar_->setMaximumWidth(120);
    embeddingBar_->hide();
    cancelEmbedding_ = new QToolButton;
    cancelEmbedding_->setText(tr("Cancel"));
    cancelEmbedding_->setToolTip(
        tr("Drop the click waiting for this image's embedding. The embedding itself finishes "
           "in the background and is kept for when you come back."));
    cancelEmbedding_->hide();
    connect(cancelEmbedding_, &QToolButton::clicked, this, [this] {
        embeddingBar_->hide();
        cancelEmbedding_->hide();
        toolHint_->setText(tr("Cancelled"));
        emit cancelEmbeddingRequested();
    });
    connect(inference_, &InferenceService::embeddingStarted, this, [this](RowId image) {
        if (image != currentImage_) return;
        toolHint_->setText(tr("Computing the image embedding…"));
        if (!tokenizeBar_->isHidden()) return;  // one busy bar and one Cancel at a time: the hint says it
        embeddingBar_->show();
        cancelEmbedding_->show();
    });
    connect(inference_, &InferenceService::embeddingFinished, this, [this](RowId image, double ms) {
        if (image != currentImage_) return;
        embeddingBar_->hide();
        cancelEmbedding_->hide();
        toolHint_->setText(tr("Image ready (%1 ms)").arg(ms, 0, 'f', 0));
    });
    bar->addPermanentWidget(embeddingBar_);
    bar->addPermanentWidget(cancelEmbedding_);
}

void StudioStatusBar::buildTokenizeProgress(QStatusBar* bar) {
    tokenizeBar_ = new QProgressBar;
    tokenizeBar_->setFormat(tr("Tokenizing %v/%m"));
    // Wide enough for its text at five-digit counts: never clipped or wrapped.
    tokenizeBar_->setMinimumWidth(tokenizeBar_->fontMetrics().horizontalAdvance(tr("Tokenizing %1/%1").arg(88888)) +
                                  24);
    tokenizeBar_->hide();
    cancelTokenize_ = new QToolButton;
    cancelTokenize_->setText(tr("Cancel"));
    cancelTokenize_->hide();
    connect(cancelTokenize_, &QToolButton::clicked, inference_, &InferenceService::cancelTokenizing);
    connect(inference_, &InferenceService::tokenizeProgress, this, [this](int done, int total) {
        tokenizeBar_->setRange(0, total);
        tokenizeBar_->setValue(done);
    });
    bar->addPermanentWidget(tokenizeBar_);
    bar->addPermanentWidget(cancelTokenize_);
}

void StudioStatusBar::setToolHint(const QString& text) {
    toolHint_->setText(text);
}

QString StudioStatusBar::toolHint() const {
    return toolHint_->text();
}

void StudioStatusBar::setImageLine(const QString& text, const QStringList& problems) {
    imageLabel_->setText(text);
    imageLabel_->setStyleSheet(problems.isEmpty() ? QString() : QStringLiteral("color: #d32f2f;"));
    imageLabel_->setToolTip(problems.join(QLatin1Char('\n')));
}

void StudioStatusBar::showImage(RowId image, const QString& fileName, QSize size, int regions, int damaged,
                                const QStringList& problems) {
    QString line =
        tr("%1 — %2 x %3 px — %n annotation(s)", nullptr, regions).arg(fileName).arg(size.width()).arg(size.height());
    if (damaged > 0) line += tr(" — %n damaged, not shown", nullptr, damaged);
    setImageLine(line, problems);
    const QString said = QString::number(image) + problems.join(QLatin1Char('\n'));
    if (!problems.isEmpty() && said != lastProblems_) bar_->showMessage(problems.front(), 15000);
    lastProblems_ = said;
}

void StudioStatusBar::showModel(const ModelSummary& m) {
    modelLabel_->setText(tr("%1 · %2").arg(m.name, m.sha256.left(8)));
    QString tip = tr("Model: %1\nFile: %2\nSHA-256: %3\nParameters: %4\nDevice: %5, %6, %7 threads")
                      .arg(m.name, m.checkpoint, m.sha256)
                      .arg(m.parameters)
                      .arg(m.device, m.precision)
                      .arg(m.threads);
    if (m.isDefault)
        tip +=
            tr("\n\nThe embedded micro model: its tokens are not those of the official SAMTok. For datasets meant "
               "for Qwen-VL-SAMTok, load mask_tokenizer_256x2.pth (Model ▸ Load Checkpoint).");
    modelLabel_->setToolTip(tip);
}

void StudioStatusBar::showNoModel(const QString& why) {
    // Until a tokenizer is loaded the app still browses and shows masks; say so plainly.
    modelLabel_->setText(tr("No model loaded: tokens unavailable"));
    modelLabel_->setToolTip(
        why.isEmpty() ? tr("No SAMTok tokenizer is loaded, so masks cannot be turned into tokens yet.") : why);
}

void StudioStatusBar::startTokenizing() {
    tokenizeBar_->setRange(0, 0);
    tokenizeBar_->show();
    cancelTokenize_->show();
}

void StudioStatusBar::finishTokenizing() {
    tokenizeBar_->hide();
    cancelTokenize_->hide();
}

QString StudioStatusBar::summary() const {
    return QStringList{imageLabel_->text(), zoomLabel_->text(), modelLabel_->text(), runtimeLabel_->text()}.join(" | ");
}

}  // namespace samtok::ui
