#pragma once
// The token explorer: pick any two codes and see the mask the loaded model
// rebuilds from them on the current image; or decode a whole sheet (one code
// fixed, the other over the codebook) into thumbnails in the background.
// The widget shows and reports; the inspect controller does the decoding.
#include "mask/Mask.h"
#include "tokens/TokenPair.h"

#include <QElapsedTimer>
#include <QImage>
#include <QWidget>

#include <cstdint>
#include <vector>

class QSpinBox;
class QSlider;
class QLineEdit;
class QLabel;
class QPushButton;
class QComboBox;
class QListWidget;
class QProgressBar;
class QTabWidget;

namespace samtok::ui {

class CodeGrid;

class TokenExplorer : public QWidget {
    Q_OBJECT
public:
    explicit TokenExplorer(QWidget* parent = nullptr);

    void setCodebookSize(int k);
    int codebookSize() const { return k_; }
    void setPair(samtok::TokenPair pair);  // emits pairChanged when it changes
    samtok::TokenPair pair() const { return {c0(), c1()}; }
    int c0() const;
    int c1() const;
    QString tokenText() const;
    void setUsage(const std::vector<std::int32_t>& pairUsage);
    void setAvailable(bool available, const QString& why);  // a tokenizer and an image are there

    // The decoded mask of the current pair (null: none yet).
    void showDecoded(const Mask* mask, float predictedIou, double millis, const QString& error);
    bool isDecodePending() const { return pending_; }
    void setDecodePending(bool pending);

    // Sheet mode.
    int sheetLevel() const;  // the level that varies: 0 (c0) or 1 (c1)
    void setSheetLevel(int level);
    void setSheetBase(const QImage& image);  // the current image, small
    void startSheet(int total);
    void addSheetThumbnails(int first, const std::vector<Mask>& masks, const std::vector<float>& predictedIou);
    void finishSheet(bool cancelled, const QString& error);
    int sheetCount() const;  // thumbnails shown
    const Mask* sheetMask(int index) const;
    bool sheetRunning() const { return sheetRunning_; }
    QTabWidget* tabs() const { return tabs_; }

signals:
    void pairChanged(samtok::TokenPair pair);
    void keepRequested();
    void sheetRequested(int varyingLevel, int fixedCode);
    void sheetCancelRequested();

private:
    QWidget* makeCodesTab();  // spin boxes, sliders and the pair grid, all editing one pair
    QWidget* makeSheetTab();  // one code fixed, the other over the whole codebook
    void onCodeEdited();
    QImage thumbnail(const Mask& m) const;

    int k_ = 256;
    bool filling_ = false;
    bool pending_ = false;
    bool sheetRunning_ = false;
    QTabWidget* tabs_;
    QSpinBox* c0Spin_;
    QSpinBox* c1Spin_;
    QSlider* c0Slider_;
    QSlider* c1Slider_;
    CodeGrid* grid_;
    QLineEdit* tokens_;
    QLabel* status_;
    QPushButton* keep_;
    QComboBox* sheetLevel_;
    QLabel* sheetFixed_;
    QPushButton* sheetStart_;
    QPushButton* sheetCancel_;
    QProgressBar* sheetProgress_;
    QListWidget* sheet_;
    QLabel* sheetStatus_;
    QImage sheetBase_;
    std::vector<Mask> sheetMasks_;
    int sheetVarying_ = 1, sheetFixedCode_ = 0;
    QElapsedTimer sheetClock_;
};

}  // namespace samtok::ui
