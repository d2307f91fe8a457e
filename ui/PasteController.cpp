#include "PasteController.h"

#include "AnnotateController.h"
#include "ImageView.h"
#include "InferenceService.h"
#include "MaskOverlay.h"
#include "PastePanel.h"
#include "ProjectSession.h"
#include "edit/RegionEdit.h"

namespace samtok::ui {

PasteController::PasteController(ProjectSession* session, InferenceService* inference, ImageView* view,
                                 AnnotateController* annotate, PastePanel* panel, QObject* parent)
    : QObject(parent), session_(session), inference_(inference), view_(view), annotate_(annotate), panel_(panel) {
    connect(panel_, &PastePanel::decodeRequested, this, [this](const QString& text) {
        if (!session_->isOpen() || !annotate_->image()) return;
        QStringList notes;
        const auto groups = parsePasted(text, session_->activeCodebookSize(), &notes);
        panel_->showGroups(groups, notes);
        if (groups.empty()) return;
        const std::vector<TokenPair> codes(groups.begin(), groups.end());
        const auto rec = session_->image(annotate_->image());
        if (!rec) return;
        request_ = inference_->nextRequestId();
        inference_->decodeCodes(request_, annotate_->image(), rec->file, rec->checksum, codes);
    });
    connect(inference_, &InferenceService::codesDecoded, this, [this](const CodesDecode& r) {
        if (r.id != request_ || r.imageId != annotate_->image()) return;
        panel_->showMasks(r.masks, r.predictedIou, r.error);
    });
    connect(panel_, &PastePanel::groupChosen, this, [this](int i) {
        const Mask* m = panel_->mask(i);
        view_->setCandidate(m ? renderCandidate(*m) : QImage());
    });
    connect(panel_, &PastePanel::acceptRequested, this, [this](int i) {
        const Mask* m = panel_->mask(i);
        const PastedGroup* g = panel_->group(i);
        if (!m || !g || m->area() == 0 || !annotate_->image()) return;
        Annotation a;
        a.imageId = annotate_->image();
        a.classId = annotate_->currentClass();
        a.mask = rle::encode(*m);
        a.source = AnnotationSource::Import;
        edit::RegionEdit e = edit::createRegion(tr("Keep decoded region").toStdString(), a);
        if (!g->label.isEmpty()) e.changes[0].after->expressions = {g->label.toStdString()};
        session_->apply(std::move(e));
        view_->setCandidate({});
        if (inference_->hasModel()) inference_->tokenizeImage(session_->projectPath(), annotate_->image());
    });
}

}  // namespace samtok::ui
