#include "SettingsDialog.h"

#include "model/Runtime.h"

#include <QAction>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QFormLayout>
#include <QHeaderView>
#include <QKeySequenceEdit>
#include <QLabel>
#include <QMenu>
#include <QSettings>
#include <QSpinBox>
#include <QTableWidget>
#include <QThread>
#include <QVBoxLayout>

namespace samtok::ui {

namespace {

QList<QAction*> namedActions(QWidget* window) {
    QList<QAction*> out;
    for (QAction* a : window->findChildren<QAction*>())
        // Qt's own actions (a line edit's clear button: "_q_qlineeditclearaction") have names but no text.
        if (!a->objectName().isEmpty() && !a->objectName().startsWith(QLatin1String("_q_")) && !a->text().isEmpty() &&
            !a->isSeparator() && !a->menu())
            out << a;
    std::sort(out.begin(), out.end(), [](QAction* a, QAction* b) { return a->objectName() < b->objectName(); });
    return out;
}

QString plainText(const QAction* a) {
    QString t = a->text();
    if (const int tab = t.indexOf('\t'); tab >= 0) t = t.left(tab);
    return t.remove('&');
}

}  // namespace

StudioSettings StudioSettings::load() {
    QSettings s;
    StudioSettings out;
    out.threads = s.value(QStringLiteral("inference/threads"), 0).toInt();
    out.device = s.value(QStringLiteral("inference/device"), QStringLiteral("cpu")).toString();
    out.precision = s.value(QStringLiteral("inference/precision"), QStringLiteral("fp32")).toString();
    out.cacheMegabytes = s.value(QStringLiteral("inference/cacheMegabytes"), 1024).toInt();
    return out;
}

void StudioSettings::save() const {
    QSettings s;
    s.setValue(QStringLiteral("inference/threads"), threads);
    s.setValue(QStringLiteral("inference/device"), device);
    s.setValue(QStringLiteral("inference/precision"), precision);
    s.setValue(QStringLiteral("inference/cacheMegabytes"), cacheMegabytes);
}

void applySavedShortcuts(QWidget* window) {
    QSettings s;
    s.beginGroup(QStringLiteral("shortcuts"));
    for (QAction* a : namedActions(window))
        if (s.contains(a->objectName())) a->setShortcut(QKeySequence(s.value(a->objectName()).toString()));
}

SettingsDialog::SettingsDialog(QWidget* window) : QDialog(window), window_(window) {
    setWindowTitle(tr("Settings"));
    resize(560, 620);
    const StudioSettings current = StudioSettings::load();
    auto* layout = new QVBoxLayout(this);
    auto* form = new QFormLayout;
    threads_ = new QSpinBox;
    threads_->setRange(0, 256);
    threads_->setSpecialValueText(tr("every core (%1)").arg(QThread::idealThreadCount()));
    threads_->setValue(current.threads);
    device_ = new QComboBox;
    device_->addItem(tr("CPU"), QStringLiteral("cpu"));
    if (runtime::info().cudaAvailable) device_->addItem(tr("CUDA GPU"), QStringLiteral("cuda"));
    device_->setCurrentIndex(std::max(0, device_->findData(current.device)));
    precision_ = new QComboBox;
    precision_->addItem(tr("float32"), QStringLiteral("fp32"));
    precision_->addItem(tr("bfloat16 (for GPUs; slower than float32 on a CPU)"), QStringLiteral("bf16"));
    precision_->setCurrentIndex(std::max(0, precision_->findData(current.precision)));
    cache_ = new QSpinBox;
    cache_->setRange(64, 65536);
    cache_->setSuffix(tr(" MB"));
    cache_->setValue(current.cacheMegabytes);
    form->addRow(tr("Inference threads (at the next start)"), threads_);
    form->addRow(tr("Device (at the next model load)"), device_);
    form->addRow(tr("Precision (at the next model load)"), precision_);
    form->addRow(tr("Image embedding cache"), cache_);
    layout->addLayout(form);

    layout->addWidget(new QLabel(tr("Keyboard shortcuts (click a cell, press the keys; Backspace clears)")));
    const auto actions = namedActions(window_);
    shortcuts_ = new QTableWidget(static_cast<int>(actions.size()), 2);
    shortcuts_->setHorizontalHeaderLabels({tr("Action"), tr("Shortcut")});
    shortcuts_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    shortcuts_->verticalHeader()->hide();
    for (int i = 0; i < actions.size(); ++i) {
        auto* name = new QTableWidgetItem(plainText(actions[i]));
        name->setFlags(Qt::ItemIsEnabled);
        name->setData(Qt::UserRole, actions[i]->objectName());
        shortcuts_->setItem(i, 0, name);
        auto* edit = new QKeySequenceEdit(actions[i]->shortcut());
        shortcuts_->setCellWidget(i, 1, edit);
    }
    layout->addWidget(shortcuts_, 1);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    connect(buttons, &QDialogButtonBox::accepted, this, &SettingsDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &SettingsDialog::reject);
    layout->addWidget(buttons);
}

void SettingsDialog::accept() {
    StudioSettings s;
    s.threads = threads_->value();
    s.device = device_->currentData().toString();
    s.precision = precision_->currentData().toString();
    s.cacheMegabytes = cache_->value();
    s.save();
    QSettings settings;
    settings.beginGroup(QStringLiteral("shortcuts"));
    const auto actions = namedActions(window_);
    for (int i = 0; i < shortcuts_->rowCount() && i < actions.size(); ++i) {
        const QKeySequence k = static_cast<QKeySequenceEdit*>(shortcuts_->cellWidget(i, 1))->keySequence();
        if (k != actions[i]->shortcut()) {
            actions[i]->setShortcut(k);
            settings.setValue(actions[i]->objectName(), k.toString());
        }
    }
    QDialog::accept();
}

}  // namespace samtok::ui
