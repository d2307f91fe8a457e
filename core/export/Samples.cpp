#include "export/Samples.h"

#include "export/ZoomCrop.h"
#include "mask/CocoRle.h"
#include "tokens/TokenText.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace samtok::exporter {
namespace {

// What a template choice is keyed by: the region's mask, not its row id, so the same data imported again (or read
// from shard files) gets the same questions.
std::string regionKey(const Annotation& a) {
    return std::to_string(stableHash(0, rle::toString(a.mask)));
}

}  // namespace

std::vector<const Annotation*> instanceOrder(const std::vector<Annotation>& regions) {
    std::vector<const Annotation*> out;
    for (const auto& a : regions) out.push_back(&a);
    // Twice the centre, to stay in integers.
    std::stable_sort(out.begin(), out.end(), [](const Annotation* a, const Annotation* b) {
        const int ax = 2 * a->bbox.x + a->bbox.width, bx = 2 * b->bbox.x + b->bbox.width;
        if (ax != bx) return ax < bx;
        return 2 * a->bbox.y + a->bbox.height < 2 * b->bbox.y + b->bbox.height;
    });
    return out;
}

// "Segment the {X}" with "the rider" or "a horse" should not read "the the rider".
std::string fillPhrase(const std::string& question, const std::string& phrase) {
    std::string lower;
    for (char c : phrase.substr(0, 4)) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const bool article = lower.rfind("the ", 0) == 0 || lower.rfind("a ", 0) == 0 || lower.rfind("an ", 0) == 0;
    std::string q = article ? replaceAll(replaceAll(question, "the {X}", "{X}"), "The {X}", "{X}") : question;
    return replaceAll(q, "{X}", phrase);
}

SampleBuilder::SampleBuilder(const ExportOptions& options, int codebookSize, std::map<RowId, std::string> classNames,
                             const std::unordered_map<RowId, MaskTokens>& tokens)
    : o_(options), codebookSize_(codebookSize), classNames_(std::move(classNames)), tokens_(tokens) {}

std::optional<std::string> SampleBuilder::tokens(RowId annotationId) {
    const auto it = tokens_.find(annotationId);
    if (it == tokens_.end()) {
        missing_.insert(annotationId);
        return std::nullopt;
    }
    const auto& iou = it->second.reconstructionIou;
    if (o_.minReconstructionIou > 0 && (!iou || *iou < o_.minReconstructionIou)) {
        poor_.insert(annotationId);
        return std::nullopt;
    }
    used_[annotationId] = iou;
    return formatMaskTokens(it->second, codebookSize_);
}

std::string SampleBuilder::maskAnswer(const std::vector<std::pair<std::string, std::string>>& items) const {
    // Python's json.dumps layout (", " and ": "), as the published SAMTok data reads.
    std::string s = "```json\n[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) s += ", ";
        s += "{\"mask_2d\": ";
        s += o_.quoteMaskTokens ? nlohmann::json(items[i].first).dump() : items[i].first;
        s += ", \"label\": " + nlohmann::json(items[i].second).dump() + "}";
    }
    return s + "]\n```";
}

Sample SampleBuilder::start(Task task, const ImageContent& c) const {
    Sample s;
    s.task = task;
    s.imageId = c.image.id;
    s.imageChecksum = c.image.checksum;
    s.images.push_back({c.path, c.image.width, c.image.height, false});
    return s;
}

void SampleBuilder::add(const ImageContent& c) {
    for (const auto& a : c.regions) seen_.insert(a.id);
    const auto ordered = instanceOrder(c.regions);
    for (Task t : o_.tasks) {
        switch (t) {
            case Task::RefSeg:
                addRefSeg(c, ordered);
                break;
            case Task::RefDet:
                addRefDet(c, ordered);
                break;
            case Task::Gres:
                addGres(c, ordered);
                break;
            case Task::Gcg:
                addGcg(c);
                break;
            case Task::RegionCaption:
                addRegionCaptions(c, ordered);
                break;
            case Task::RegionVqa:
                addRegionVqa(c, ordered);
                break;
        }
    }
}

// The phrases that name each region alone: its referring expressions, or its class name where it is the only region
// of its class (a class name refers to one region only then). RefSeg and RefDet name regions the same way.
std::map<RowId, std::vector<std::string>> SampleBuilder::namingPhrases(
    const ImageContent& c, const std::vector<const Annotation*>& ordered) const {
    std::map<RowId, int> perClass;
    for (const auto* a : ordered)
        if (a->classId) ++perClass[*a->classId];
    std::map<RowId, std::vector<std::string>> out;
    for (const auto* a : ordered) {
        std::vector<std::string>& phrases = out[a->id];
        if (auto it = c.text.find(a->id); it != c.text.end()) phrases = it->second.expressions;
        if (phrases.empty() && a->classId && perClass[*a->classId] == 1) phrases.push_back(classNames_.at(*a->classId));
    }
    return out;
}

