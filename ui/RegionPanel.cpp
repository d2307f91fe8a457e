#include "RegionPanel.h"

#include "MaskOverlay.h"
#include "ProjectSession.h"

#include <QClipboard>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QGuiApplication>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSettings>
#include <QVBoxLayout>

namespace samtok::ui {

RegionPanel::RegionPanel(ProjectSession* session, QWidget* parent) : QWidget(parent), session_(session) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    addTextFields(layout);
    addTokenInspector(layout);
    layout->addStretch(1);
    connectTextFields();
    showRegion(std::nullopt);
}

void RegionPanel::addTextFields(QVBoxLayout* layout) {
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
}

// The token inspector: the region's tokens, how well they rebuild it, and the codes a search would pick.
void RegionPanel::addTokenInspector(QVBoxLayout* layout) {
    layout->addWidget(new QLabel(tr("<b>Tokens</b> (the loaded model)")));
    auto* tokRow = new QHBoxLayout;
    tokens_ = new QLineEdit;
    tokens_->setReadOnly(true);
    tokens_->setObjectName("regionTokens");
    auto* copy = new QPushButton(tr("Copy"));
    tokRow->addWidget(tokens_, 1);
    tokRow->addWidget(copy);
    layout->addLayout(tokRow);
    tokenInfo_ = new QLabel;
    tokenInfo_->setWordWrap(true);
    layout->addWidget(tokenInfo_);
    auto* cmpRow = new QHBoxLayout;
    compare_ = new QComboBox;
    compare_->setObjectName("compareMode");
    compare_->addItem(tr("Reconstruction: off"), -1);
    compare_->addItem(tr("Show the drawn mask"), 0);
    compare_->addItem(tr("Show the rebuilt mask"), 1);
    compare_->addItem(tr("Both (green: agree)"), 2);
    compare_->addItem(tr("Difference only"), 3);
    compare_->setToolTip(tr("Orange: only in the drawn mask; magenta: only in the mask the two tokens rebuild"));
    flag_ = new QDoubleSpinBox;
    flag_->setRange(0, 1);
    flag_->setSingleStep(0.05);
    flag_->setPrefix(tr("flag IoU < "));
    flag_->setValue(QSettings().value(QStringLiteral("inspect/flagIou"), 0.75).toDouble());
    cmpRow->addWidget(compare_, 1);
    cmpRow->addWidget(flag_);
    layout->addLayout(cmpRow);
    reconstruction_ = new QLabel;
    reconstruction_->setObjectName("reconstruction");
    reconstruction_->setWordWrap(true);
    layout->addWidget(reconstruction_);
    // The quantizer writes the nearest codes, not always the best-decoding ones:
    // this shows researchers how much the two differ for this region.
    search_ = new QPushButton(tr("Search Nearby Codes"));
    search_->setObjectName("searchCodes");
    search_->setToolTip(tr("Decode the %1 x %1 code pairs nearest to the region's latent and show the one that "
                           "rebuilds it best. Inspection only: the stored tokens stay the quantizer's, as the official "
                           "SAMTok writes them.")
                            .arg(kCodeSearchWidth));
    search_->setEnabled(false);
    auto* searchRow = new QHBoxLayout;
    searchRow->addWidget(search_);
    searchRow->addStretch(1);
    layout->addLayout(searchRow);
    codeSearch_ = new QLabel;
    codeSearch_->setObjectName("codeSearch");
    codeSearch_->setWordWrap(true);
    codeSearch_->setTextInteractionFlags(Qt::TextSelectableByMouse);
    layout->addWidget(codeSearch_);
    connect(search_, &QPushButton::clicked, this, &RegionPanel::codeSearchRequested);
    connect(copy, &QPushButton::clicked, this, [this] {
        if (!tokens_->text().isEmpty()) QGuiApplication::clipboard()->setText(tokens_->text());
    });
    connect(compare_, qOverload<int>(&QComboBox::currentIndexChanged), this,
            [this] { emit compareModeChanged(compare_->currentData().toInt()); });
    connect(flag_, qOverload<double>(&QDoubleSpinBox::valueChanged), this, [this](double v) {
        QSettings().setValue(QStringLiteral("inspect/flagIou"), v);
        emit flagThresholdChanged(v);
    });
}

