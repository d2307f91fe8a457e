#include "ExportDialog.h"

#include "InferenceService.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QDoubleSpinBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QVBoxLayout>

namespace samtok::ui {

ExportDialog::ExportDialog(InferenceService* inference, const QString& projectPath, QWidget* parent)
    : QDialog(parent), inference_(inference), projectPath_(projectPath) {
    setWindowTitle(tr("Export Dataset"));
    resize(620, 560);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(makeOptionsForm());
    progress_ = new QProgressBar;
    progress_->hide();
    layout->addWidget(progress_);
    log_ = new QPlainTextEdit;
    log_->setReadOnly(true);
    log_->setPlaceholderText(tr("The export uses the loaded model's tokens; run Model ▸ Tokenize Project first."));
    layout->addWidget(log_, 1);
    auto* buttons = new QDialogButtonBox;
    exportButton_ = buttons->addButton(tr("Export"), QDialogButtonBox::AcceptRole);
    cancelButton_ = buttons->addButton(tr("Cancel"), QDialogButtonBox::RejectRole);
    auto* close = buttons->addButton(QDialogButtonBox::Close);
    cancelButton_->setEnabled(false);
    layout->addWidget(buttons);

    connect(exportButton_, &QPushButton::clicked, this, &ExportDialog::start);
    connect(cancelButton_, &QPushButton::clicked, inference_, &InferenceService::cancelExport);
    connect(close, &QPushButton::clicked, this, [this] {
        if (running_) inference_->cancelExport();
        reject();
    });
    connect(inference_, &InferenceService::exportProgress, this, [this](int done, int total) {
        progress_->setRange(0, total);
        progress_->setValue(done);
    });
    connect(inference_, &InferenceService::exportFinished, this, &ExportDialog::onFinished);
}

QFormLayout* ExportDialog::makeOptionsForm() {
    auto* form = new QFormLayout;
    target_ = new QComboBox;
    const std::pair<const char*, QString> targets[] = {{"samtok-jsonl", tr("SAMTok / qwen-vl-finetune JSONL")},
                                                       {"samtok-json", tr("SAMTok / qwen-vl-finetune JSON")},
                                                       {"llamafactory", tr("LLaMA-Factory (+ dataset_info.json)")},
                                                       {"swift", tr("ms-swift JSONL")},
                                                       {"llava", tr("LLaVA JSON")},
                                                       {"internvl", tr("InternVL JSONL (+ meta)")}};
    for (const auto& [id, label] : targets) target_->addItem(label, QString::fromLatin1(id));
    form->addRow(tr("Format"), target_);
    auto* taskRow = new QHBoxLayout;
    for (const char* t : {"refseg", "gres", "gcg", "regioncap", "vqa", "refdet"}) {
        auto* box = new QCheckBox(QString::fromLatin1(t));
        box->setChecked(QLatin1String(t) != QLatin1String("refdet"));  // boxes are opt-in, as on the command line
        if (QLatin1String(t) == QLatin1String("refdet"))
            box->setToolTip(tr("Bounding boxes of named regions, in the model family's grounding form"));
        tasks_ << box;
        taskRow->addWidget(box);
    }
    form->addRow(tr("Tasks"), taskRow);
    family_ = new QComboBox;
    family_->addItem(tr("As the format suits (InternVL for InternVL, else Qwen3-VL)"), QString());
    family_->addItem(tr("Qwen3-VL (boxes 0-1000)"), QStringLiteral("qwen3-vl"));
    family_->addItem(tr("Qwen2.5-VL (boxes in pixels of the resized image)"), QStringLiteral("qwen2.5-vl"));
    family_->addItem(tr("Qwen2-VL (boxes 0-1000)"), QStringLiteral("qwen2-vl"));
    family_->addItem(tr("InternVL (<ref>/<box>, 0-1000)"), QStringLiteral("internvl"));
    family_->setToolTip(tr("The model family the grounded captions and boxes are written for"));
    form->addRow(tr("Model family"), family_);
    val_ = new QDoubleSpinBox;
    val_->setRange(0, 0.9);
    val_->setSingleStep(0.05);
    val_->setValue(0.1);
    form->addRow(tr("Validation share (by image)"), val_);
    seed_ = new QSpinBox;
    seed_->setRange(0, 1 << 30);
    form->addRow(tr("Seed (templates, split)"), seed_);
    paths_ = new QComboBox;
    paths_->addItem(tr("Relative: copy images into the export"), 0);
    paths_->addItem(tr("Relative: hard-link images into the export"), 1);
    paths_->addItem(tr("Absolute paths"), 2);
    form->addRow(tr("Image paths"), paths_);
    minIou_ = new QDoubleSpinBox;
    minIou_->setRange(0, 1);
    minIou_->setSingleStep(0.05);
    minIou_->setToolTip(
        tr("Leave out regions whose tokens rebuild the mask below this IoU (SAMTok's scripts use 0.5)"));
    form->addRow(tr("Minimum reconstruction IoU"), minIou_);
    name_ = new QLineEdit(QStringLiteral("samtok"));
    form->addRow(tr("Dataset name"), name_);
    auto* folderRow = new QHBoxLayout;
    folder_ = new QLineEdit(QSettings().value(QStringLiteral("export/folder")).toString());
    auto* browse = new QPushButton(tr("Choose…"));
    folderRow->addWidget(folder_, 1);
    folderRow->addWidget(browse);
    form->addRow(tr("Output folder"), folderRow);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Export Folder"), folder_->text());
        if (!dir.isEmpty()) folder_->setText(dir);
    });
    return form;
}

