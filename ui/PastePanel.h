#pragma once
// Paste and decode: any text with mask token groups (a Qwen-VL-SAMTok answer,
// say) is parsed with the tolerant parser; each group is decoded on the
// current image and listed with the text it came with; a group can be kept
// as a region whose referring expression is that text. Repaired groups say so.
#include "mask/Mask.h"
#include "tokens/TokenPair.h"

#include <QWidget>

class QPlainTextEdit;
class QListWidget;
class QPushButton;
class QLabel;

namespace samtok::ui {

struct PastedGroup : TokenPair {
    QString tokens;
    QString label;   // the text that names it, from a "label" field or the words before it
    QString repair;  // what the tolerant parser repaired, if anything
};

// The groups of a text with their labels; groups whose first code is out of range are dropped with a note.
std::vector<PastedGroup> parsePasted(const QString& text, int codebookSize, QStringList* notes);

class PastePanel : public QWidget {
    Q_OBJECT
public:
    explicit PastePanel(QWidget* parent = nullptr);
    QPlainTextEdit* input() const { return input_; }
    void showGroups(const std::vector<PastedGroup>& groups, const QStringList& notes);
    void showMasks(const std::vector<Mask>& masks, const std::vector<float>& predictedIou, const QString& error);
    int currentGroup() const;
    int groupCount() const;
    const Mask* mask(int group) const;
    const PastedGroup* group(int index) const;

signals:
    void decodeRequested(const QString& text);
    void groupChosen(int index);  // -1: none
    void acceptRequested(int index);

private:
    QPlainTextEdit* input_;
    QListWidget* list_;
    QLabel* status_;
    QPushButton* accept_;
    std::vector<PastedGroup> groups_;
    std::vector<Mask> masks_;
};

}  // namespace samtok::ui
