#pragma once
// Drives Paste & Decode: the pasted text's token groups are parsed with the
// active model's codebook, decoded on the current image (the newest paste
// wins), shown as candidates, and one can be kept as a region (one undoable
// edit, its label kept as the region's referring expression).
#include <QObject>

namespace samtok::ui {

class AnnotateController;
class ImageView;
class InferenceService;
class PastePanel;
class ProjectSession;

class PasteController : public QObject {
    Q_OBJECT
public:
    PasteController(ProjectSession* session, InferenceService* inference, ImageView* view, AnnotateController* annotate,
                    PastePanel* panel, QObject* parent = nullptr);

private:
    ProjectSession* session_;
    InferenceService* inference_;
    ImageView* view_;
    AnnotateController* annotate_;
    PastePanel* panel_;
    quint64 request_ = 0;
};

}  // namespace samtok::ui