void ExportDialog::setFolder(const QString& folder) {
    folder_->setText(folder);
}

void ExportDialog::start() {
    if (running_) return;
    if (folder_->text().trimmed().isEmpty()) {
        log_->appendPlainText(tr("Choose an output folder first."));
        return;
    }
    ExportRequest r;
    r.projectPath = projectPath_;
    exporter::ExportOptions& o = r.options;
    o.outDir = folder_->text().trimmed().toStdString();
    o.name = name_->text().trimmed().toStdString();
    o.target = exporter::targetFromString(target_->currentData().toString().toStdString());
    o.tasks.clear();
    for (QCheckBox* box : tasks_)
        if (box->isChecked()) o.tasks.push_back(exporter::taskFromString(box->text().toStdString()));
    if (const QString f = family_->currentData().toString(); !f.isEmpty())
        o.family = exporter::familyFromString(f.toStdString());
    o.valFraction = val_->value();
    o.seed = static_cast<std::uint64_t>(seed_->value());
    o.paths = paths_->currentData().toInt() == 2 ? exporter::PathPolicy::Absolute : exporter::PathPolicy::Relative;
    o.transfer = paths_->currentData().toInt() == 1 ? exporter::ImageTransfer::Link : exporter::ImageTransfer::Copy;
    o.minReconstructionIou = minIou_->value();
    QSettings().setValue(QStringLiteral("export/folder"), folder_->text());
    running_ = true;
    exportButton_->setEnabled(false);
    cancelButton_->setEnabled(true);
    progress_->setRange(0, 0);
    progress_->show();
    log_->appendPlainText(tr("Exporting to %1…").arg(folder_->text()));
    inference_->exportDataset(r);
}

void ExportDialog::onFinished(const ExportResult& r) {
    if (!running_) return;
    running_ = false;
    exportButton_->setEnabled(true);
    cancelButton_->setEnabled(false);
    progress_->hide();
    if (!r.error.isEmpty()) {
        log_->appendPlainText(tr("Not exported: %1").arg(r.error));
        emit finished(false);
        return;
    }
    log_->appendPlainText(r.summary);
    log_->appendPlainText(tr("Validator:"));
    for (const QString& line : r.validation) log_->appendPlainText(QStringLiteral("  ") + line);
    emit finished(true);
}

QString ExportDialog::report() const {
    return log_->toPlainText();
}

}  // namespace samtok::ui
