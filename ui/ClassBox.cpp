#include "ClassBox.h"

#include "MaskOverlay.h"

namespace samtok::ui {

namespace {
const QString kNewClass = QStringLiteral("new");
}

ClassBox::ClassBox(QWidget* parent) : QComboBox(parent) {
    setMinimumContentsLength(14);
    setToolTip(tr("Class of new regions, and of the selected one (1-9)"));
    connect(this, qOverload<int>(&QComboBox::activated), this, &ClassBox::onActivated);
    setClasses({});
}

void ClassBox::setClasses(const std::vector<LabelClass>& classes) {
    const QVariant keep = currentData();
    clear();
    addItem(tr("(no class)"), QVariant());
    int k = 1;
    for (const LabelClass& c : classes) {
        const QString name = QString::fromStdString(c.name);
        addItem(colourSwatch(QColor(QString::fromStdString(c.color))),
                k <= 9 ? QStringLiteral("%1  %2").arg(k).arg(name) : name, QVariant::fromValue<qlonglong>(c.id));
        ++k;
    }
    addItem(tr("New class…"), kNewClass);
    const int i = findData(keep);
    setCurrentIndex(i >= 0 ? i : 0);
}

void ClassBox::choose(std::optional<RowId> classId) {
    const int i = classId ? findData(QVariant::fromValue<qlonglong>(*classId)) : 0;
    setCurrentIndex(std::max(i, 0));
    onActivated(currentIndex());
}

void ClassBox::chooseNumber(int k) {
    if (k < 1 || k >= count() - 1) return;  // past "(no class)", before "New class…"
    setCurrentIndex(k);
    onActivated(k);
}

void ClassBox::onActivated(int index) {
    const QVariant d = itemData(index);
    if (d.toString() == kNewClass) {
        emit newClassRequested();
        return;
    }
    emit classChosen(d.isValid() ? std::optional<RowId>(d.toLongLong()) : std::nullopt);
}

}  // namespace samtok::ui
