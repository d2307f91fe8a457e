#pragma once
// The Region panel's token side for the selected region: its tokens of the
// active model, the mask the decoder rebuilds from them (with the comparison
// drawn on the canvas), and Search Nearby Codes. It asks the session and the
// inference service and pushes what comes back to the panel and the view.
#include "mask/Mask.h"
#include "store/Records.h"

#include <QObject>

namespace samtok::ui {

class AnnotateController;
class ImageView;
class InferenceService;
class ProjectSession;
class RegionPanel;
struct RegionCodeSearch;
struct RegionDecode;

class RegionInspector : public QObject {
    Q_OBJECT
public:
    RegionInspector(ProjectSession* session, InferenceService* inference, AnnotateController* annotate,
                    RegionPanel* panel, ImageView* view, QObject* parent = nullptr);

    // The selection, its tokens or the comparison mode changed: show them again (and decode anew).
    void refresh();
    void searchNearbyCodes();

private:
    void showDecoded(const RegionDecode& r);
    void showCodeSearch(const RegionCodeSearch& r);

    ProjectSession* session_;
    InferenceService* inference_;
    AnnotateController* annotate_;
    RegionPanel* panel_;
    ImageView* view_;
    quint64 codeSearchRequest_ = 0;  // the newest Search Nearby Codes request
    Mask codeSearchDrawn_;           // the mask it was asked for
};

}  // namespace samtok::ui
