#pragma once
// The selected region's properties: class, caption, referring expressions and
// review state. It shows a region and reports what the user changed; the
// change becomes an undoable edit elsewhere.
#include "store/Records.h"

#include <QWidget>

#include <optional>

class QComboBox;
class QDoubleSpinBox;
class QLineEdit;
class QListWidget;
class QLabel;
class QPushButton;
class QVBoxLayout;

namespace samtok::ui {

class ProjectSession;

class RegionPanel : public QWidget {
    Q_OBJECT
public:
    // Search Nearby Codes decodes this many first codes x this many second codes:
    // 64 pairs take about 0.15 s with the micro model on 2 cores, seconds with the large one.
    static constexpr int kCodeSearchWidth = 8;

    explicit RegionPanel(ProjectSession* session, QWidget* parent = nullptr);
    void showRegion(std::optional<RowId> annotationId);  // none: the panel says how to select one
    QLineEdit* captionEdit() const { return caption_; }
    // The token inspector: the loaded model's tokens of the shown region, and how well they rebuild it.
    void showTokens(const QString& tokens, const QString& info);
    void showReconstruction(const QString& text);
    int compareMode() const;  // -1 off, else renderComparison's mode
    double flagThreshold() const;
    QString tokensText() const;
    QString reconstructionText() const;
    // The best-decoding code pair near the region's latent (Search Nearby Codes);
    // the button stays disabled while searching.
    void showCodeSearch(const QString& text, bool searching = false);
    QString codeSearchText() const;
    QPushButton* codeSearchButton() const;
    void setCompareMode(int mode);
    QLineEdit* expressionEdit() const { return newExpression_; }

signals:
    void classChosen(std::optional<samtok::RowId> classId);
    void compareModeChanged(int mode);
    void flagThresholdChanged(double threshold);
    void codeSearchRequested();
    void captionEntered();  // Enter in the caption: the keyboard can go back to the canvas
    void textChanged(samtok::RowId annotationId, const QString& caption, const QStringList& expressions,
                     samtok::ReviewState review);

private:
    void addTextFields(QVBoxLayout* layout);      // class, caption, review, expressions
    void addTokenInspector(QVBoxLayout* layout);  // tokens, reconstruction, code search
    void connectTextFields();
    void emitText();

    ProjectSession* session_;
    std::optional<RowId> shown_;
    QLabel* title_;
    QComboBox* class_;
    QLineEdit* caption_;
    QListWidget* expressions_;
    QLineEdit* newExpression_;
    QPushButton* remove_;
    QComboBox* review_;
    QLineEdit* tokens_;
    QLabel* tokenInfo_;
    QLabel* reconstruction_;
    QPushButton* search_;
    QLabel* codeSearch_;
    bool searching_ = false;
    QComboBox* compare_;
    QDoubleSpinBox* flag_;
    bool filling_ = false;
};

}  // namespace samtok::ui
