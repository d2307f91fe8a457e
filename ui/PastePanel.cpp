#include "PastePanel.h"

#include "tokens/TokenText.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRegularExpression>
#include <QVBoxLayout>

namespace samtok::ui {

std::vector<PastedGroup> parsePasted(const QString& text, int codebookSize, QStringList* notes) {
    const std::string s = text.toStdString();
    const TokenParse parse = parseMaskTokens(s, codebookSize);
    for (const auto& w : parse.warnings) notes->append(QString::fromStdString(w));
    std::vector<PastedGroup> out;
    std::size_t previousEnd = 0;
    static const QRegularExpression labelField(
        QStringLiteral("^\\s*\"?\\s*,\\s*\"label\"\\s*:\\s*\"((?:[^\"\\\\]|\\\\.)*)\""));
    static const QRegularExpression markup(QStringLiteral("<\\|[a-z_]+\\|>|[`\\[\\]{}\"]|json|mask_2d\\s*:"));
    for (std::size_t i = 0; i < parse.groups.size(); ++i) {
        const TokenGroup& g = parse.groups[i];
        if (g.c0 < 0 || g.c0 >= codebookSize) {
            notes->append(QObject::tr("group %1 dropped: its first code %2 is not in 0..%3")
                              .arg(i + 1)
                              .arg(g.c0)
                              .arg(codebookSize - 1));
            continue;
        }
        PastedGroup p;
        static_cast<TokenPair&>(p) = g;
        p.tokens = QString::fromStdString(s.substr(g.begin, g.end - g.begin));
        p.repair = QString::fromStdString(g.repair);
        const std::size_t nextBegin = i + 1 < parse.groups.size() ? parse.groups[i + 1].begin : s.size();
        const QString after = QString::fromStdString(s.substr(g.end, nextBegin - g.end));
        if (const auto m = labelField.match(after); m.hasMatch()) {
            p.label = m.captured(1);
        } else {
            // GCG: the phrase just before the group ("<|object_ref_start|>a bush<|object_ref_end|> <group>");
            // else the words before it, without what belonged to the previous group.
            QString before = QString::fromStdString(s.substr(previousEnd, g.begin - previousEnd));
            static const QRegularExpression phrase(
                QStringLiteral("<\\|object_ref_start\\|>(.*?)<\\|object_ref_end\\|>"));
            QString last;
            for (auto it = phrase.globalMatch(before); it.hasNext();) last = it.next().captured(1);
            if (!last.isEmpty()) {
                p.label = last.simplified();
            } else {
                static const QRegularExpression previousLabel(
                    QStringLiteral("\"label\"\\s*:\\s*\"(?:[^\"\\\\]|\\\\.)*\""));
                before.remove(previousLabel);
                before.replace(markup, QStringLiteral(" "));
                p.label = before.simplified().right(80);
            }
        }
        previousEnd = g.end;
        out.push_back(std::move(p));
    }
    return out;
}

PastePanel::PastePanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(6, 6, 6, 6);
    input_ = new QPlainTextEdit;
    input_->setObjectName("pasteInput");
    input_->setPlaceholderText(tr("Paste a model answer with <|mt_start|>…<|mt_end|> groups"));
    input_->setMaximumHeight(90);
    layout->addWidget(input_);
    auto* decode = new QPushButton(tr("Decode on This Image"));
    layout->addWidget(decode);
    list_ = new QListWidget;
    layout->addWidget(list_, 1);
    status_ = new QLabel;
    status_->setWordWrap(true);
    layout->addWidget(status_);
    accept_ = new QPushButton(tr("Keep as Region (label as referring expression)"));
    accept_->setEnabled(false);
    layout->addWidget(accept_);
    connect(decode, &QPushButton::clicked, this, [this] { emit decodeRequested(input_->toPlainText()); });
    connect(list_, &QListWidget::currentRowChanged, this, [this](int row) {
        accept_->setEnabled(row >= 0 && static_cast<std::size_t>(row) < masks_.size());
        emit groupChosen(row);
    });
    connect(accept_, &QPushButton::clicked, this, [this] { emit acceptRequested(list_->currentRow()); });
}

void PastePanel::showGroups(const std::vector<PastedGroup>& groups, const QStringList& notes) {
    groups_ = groups;
    masks_.clear();
    list_->clear();
    for (std::size_t i = 0; i < groups.size(); ++i) {
        const auto& g = groups[i];
        auto* item = new QListWidgetItem(
            QStringLiteral("%1. %2  c0 %3 · c1 %4%5")
                .arg(i + 1)
                .arg(g.label.isEmpty() ? tr("(no label)") : QStringLiteral("\u201c%1\u201d").arg(g.label))
                .arg(g.c0)
                .arg(!g.hasSecondCode() ? tr("missing") : QString::number(g.c1))
                .arg(g.repair.isEmpty() ? QString() : tr("  [repaired]")));
        item->setToolTip(g.tokens + (g.repair.isEmpty() ? QString() : QStringLiteral("\n") + g.repair));
        if (!g.repair.isEmpty()) item->setForeground(QColor(0xe6, 0x7e, 0x22));
        list_->addItem(item);
    }
    status_->setText(groups.empty() ? tr("No mask token group in the text.") +
                                          (notes.isEmpty() ? QString() : QStringLiteral(" ") + notes.join("; "))
                                    : tr("%n group(s); decoding…", nullptr, static_cast<int>(groups.size())) +
                                          (notes.isEmpty() ? QString() : QStringLiteral(" ") + notes.join("; ")));
}

void PastePanel::showMasks(const std::vector<Mask>& masks, const std::vector<float>& predictedIou,
                           const QString& error) {
    if (!error.isEmpty()) {
        status_->setText(tr("Cannot decode: %1").arg(error));
        return;
    }
    masks_ = masks;
    for (int i = 0; i < list_->count() && static_cast<std::size_t>(i) < masks.size(); ++i)
        list_->item(i)->setText(list_->item(i)->text() +
                                tr(" · %1 px · predicted IoU %2")
                                    .arg(masks[static_cast<std::size_t>(i)].area())
                                    .arg(predictedIou[static_cast<std::size_t>(i)], 0, 'f', 2));
    status_->setText(
        tr("%n mask(s) decoded: choose one to see it, keep it as a region.", nullptr, static_cast<int>(masks.size())));
    if (list_->count() > 0) list_->setCurrentRow(0);
}

int PastePanel::currentGroup() const {
    return list_->currentRow();
}
int PastePanel::groupCount() const {
    return static_cast<int>(groups_.size());
}
const Mask* PastePanel::mask(int i) const {
    return i >= 0 && static_cast<std::size_t>(i) < masks_.size() ? &masks_[static_cast<std::size_t>(i)] : nullptr;
}
const PastedGroup* PastePanel::group(int i) const {
    return i >= 0 && static_cast<std::size_t>(i) < groups_.size() ? &groups_[static_cast<std::size_t>(i)] : nullptr;
}

}  // namespace samtok::ui