void RegionPanel::connectTextFields() {
    connect(class_, qOverload<int>(&QComboBox::activated), this, [this](int i) {
        if (filling_) return;
        const QVariant d = class_->itemData(i);
        emit classChosen(d.isValid() ? std::optional<RowId>(d.toLongLong()) : std::nullopt);
    });
    connect(caption_, &QLineEdit::editingFinished, this, &RegionPanel::emitText);
    connect(caption_, &QLineEdit::returnPressed, this, &RegionPanel::captionEntered);
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
}

void RegionPanel::showRegion(std::optional<RowId> id) {
    if (id != shown_) showCodeSearch({}, false);  // another region: an answer still on its way is dropped
    // A refresh (tokens arrived, say) must not throw away what the user is typing.
    const bool typing = id && shown_ == id && caption_->hasFocus();
    const QString typed = caption_->text();
    filling_ = true;
    shown_.reset();
    std::optional<Annotation> a;
    if (id) a = session_->annotation(*id);
    for (QWidget* w : std::initializer_list<QWidget*>{class_, caption_, review_, expressions_, newExpression_, remove_})
        w->setEnabled(a.has_value());
    class_->clear();
    caption_->clear();
    expressions_->clear();
    if (!a) {
        title_->setText(
            tr("<i>No region selected.</i> Select one with the Select tool (V), in the list above, or "
               "accept a candidate."));
        filling_ = false;
        return;
    }
    shown_ = a->id;
    title_->setText(
        tr("<b>Region %1</b> · %2 px · %3").arg(a->id).arg(a->area).arg(QString::fromLatin1(toString(a->source))));
    class_->addItem(tr("(no class)"), QVariant());
    for (const LabelClass& c : session_->classes()) {
        class_->addItem(colourSwatch(QColor(QString::fromStdString(c.color))), QString::fromStdString(c.name),
                        QVariant::fromValue<qlonglong>(c.id));
    }
    class_->setCurrentIndex(a->classId ? std::max(0, class_->findData(QVariant::fromValue<qlonglong>(*a->classId)))
                                       : 0);
    caption_->setText(typing ? typed : QString::fromStdString(a->caption));
    review_->setCurrentIndex(review_->findData(static_cast<int>(a->review)));
    for (const auto& e : session_->referringExpressions(a->id)) expressions_->addItem(QString::fromStdString(e));
    filling_ = false;
}

void RegionPanel::showTokens(const QString& tokens, const QString& info) {
    if (tokens != tokens_->text()) codeSearch_->clear();  // new tokens
    search_->setEnabled(!tokens.isEmpty() && !searching_);
    tokens_->setText(tokens);
    tokenInfo_->setText(info);
    if (tokens.isEmpty()) reconstruction_->clear();
}

void RegionPanel::showReconstruction(const QString& text) {
    reconstruction_->setText(text);
}
int RegionPanel::compareMode() const {
    return compare_->currentData().toInt();
}
double RegionPanel::flagThreshold() const {
    return flag_->value();
}
QString RegionPanel::tokensText() const {
    return tokens_->text();
}
QString RegionPanel::reconstructionText() const {
    return reconstruction_->text();
}
void RegionPanel::showCodeSearch(const QString& text, bool searching) {
    codeSearch_->setText(text);
    searching_ = searching;
    search_->setEnabled(!searching && !tokens_->text().isEmpty());
}
QString RegionPanel::codeSearchText() const {
    return codeSearch_->text();
}
QPushButton* RegionPanel::codeSearchButton() const {
    return search_;
}
void RegionPanel::setCompareMode(int mode) {
    compare_->setCurrentIndex(std::max(0, compare_->findData(mode)));
}

void RegionPanel::emitText() {
    if (filling_ || !shown_) return;
    QStringList expressions;
    for (int i = 0; i < expressions_->count(); ++i) expressions << expressions_->item(i)->text();
    emit textChanged(*shown_, caption_->text().trimmed(), expressions,
                     static_cast<ReviewState>(review_->currentData().toInt()));
}

}  // namespace samtok::ui
