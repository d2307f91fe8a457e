#pragma once
// Drives the inspect panels: the token explorer's decodes and sheets (the
// newest pair wins; one decode in flight at a time, so dragging a slider never
// queues up stale work) and the analytics, refreshed as tokens arrive.
#include "analytics/TokenStats.h"
#include "mask/Mask.h"
#include "store/Records.h"

#include <QImage>
#include <QObject>
#include <QString>

#include <functional>
#include <map>
#include <optional>
#include <utility>

class QTimer;

namespace samtok::ui {

class AnalyticsPanel;
class AnnotateController;
class ImageView;
class InferenceService;
class ProjectSession;
class TokenExplorer;
struct CodesDecode;
struct SheetChunk;

struct StatsResult {
    analytics::TokenStats stats;
    std::map<RowId, QString> imageNames;  // of the regions the lowest-IoU list shows
    QString error;
};

// Whose tokens the analytics show: the active model's row in the project.
struct StatsTokens {
    RowId tokenizerId = 0;
    int codebookSize = 256;
    QString name;
};

class InspectController : public QObject {
    Q_OBJECT
public:
    InspectController(ProjectSession* session, InferenceService* inference, ImageView* view,
                      AnnotateController* annotate, TokenExplorer* explorer, AnalyticsPanel* analytics,
                      QObject* parent = nullptr);

    void setImage(RowId imageId, const QImage& image);  // 0: none
    void setExplorerVisible(bool visible);
    void setAnalyticsVisible(bool visible);
    void setFlagThreshold(double threshold);
    void scheduleRefresh();  // tokens, regions or the model changed
    void refreshNow();       // starts the query at once; analyticsRefreshed follows
    const Mask* explorerMask() const { return decoded_ ? &*decoded_ : nullptr; }
    TokenPair explorerMaskPair() const { return decodedPair_; }

signals:
    void jumpRequested(samtok::RowId imageId, samtok::RowId annotationId);
    void explorerDecoded();  // the explorer shows the mask of its current pair
    void sheetFinished();
    void analyticsRefreshed();

private:
    void requestDecode();
    void onCodesDecoded(const CodesDecode& r);
    void onSheetChunk(const SheetChunk& c);
    void keep();
    void startSheet(int varyingLevel, int fixedCode);
    void showCandidate(bool show);
    void showStats(quint64 generation, const StatsTokens& tokens, StatsResult result);

    ProjectSession* session_;
    InferenceService* inference_;
    ImageView* view_;
    AnnotateController* annotate_;
    TokenExplorer* explorer_;
    AnalyticsPanel* analytics_;
    QTimer* refreshTimer_;
    RowId imageId_ = 0;
    bool explorerVisible_ = false;
    bool analyticsVisible_ = false;
    bool dirty_ = true;
    bool computing_ = false;
    bool refreshAgain_ = false;
    quint64 refreshGeneration_ = 0;
    double threshold_ = 0.75;
    quint64 decodeRequest_ = 0;
    bool inFlight_ = false;
    TokenPair requestedPair_{-1, -1};
    std::optional<Mask> decoded_;
    TokenPair decodedPair_{-1, -1};
    RowId decodedImage_ = 0;
    bool candidateShown_ = false;
    bool pairChosen_ = false;  // the user picked a pair in this project: only then is its mask drawn on the image
    quint64 sheetRequest_ = 0;
    qint64 decodeStartedMs_ = 0;
};

}  // namespace samtok::ui
