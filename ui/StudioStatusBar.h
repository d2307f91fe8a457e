#pragma once
// The studio's status bar: what the current image is, what the tool is doing,
// the model and the runtime, the zoom, and the progress of an embedding or a
// project tokenization with their Cancel buttons. A view: it listens to the
// inference service and is told the rest; it decides nothing.
#include "store/Records.h"

#include <QObject>
#include <QSize>
#include <QString>
#include <QStringList>

class QLabel;
class QProgressBar;
class QStatusBar;
class QToolButton;

namespace samtok::ui {

class InferenceService;
class ImageView;
struct ModelSummary;

class StudioStatusBar : public QObject {
    Q_OBJECT
public:
    StudioStatusBar(QStatusBar* bar, InferenceService* inference, ImageView* view, QObject* parent = nullptr);

    // The image whose embedding progress is shown (others' are background prefetches).
    void setCurrentImage(RowId id) { currentImage_ = id; }
    void setToolHint(const QString& text);
    QString toolHint() const;
    // The image line; problems (damaged regions) turn it red and are its tooltip.
    void setImageLine(const QString& text, const QStringList& problems = {});
    // The image's line: name, size and regions. Problems (damaged regions, a read error) turn it red, are its
    // tooltip, and are said once per image in the message area.
    void showImage(RowId image, const QString& fileName, QSize size, int regions, int damaged,
                   const QStringList& problems);
    void showModel(const ModelSummary& m);
    void showNoModel(const QString& why = {});
    void startTokenizing();
    void finishTokenizing();
    // "image | zoom | model | runtime", for tests and the command line.
    QString summary() const;

signals:
    void cancelEmbeddingRequested();

private:
    void buildEmbeddingProgress(QStatusBar* bar);
    void buildTokenizeProgress(QStatusBar* bar);

    QStatusBar* bar_;
    InferenceService* inference_;
    QString lastProblems_;  // the image and problems last said in the message area
    RowId currentImage_ = 0;
    QLabel* imageLabel_;
    QLabel* toolHint_;
    QLabel* zoomLabel_;
    QLabel* modelLabel_;
    QLabel* runtimeLabel_;
    QProgressBar* embeddingBar_ = nullptr;
    QToolButton* cancelEmbedding_ = nullptr;
    QProgressBar* tokenizeBar_ = nullptr;
    QToolButton* cancelTokenize_ = nullptr;
};

}  // namespace samtok::ui
