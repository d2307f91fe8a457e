#include "RegionInspector.h"

#include "AnnotateController.h"
#include "ImageView.h"
#include "InferenceService.h"
#include "MaskOverlay.h"
#include "ProjectSession.h"
#include "RegionPanel.h"
#include "mask/CocoRle.h"
#include "mask/MaskMetrics.h"
#include "tokens/TokenText.h"

#include <QStringList>

namespace samtok::ui {

RegionInspector::RegionInspector(ProjectSession* session, InferenceService* inference, AnnotateController* annotate,
                                 RegionPanel* panel, ImageView* view, QObject* parent)
    : QObject(parent), session_(session), inference_(inference), annotate_(annotate), panel_(panel), view_(view) {
    connect(panel_, &RegionPanel::compareModeChanged, this, &RegionInspector::refresh);
    connect(panel_, &RegionPanel::codeSearchRequested, this, &RegionInspector::searchNearbyCodes);
    connect(inference_, &InferenceService::regionDecoded, this, &RegionInspector::showDecoded);
    connect(inference_, &InferenceService::regionCodesSearched, this, &RegionInspector::showCodeSearch);
}

void RegionInspector::refresh() {
    view_->setComparison({});
    const auto sel = annotate_->selected();
    if (!sel || !session_->isOpen()) {
        panel_->showTokens({}, {});
        return;
    }
    const auto tok = session_->activeTokens(*sel);
    if (!tok) {
        panel_->showTokens({}, inference_->hasModel()
                                   ? tr("No tokens of the loaded model yet: they follow in the background after an "
                                        "edit, or use Model ▸ Tokenize Project.")
                                   : tr("No model is loaded."));
        return;
    }
    const ModelSummary& model = *session_->activeModel();
    panel_->showTokens(
        QString::fromStdString(formatMaskTokens(*tok, model.codebookSize)),
        tr("c0 %1 · c1 %2 · %3 (%4…)%5")
            .arg(tok->c0)
            .arg(tok->c1)
            .arg(model.name, model.sha256.left(8),
                 tok->reconstructionIou ? tr(" · stored IoU %1").arg(*tok->reconstructionIou, 0, 'f', 3) : QString()));
    if (panel_->compareMode() < 0) {
        panel_->showReconstruction({});
        return;
    }
    const auto rec = session_->image(annotate_->image());
    if (!rec) return;
    panel_->showReconstruction(tr("Decoding the two tokens…"));
    inference_->decodeRegion(annotate_->image(), rec->file, rec->checksum, *sel, *tok);
}

void RegionInspector::showDecoded(const RegionDecode& r) {
    if (r.imageId != annotate_->image() || annotate_->selected() != r.annotationId) return;  // stale
    if (!r.error.isEmpty() || r.candidates.empty()) {
        panel_->showReconstruction(tr("Cannot decode: %1").arg(r.error.isEmpty() ? tr("no mask came back") : r.error));
        return;
    }
    const auto a = session_->annotation(r.annotationId);
    if (!a) return;
    const Mask drawn = rle::decode(a->mask);
    // The decoder made several candidates and returned the one its IoU head ranked first: a bad
    // reconstruction with a good candidate beside it is a bad choice, not bad tokens.
    QStringList candidates;
    double returnedIou = 0;
    for (std::size_t k = 0; k < r.candidates.size(); ++k) {
        const double iou = maskIou(drawn, r.candidates[k]);
        const bool returned = static_cast<int>(k) == r.returned;
        if (returned) returnedIou = iou;
        candidates << tr("%1 (predicted %2%3)")
                          .arg(iou, 0, 'f', 3)
                          .arg(r.predictedIous[k], 0, 'f', 2)
                          .arg(returned ? tr(", returned") : QString());
    }
    const Mask& rebuilt = r.mask();
    panel_->showReconstruction(tr("Rebuilt from its two tokens: IoU %1 · boundary IoU %2 · predicted IoU %3\n"
                                  "The decoder's candidates: IoU %4")
                                   .arg(returnedIou, 0, 'f', 3)
                                   .arg(boundaryIou(drawn, rebuilt), 0, 'f', 3)
                                   .arg(r.predictedIous[static_cast<std::size_t>(r.returned)], 0, 'f', 2)
                                   .arg(candidates.join(QStringLiteral(" · "))));
    const int mode = panel_->compareMode();
    if (mode >= 0) view_->setComparison(renderComparison(drawn, rebuilt, mode));
}

void RegionInspector::searchNearbyCodes() {
    const auto sel = annotate_->selected();
    if (!sel || !session_->isOpen()) return;
    const auto a = session_->annotation(*sel);
    const auto rec = session_->image(annotate_->image());
    const auto tok = session_->activeTokens(*sel);
    if (!a || !rec || !tok) {
        panel_->showCodeSearch(tr("This region has no tokens of the loaded model yet."));
        return;
    }
    codeSearchDrawn_ = rle::decode(a->mask);
    panel_->showCodeSearch(
        tr("Decoding the %1 x %1 code pairs nearest to its latent…").arg(RegionPanel::kCodeSearchWidth),
        /*searching=*/true);
    inference_->searchRegionCodes(++codeSearchRequest_, annotate_->image(), rec->file, rec->checksum, *sel,
                                  codeSearchDrawn_, *tok, RegionPanel::kCodeSearchWidth);
}

void RegionInspector::showCodeSearch(const RegionCodeSearch& r) {
    // Only the newest request, while its region is still shown.
    if (r.id != codeSearchRequest_ || r.imageId != annotate_->image() || annotate_->selected() != r.annotationId)
        return;
    if (!r.error.isEmpty()) {
        panel_->showCodeSearch(tr("Cannot search: %1").arg(r.error));
        return;
    }
    const auto a = session_->annotation(r.annotationId);
    const auto tok = session_->activeTokens(r.annotationId);
    if (!a || !tok || !(rle::decode(a->mask) == codeSearchDrawn_)) {
        panel_->showCodeSearch(tr("The region changed during the search: search again."));
        return;
    }
    if (static_cast<const TokenPair&>(*tok) == r.best) {
        panel_->showCodeSearch(tr("Of the %1 x %1 pairs nearest to its latent, its own tokens rebuild it best "
                                  "(IoU %2).")
                                   .arg(r.width)
                                   .arg(r.iou, 0, 'f', 3));
        return;
    }
    const int codebookSize = session_->activeCodebookSize();
    panel_->showCodeSearch(
        tr("Best of the %1 x %1 pairs nearest to its latent: %2 (c0 %3 · c1 %4) rebuilds it at IoU %5, its tokens at "
           "%6. The stored tokens stay the quantizer's, as the official SAMTok writes them.")
            .arg(r.width)
            .arg(QString::fromStdString(formatMaskTokens(r.best, codebookSize)))
            .arg(r.best.c0)
            .arg(r.best.c1)
            .arg(r.iou, 0, 'f', 3)
            .arg(r.storedIou, 0, 'f', 3));
}

}  // namespace samtok::ui