void SampleBuilder::addRefSeg(const ImageContent& c, const std::vector<const Annotation*>& ordered) {
    const auto named = namingPhrases(c, ordered);
    for (const auto* a : ordered) {
        const std::vector<std::string>& phrases = named.at(a->id);
        if (phrases.empty()) continue;
        const auto t = tokens(a->id);
        if (!t) continue;
        for (std::size_t i = 0; i < phrases.size(); ++i) {
            Sample s = start(Task::RefSeg, c);
            const std::string key = "refseg/" + c.image.checksum + "/" + regionKey(*a) + "/" + std::to_string(i);
            s.turns.push_back(
                {true, "<image>\n" + fillPhrase(o_.templates.pick(Task::RefSeg, o_.seed, key), phrases[i])});
            s.turns.push_back({false, maskAnswer({{*t, phrases[i]}})});
            samples_.push_back(std::move(s));
        }
    }
}

void SampleBuilder::addRefDet(const ImageContent& c, const std::vector<const Annotation*>& ordered) {
    const auto named = namingPhrases(c, ordered);
    const ModelFamily family = familyOf(o_);
    for (const auto* a : ordered) {
        const std::vector<std::string>& phrases = named.at(a->id);
        const auto b = familyBox(family, a->bbox, c.image.width, c.image.height, o_.minPixels, o_.maxPixels);
        for (std::size_t i = 0; i < phrases.size(); ++i) {
            Sample s = start(Task::RefDet, c);
            if (family == ModelFamily::InternVL) {
                // InternVL's own grounding prompt and answer.
                const std::string ref = "<ref>" + phrases[i] + "</ref>";
                s.turns.push_back({true,
                                   "<image>\nPlease provide the bounding box coordinate of the region this sentence "
                                   "describes: " +
                                       ref});
                s.turns.push_back({false, ref + "<box>[[" + std::to_string(b[0]) + ", " + std::to_string(b[1]) + ", " +
                                              std::to_string(b[2]) + ", " + std::to_string(b[3]) + "]]</box>"});
            } else {
                const std::string key = "refdet/" + c.image.checksum + "/" + regionKey(*a) + "/" + std::to_string(i);
                s.turns.push_back(
                    {true, "<image>\n" + fillPhrase(o_.templates.pick(Task::RefDet, o_.seed, key), phrases[i])});
                const nlohmann::json answer =
                    nlohmann::json::array({{{"bbox_2d", {b[0], b[1], b[2], b[3]}}, {"label", phrases[i]}}});
                s.turns.push_back({false, "```json\n" + answer.dump() + "\n```"});
            }
            samples_.push_back(std::move(s));
            used_.emplace(a->id, std::nullopt);  // in a record, with no tokens needed
        }
    }
}

void SampleBuilder::addGres(const ImageContent& c, const std::vector<const Annotation*>& ordered) {
    std::map<RowId, std::size_t> rank;
    for (std::size_t i = 0; i < ordered.size(); ++i) rank[ordered[i]->id] = i;
    auto emit = [&](const std::string& phrase, std::vector<RowId> targets, const std::string& key) {
        std::sort(targets.begin(), targets.end(), [&](RowId a, RowId b) { return rank.at(a) < rank.at(b); });
        std::vector<std::pair<std::string, std::string>> items;
        for (RowId id : targets) {
            const auto t = tokens(id);
            if (!t) return;
            items.push_back({*t, targets.size() > 1 ? "one of the " + phrase : phrase});
        }
        Sample s = start(Task::Gres, c);
        s.turns.push_back({true, "<image>\n" + fillPhrase(o_.templates.pick(Task::Gres, o_.seed, key), phrase)});
        s.turns.push_back({false, items.empty() ? std::string("No target.") : maskAnswer(items)});
        samples_.push_back(std::move(s));
    };
    for (const auto& e : c.expressions) {
        std::vector<RowId> targets;
        bool dropped = false;
        for (RowId id : e.targets) (rank.count(id) ? targets.push_back(id) : void(dropped = true));
        if (dropped) {  // a rejected target: the answer would be wrong either way
            notes_.push_back("GRES expression " + std::to_string(e.id) + " left out: one of its regions is rejected");
            continue;
        }
        emit(e.text, targets, "gres/" + c.image.checksum + "/e" + std::to_string(e.id));
    }
    // Classes with several instances: "segment the cups" answers every cup.
    std::map<RowId, std::vector<RowId>> byClass;
    for (const auto* a : ordered)
        if (a->classId) byClass[*a->classId].push_back(a->id);
    for (const auto& [cls, ids] : byClass)
        if (ids.size() > 1) emit(classNames_.at(cls), ids, "gres/" + c.image.checksum + "/c/" + classNames_.at(cls));
    // No target: classes known to be absent, only where the image is labelled exhaustively.
    const bool exhaustive =
        o_.assumeExhaustive || c.image.status == ImageStatus::Done || c.image.status == ImageStatus::Reviewed;
    if (!exhaustive || o_.noTargetPerImage <= 0) return;
    std::vector<std::pair<std::uint64_t, RowId>> absent;
    for (const auto& [cls, name] : classNames_)
        if (!byClass.count(cls))
            absent.push_back({stableHash(o_.seed, "notarget/" + c.image.checksum + "/" + name), cls});
    std::sort(absent.begin(), absent.end());
    for (std::size_t i = 0; i < absent.size() && i < static_cast<std::size_t>(o_.noTargetPerImage); ++i)
        emit(classNames_.at(absent[i].second), {},
             "gres/" + c.image.checksum + "/n" + std::to_string(absent[i].second));
}

