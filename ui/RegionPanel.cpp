#include "RegionPanel.h"

#include "ProjectSession.h"

#include <QComboBox>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

namespace samtok::ui {

RegionPanel::RegionPanel(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    title_ = new QLabel;
    title_->setWordWrap(true);
    layout->addWidget(title_);
    auto* form = new QFormLayout;
    class_ = new QComboBox;
    caption_ = new QLineEdit;
    caption_->setObjectName("regionCaption");
    caption_->setPlaceholderText(tr("A description of the region (region captioning)"));
    review_ = new QComboBox;
    for (ReviewState r : {ReviewState::Unreviewed, ReviewState::Accepted, ReviewState::Rejected})
        review_->addItem(QString::fromLatin1(toString(r)), static_cast<int>(r));
    form->addRow(tr("Class"), class_);
    form->addRow(tr("Caption"), caption_);
    form->addRow(tr("Review"), review_);
    layout->addLayout(form);
    layout->addWidget(new QLabel(tr("Referring expressions (one per line; refseg samples)")));
    expressions_ = new QListWidget;
    expressions_->setMaximumHeight(110);
    layout->addWidget(expressions_);
    auto* row = new QHBoxLayout;
    newExpression_ = new QLineEdit;
    newExpression_->setObjectName("regionNewExpression");
    newExpression_->setPlaceholderText(tr("e.g. the cup on the left, then Enter"));
    remove_ = new QPushButton(tr("Remove"));
    row->addWidget(newExpression_, 1);
    row->addWidget(remove_);
    layout->addLayout(row);
    layout->addStretch(1);

    connect(class_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        if (filling_) return;
        const QVariant d = class_->itemData(i);
        emit classChosen(d.isValid() ? std::optional<RowId>(d.toLongLong()) : std::nullopt);
    });
    connect(caption_, &QLineEdit::editingFinished, this, &RegionPanel::emitText);
    connect(review_, qOverload<int>(&QComboBox::activated), this, &RegionPanel::emitText);
    connect(newExpression_, &QLineEdit::returnPressed, this, [this] {
        const QString t = newExpression_->text().trimmed();
        if (t.isEmpty() || !shown_) return;
        expressions_->addItem(t);
        newExpression_->clear();
        emitText();
    });
    connect(remove_, &QPushButton::clicked, this, [this] {
        delete expressions_->currentItem();
        emitText();
    });
    showRegion(std::nullopt);
}

void RegionPanel::showRegion(std::optional<RowId> id) {
    // A refresh (tokens arrived, say) must not throw away what the user is typing.
    const bool typing = id && shown_ == id && caption_->hasFocus();
    const QString typed = caption_->text();
    filling_ = true;
    shown_.reset();
    std::optional<Annotation> a;
    if (id && session_->store()) a = session_->store()->annotation(*id);
    for (QWidget* w : std::initializer_list<QWidget*>{class_, caption_, review_, expressions_, newExpression_, remove_})
        w->setEnabled(a.has_value());
    class_->clear();
    caption_->clear();
    expressions_->clear();
    if (!a) {
        title_->setText(tr("<i>No region selected.</i> Select one with the Select tool (V), in the list above, or "
                           "accept a candidate."));
        filling_ = false;
        return;
    }
    shown_ = a->id;
    title_->setText(tr("<b>Region %1</b> · %2 px · %3").arg(a->id).arg(a->area).arg(QString::fromLatin1(toString(a->source))));
    class_->addItem(tr("(no class)"), QVariant());
    for (const LabelClass& c : session_->classes()) {
        QPixmap pm(12, 12);
        pm.fill(QColor(QString::fromStdString(c.color)));
        class_->addItem(QIcon(pm), QString::fromStdString(c.name), QVariant::fromValue<qlonglong>(c.id));
    }
    class_->setCurrentIndex(a->classId ? std::max(0, class_->findData(QVariant::fromValue<qlonglong>(*a->classId))) : 0);
    caption_->setText(typing ? typed : QString::fromStdString(a->caption));
    review_->setCurrentIndex(review_->findData(static_cast<int>(a->review)));
    for (const auto& e : session_->store()->referringExpressions(a->id)) expressions_->addItem(QString::fromStdString(e));
    filling_ = false;
}

void RegionPanel::emitText() {
    if (filling_ || !shown_) return;
    QStringList expressions;
    for (int i = 0; i < expressions_->count(); ++i) expressions << expressions_->item(i)->text();
    emit textChanged(*shown_, caption_->text().trimmed(), expressions,
                     static_cast<ReviewState>(review_->currentData().toInt()));
}

}  // namespace samtok::ui
