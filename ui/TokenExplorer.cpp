#include "TokenExplorer.h"

#include "CodeGrid.h"
#include "tokens/TokenText.h"

#include <QApplication>
#include <QClipboard>
#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPainter>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QSpinBox>
#include <QTabWidget>
#include <QToolButton>
#include <QVBoxLayout>

namespace samtok::ui {

namespace {
constexpr int kThumb = 96;
}

TokenExplorer::TokenExplorer(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    tabs_ = new QTabWidget;
    layout->addWidget(tabs_);
    tabs_->addTab(makeCodesTab(), tr("Codes"));
    tabs_->addTab(makeSheetTab(), tr("Sheet"));
    setCodebookSize(256);
    setAvailable(false, tr("Open an image and load a tokenizer."));
}

QWidget* TokenExplorer::makeCodesTab() {
    auto* codes = new QWidget;
    auto* cl = new QVBoxLayout(codes);
    auto* form = new QFormLayout;
    auto codeRow = [&](QSpinBox*& spin, QSlider*& slider, const QString& name, const QString& tip) {
        spin = new QSpinBox;
        slider = new QSlider(Qt::Horizontal);
        spin->setToolTip(tip);
        slider->setToolTip(tip);
        auto* row = new QHBoxLayout;
        row->addWidget(spin);
        row->addWidget(slider, 1);
        form->addRow(name, row);
        connect(spin, qOverload<int>(&QSpinBox::valueChanged), this, [this, s = slider](int v) {
            if (!filling_) {
                filling_ = true;
                s->setValue(v);
                filling_ = false;
                onCodeEdited();
            }
        });
        connect(slider, &QSlider::valueChanged, this, [this, s = spin](int v) {
            if (!filling_) {
                filling_ = true;
                s->setValue(v);
                filling_ = false;
                onCodeEdited();
            }
        });
    };
    codeRow(c0Spin_, c0Slider_, tr("c0"), tr("First-level code: the coarse shape"));
    codeRow(c1Spin_, c1Slider_, tr("c1"), tr("Second-level code: the residual refinement"));
    c0Spin_->setObjectName("explorerC0");
    c1Spin_->setObjectName("explorerC1");
    cl->addLayout(form);
    grid_ = new CodeGrid;
    cl->addWidget(grid_, 1);
    connect(grid_, &CodeGrid::pairPicked, this, &TokenExplorer::setPair);
    auto* tokRow = new QHBoxLayout;
    tokens_ = new QLineEdit;
    tokens_->setReadOnly(true);
    tokens_->setToolTip(tr("The pair as it reads in text"));
    auto* copy = new QToolButton;
    copy->setText(tr("Copy"));
    connect(copy, &QToolButton::clicked, this, [this] { QApplication::clipboard()->setText(tokens_->text()); });
    tokRow->addWidget(tokens_, 1);
    tokRow->addWidget(copy);
    cl->addLayout(tokRow);
    status_ = new QLabel;
    status_->setWordWrap(true);
    cl->addWidget(status_);
    keep_ = new QPushButton(tr("&Keep as Region"));
    keep_->setToolTip(tr("Add the decoded mask to the image as a region (undoable)"));
    keep_->setEnabled(false);
    connect(keep_, &QPushButton::clicked, this, &TokenExplorer::keepRequested);
    cl->addWidget(keep_);
    return codes;
}

QWidget* TokenExplorer::makeSheetTab() {
    auto* sheet = new QWidget;
    auto* sl = new QVBoxLayout(sheet);
    auto* top = new QHBoxLayout;
    sheetLevel_ = new QComboBox;
    sheetLevel_->addItem(tr("Vary c1"), 1);
    sheetLevel_->addItem(tr("Vary c0"), 0);
    sheetLevel_->setToolTip(tr("Which code runs over the codebook; the other keeps its value from the Codes tab"));
    sheetFixed_ = new QLabel;
    sheetStart_ = new QPushButton(tr("&Decode Sheet"));
    sheetCancel_ = new QPushButton(tr("Cancel"));
    sheetCancel_->setEnabled(false);
    top->addWidget(sheetLevel_);
    top->addWidget(sheetFixed_, 1);
    top->addWidget(sheetStart_);
    top->addWidget(sheetCancel_);
    sl->addLayout(top);
    sheetProgress_ = new QProgressBar;
    sheetProgress_->setTextVisible(true);
    sheetProgress_->setVisible(false);
    sl->addWidget(sheetProgress_);
    sheet_ = new QListWidget;
    sheet_->setViewMode(QListView::IconMode);
    sheet_->setIconSize(QSize(kThumb, kThumb));
    sheet_->setGridSize(QSize(kThumb + 8, kThumb + 22));
    sheet_->setResizeMode(QListView::Adjust);
    sheet_->setMovement(QListView::Static);
    sheet_->setUniformItemSizes(true);
    sheet_->setToolTip(tr("Click a thumbnail to open its pair in the Codes tab"));
    sl->addWidget(sheet_, 1);
    sheetStatus_ = new QLabel;
    sl->addWidget(sheetStatus_);
    connect(sheetStart_, &QPushButton::clicked, this, [this] {
        sheetVarying_ = sheetLevel();
        sheetFixedCode_ = sheetVarying_ == 1 ? c0() : c1();
        emit sheetRequested(sheetVarying_, sheetFixedCode_);
    });
    connect(sheetCancel_, &QPushButton::clicked, this, &TokenExplorer::sheetCancelRequested);
    connect(sheetLevel_, qOverload<int>(&QComboBox::currentIndexChanged), this, [this] { onCodeEdited(); });
    connect(sheet_, &QListWidget::itemClicked, this, [this](QListWidgetItem* item) {
        const int code = item->data(Qt::UserRole).toInt();
        setPair(sheetVarying_ == 1 ? TokenPair{sheetFixedCode_, code} : TokenPair{code, sheetFixedCode_});
        tabs_->setCurrentIndex(0);
    });
    return sheet;
}

void TokenExplorer::setCodebookSize(int k) {
    k_ = std::max(1, k);
    filling_ = true;
    for (QSpinBox* s : {c0Spin_, c1Spin_}) s->setRange(0, k_ - 1);
    for (QSlider* s : {c0Slider_, c1Slider_}) s->setRange(0, k_ - 1);
    filling_ = false;
    grid_->setCodebookSize(k_);
    onCodeEdited();
}

int TokenExplorer::c0() const {
    return c0Spin_->value();
}
int TokenExplorer::c1() const {
    return c1Spin_->value();
}
QString TokenExplorer::tokenText() const {
    return tokens_->text();
}
void TokenExplorer::setUsage(const std::vector<std::int32_t>& pairUsage) {
    grid_->setUsage(pairUsage);
}

void TokenExplorer::setPair(TokenPair p) {
    if (p == pair()) return;
    filling_ = true;
    c0Spin_->setValue(p.c0);
    c0Slider_->setValue(p.c0);
    c1Spin_->setValue(p.c1);
    c1Slider_->setValue(p.c1);
    filling_ = false;
    onCodeEdited();
}

void TokenExplorer::onCodeEdited() {
    grid_->setPair(pair());
    tokens_->setText(QString::fromStdString(formatMaskTokens(pair(), k_)));
    sheetFixed_->setText(sheetLevel() == 1 ? tr("c0 fixed at %1").arg(c0()) : tr("c1 fixed at %1").arg(c1()));
    if (!filling_) emit pairChanged(pair());
}

void TokenExplorer::setAvailable(bool available, const QString& why) {
    keep_->setEnabled(false);
    sheetStart_->setEnabled(available && !sheetRunning_);
    if (!available) status_->setText(why);
}

void TokenExplorer::setDecodePending(bool pending) {
    pending_ = pending;
    if (pending) status_->setText(tr("Decoding…"));
}

void TokenExplorer::showDecoded(const Mask* mask, float predictedIou, double millis, const QString& error) {
    pending_ = false;
    keep_->setEnabled(mask && mask->area() > 0);
    if (!error.isEmpty())
        status_->setText(tr("Cannot decode: %1").arg(error));
    else if (!mask)
        status_->setText({});
    else if (mask->area() == 0)
        status_->setText(tr("The pair decodes to an empty mask on this image (%1 ms)").arg(millis, 0, 'f', 0));
    else
        status_->setText(tr("Area %L1 px (%2 % of the image) · predicted IoU %3 · %4 ms")
                             .arg(static_cast<qulonglong>(mask->area()))
                             .arg(100.0 * static_cast<double>(mask->area()) /
                                      std::max<double>(1.0, static_cast<double>(mask->size())),
                                  0, 'f', 1)
                             .arg(predictedIou, 0, 'f', 2)
                             .arg(millis, 0, 'f', 0));
}

int TokenExplorer::sheetLevel() const {
    return sheetLevel_->currentData().toInt();
}

void TokenExplorer::setSheetLevel(int level) {
    sheetLevel_->setCurrentIndex(level == 1 ? 0 : 1);
}

void TokenExplorer::setSheetBase(const QImage& image) {
    sheetBase_ =
        image.isNull() ? QImage() : image.scaled(kThumb, kThumb, Qt::KeepAspectRatio, Qt::SmoothTransformation);
    // Another image: the previous image's thumbnails would show masks it does not have.
    sheet_->clear();
    sheetMasks_.clear();
    sheetStatus_->setText(image.isNull() ? QString() : tr("Decode a sheet for this image with Start."));
}

void TokenExplorer::startSheet(int total) {
    sheet_->clear();
    sheetMasks_.clear();
    sheetRunning_ = true;
    sheetStart_->setEnabled(false);
    sheetCancel_->setEnabled(true);
    sheetProgress_->setRange(0, total);
    sheetProgress_->setValue(0);
    sheetProgress_->setVisible(true);
    sheetClock_.start();
    sheetStatus_->setText(sheetVarying_ == 1 ? tr("c0 = %1, c1 from 0 to %2").arg(sheetFixedCode_).arg(total - 1)
                                             : tr("c1 = %1, c0 from 0 to %2").arg(sheetFixedCode_).arg(total - 1));
}

QImage TokenExplorer::thumbnail(const Mask& m) const {
    QImage out(kThumb, kThumb, QImage::Format_ARGB32_Premultiplied);
    out.fill(QColor(32, 32, 36));
    QPainter p(&out);
    const QSize size =
        m.isNull() ? QSize(kThumb, kThumb) : QSize(m.width(), m.height()).scaled(kThumb, kThumb, Qt::KeepAspectRatio);
    const QRect target((kThumb - size.width()) / 2, (kThumb - size.height()) / 2, size.width(), size.height());
    if (!sheetBase_.isNull()) p.drawImage(target, sheetBase_);
    if (!m.isNull()) {
        QImage overlay(m.width(), m.height(), QImage::Format_ARGB32_Premultiplied);
        overlay.fill(Qt::transparent);
        const QRgb fill = qPremultiply(qRgba(255, 170, 0, 170));
        for (int y = 0; y < m.height(); ++y) {
            auto* row = reinterpret_cast<QRgb*>(overlay.scanLine(y));
            const std::uint8_t* src = m.data() + static_cast<std::size_t>(y) * static_cast<std::size_t>(m.width());
            for (int x = 0; x < m.width(); ++x)
                if (src[x]) row[x] = fill;
        }
        p.drawImage(target, overlay);
    }
    return out;
}

void TokenExplorer::addSheetThumbnails(int first, const std::vector<Mask>& masks,
                                       const std::vector<float>& predictedIou) {
    for (std::size_t i = 0; i < masks.size(); ++i) {
        const int code = first + static_cast<int>(i);
        auto* item = new QListWidgetItem(QIcon(QPixmap::fromImage(thumbnail(masks[i]))), QString::number(code));
        item->setData(Qt::UserRole, code);
        const QString pair = sheetVarying_ == 1 ? tr("c0 %1 · c1 %2").arg(sheetFixedCode_).arg(code)
                                                : tr("c0 %1 · c1 %2").arg(code).arg(sheetFixedCode_);
        item->setToolTip(tr("%1\npredicted IoU %2 · %3 px")
                             .arg(pair)
                             .arg(i < predictedIou.size() ? predictedIou[i] : 0.0f, 0, 'f', 2)
                             .arg(static_cast<qulonglong>(masks[i].area())));
        sheet_->addItem(item);
        sheetMasks_.push_back(masks[i]);
    }
    sheetProgress_->setValue(sheet_->count());
}

void TokenExplorer::finishSheet(bool cancelled, const QString& error) {
    sheetRunning_ = false;
    sheetStart_->setEnabled(true);
    sheetCancel_->setEnabled(false);
    sheetProgress_->setVisible(false);
    if (!error.isEmpty())
        sheetStatus_->setText(tr("Sheet failed: %1").arg(error));
    else if (cancelled)
        sheetStatus_->setText(tr("Cancelled after %1 of %2 pairs").arg(sheet_->count()).arg(sheetProgress_->maximum()));
    else
        sheetStatus_->setText(sheetStatus_->text() +
                              tr(" · done in %1 s").arg(sheetClock_.elapsed() / 1000.0, 0, 'f', 1));
}

int TokenExplorer::sheetCount() const {
    return sheet_->count();
}

const Mask* TokenExplorer::sheetMask(int index) const {
    return index >= 0 && index < static_cast<int>(sheetMasks_.size()) ? &sheetMasks_[static_cast<std::size_t>(index)]
                                                                      : nullptr;
}

}  // namespace samtok::ui