void SampleBuilder::addGcg(const ImageContent& c) {
    if (!c.caption || c.caption->phrases.empty()) return;
    std::set<RowId> present;
    for (const auto& a : c.regions) present.insert(a.id);
    // Phrases sharing a span are one phrase with several masks.
    std::vector<std::pair<CaptionPhrase, std::vector<RowId>>> spans;
    for (const auto& p : c.caption->phrases) {
        if (!present.count(p.annotationId)) {
            notes_.push_back("grounded caption of image " + std::to_string(c.image.id) + " left out: region " +
                             std::to_string(p.annotationId) + " is rejected");
            return;
        }
        if (!spans.empty() && spans.back().first.begin == p.begin && spans.back().first.end == p.end)
            spans.back().second.push_back(p.annotationId);
        else if (!spans.empty() && p.begin < spans.back().first.end) {
            notes_.push_back("grounded caption of image " + std::to_string(c.image.id) +
                             " left out: its phrases overlap");
            return;
        } else
            spans.push_back({p, {p.annotationId}});
    }
    const std::string& text = c.caption->text;
    std::string answer;
    std::size_t at = 0;
    for (const auto& [p, ids] : spans) {
        answer += text.substr(at, p.begin - at) + markPhrase(familyOf(o_), text.substr(p.begin, p.end - p.begin));
        for (RowId id : ids) {
            const auto t = tokens(id);
            if (!t) return;
            answer += *t;
        }
        at = p.end;
    }
    answer += text.substr(at);
    Sample s = start(Task::Gcg, c);
    s.turns.push_back({true, "<image>\n" + o_.templates.pick(Task::Gcg, o_.seed, "gcg/" + c.image.checksum)});
    s.turns.push_back({false, answer});
    samples_.push_back(std::move(s));
}

void SampleBuilder::addRegionCaptions(const ImageContent& c, const std::vector<const Annotation*>& ordered) {
    for (const auto* a : ordered) {
        if (a->caption.empty()) continue;
        const auto t = tokens(a->id);
        if (!t) continue;
        Sample s = start(Task::RegionCaption, c);
        std::string q = replaceAll(
            o_.templates.pick(Task::RegionCaption, o_.seed, "regioncap/" + c.image.checksum + "/" + regionKey(*a)),
            "{SEG}", *t);
        if (needsZoomCrop(a->bbox, c.image.width, c.image.height)) {
            q += o_.templates.zoomSuffix;  // its <image> is the crop, its {ZOOM_IN_SEG} the crop's tokens
            crops_.push_back({samples_.size(), c.image.id, a->id});
        }
        s.turns.push_back({true, "<image>\n" + q});
        s.turns.push_back({false, a->caption});
        samples_.push_back(std::move(s));
    }
}

void SampleBuilder::addRegionVqa(const ImageContent& c, const std::vector<const Annotation*>& ordered) {
    for (const auto* a : ordered) {
        const auto it = c.text.find(a->id);
        if (it == c.text.end() || it->second.questions.empty()) continue;
        const auto t = tokens(a->id);
        if (!t) continue;
        Sample s = start(Task::RegionVqa, c);
        for (std::size_t i = 0; i < it->second.questions.size(); ++i) {
            const auto& qa = it->second.questions[i];
            std::string q = qa.question;
            if (q.find("<region>") != std::string::npos)
                q = replaceAll(q, "<region>", *t);
            else if (i == 0)
                q = "Regarding the region " + *t + ": " + q;
            s.turns.push_back({true, (i == 0 ? "<image>\n" : "") + q});
            s.turns.push_back({false, qa.answer});
        }
        samples_.push_back(std::move(s));
    }
}

}  // namespace samtok::exporter
