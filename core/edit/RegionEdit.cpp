#include "edit/RegionEdit.h"

#include "util/Error.h"

#include <nlohmann/json.hpp>

namespace samtok::edit {

using nlohmann::json;

RegionState captureRegion(const ProjectStore& store, RowId id) {
    auto a = store.annotation(id);
    if (!a) throw UserError("region " + std::to_string(id) + " does not exist");
    return {*a, store.referringExpressions(id), store.tokensFor(id)};
}

namespace {

void put(ProjectStore& store, const RegionState& s, bool exists) {
    if (exists)
        store.updateAnnotation(s.annotation);
    else
        store.restoreAnnotation(s.annotation);
    store.setReferringExpressions(s.annotation.id, s.expressions);
    store.clearTokens(s.annotation.id);
    for (const auto& t : s.tokens) store.setTokens(t);
}

// Moves the regions from one side of each change to the other.
void move(ProjectStore& store, std::vector<RegionChange>& changes, bool forward) {
    for (auto& c : changes) {
        auto& from = forward ? c.before : c.after;
        auto& to = forward ? c.after : c.before;
        if (from) from = captureRegion(store, from->annotation.id);  // as it is now
        if (from && !to) store.removeAnnotation(from->annotation.id);
        if (to) put(store, *to, from.has_value());
    }
}

json stateJson(const RegionState& s) {
    const Annotation& a = s.annotation;
    json tokens = json::array();
    for (const auto& t : s.tokens)
        tokens.push_back({{"tokenizer", t.tokenizerId},
                          {"c0", t.c0},
                          {"c1", t.c1},
                          {"iou", t.reconstructionIou ? json(*t.reconstructionIou) : json()},
                          {"at", t.createdAt}});
    return {{"id", a.id},
            {"image", a.imageId},
            {"class", a.classId ? json(*a.classId) : json()},
            {"h", a.mask.height},
            {"w", a.mask.width},
            {"rle", rle::toString(a.mask)},
            {"source", toString(a.source)},
            {"caption", a.caption},
            {"review", toString(a.review)},
            {"created", a.createdAt},
            {"updated", a.updatedAt},
            {"expressions", s.expressions},
            {"tokens", tokens},
            {"polygon", a.polygon}};
}

RegionState stateFromJson(const json& j) {
    RegionState s;
    Annotation& a = s.annotation;
    a.id = j.at("id");
    a.imageId = j.at("image");
    if (!j.at("class").is_null()) a.classId = j["class"].get<RowId>();
    a.mask = rle::fromString(j.at("rle").get<std::string>(), j.at("h"), j.at("w"));
    a.source = annotationSourceFromString(j.at("source"));
    a.caption = j.at("caption");
    a.review = reviewStateFromString(j.at("review"));
    a.createdAt = j.at("created");
    a.updatedAt = j.at("updated");
    if (j.contains("polygon")) a.polygon = j["polygon"].get<std::vector<std::array<double, 2>>>();  // since v4
    s.expressions = j.at("expressions").get<std::vector<std::string>>();
    for (const auto& t : j.at("tokens")) {
        MaskTokens m(a.id, t.at("tokenizer"), {t.at("c0"), t.at("c1")}, std::nullopt, t.at("at"));
        if (!t.at("iou").is_null()) m.reconstructionIou = t["iou"].get<double>();
        s.tokens.push_back(m);
    }
    return s;
}

}  // namespace

std::int64_t commitEdit(ProjectStore& store, RegionEdit& edit) {
    std::int64_t seq = 0;
    store.transaction([&] {
        for (auto& c : edit.changes) {
            if (c.after && c.after->annotation.id == 0) {  // a new region, possibly with its text
                c.after->annotation.id = store.addAnnotation(c.after->annotation);
                if (!c.after->expressions.empty())
                    store.setReferringExpressions(c.after->annotation.id, c.after->expressions);
                c.after = captureRegion(store, c.after->annotation.id);
                continue;
            }
            if (c.before && !c.after) store.removeAnnotation(c.before->annotation.id);
            if (c.after) {
                put(store, *c.after, c.before.has_value());
                c.after = captureRegion(store, c.after->annotation.id);
            }
        }
        seq = store.appendEdit(edit.label, edit.imageId, toJson(edit));
    });
    return seq;
}

void undoEdit(ProjectStore& store, std::int64_t seq, RegionEdit& edit) {
    store.transaction([&] {
        // Backward, in reverse order, so that a later change's region is put back after an earlier one's.
        std::vector<RegionChange> reversed(edit.changes.rbegin(), edit.changes.rend());
        move(store, reversed, false);
        edit.changes.assign(reversed.rbegin(), reversed.rend());
        store.setEditPayload(seq, toJson(edit));
        store.setEditUndone(seq, true);
    });
}

void redoEdit(ProjectStore& store, std::int64_t seq, RegionEdit& edit) {
    store.transaction([&] {
        move(store, edit.changes, true);
        store.setEditPayload(seq, toJson(edit));
        store.setEditUndone(seq, false);
    });
}

std::string toJson(const RegionEdit& e) {
    json changes = json::array();
    for (const auto& c : e.changes)
        changes.push_back(
            {{"before", c.before ? stateJson(*c.before) : json()}, {"after", c.after ? stateJson(*c.after) : json()}});
    return json{{"label", e.label}, {"image", e.imageId ? json(*e.imageId) : json()}, {"changes", changes}}.dump();
}

RegionEdit editFromJson(const std::string& text) {
    try {
        const json j = json::parse(text);
        RegionEdit e;
        e.label = j.at("label");
        if (!j.at("image").is_null()) e.imageId = j["image"].get<RowId>();
        for (const auto& c : j.at("changes")) {
            RegionChange rc;
            if (!c.at("before").is_null()) rc.before = stateFromJson(c["before"]);
            if (!c.at("after").is_null()) rc.after = stateFromJson(c["after"]);
            e.changes.push_back(std::move(rc));
        }
        return e;
    } catch (const json::exception& ex) {
        throw FormatError(std::string("an undo history entry is damaged: ") + ex.what());
    }
}

RegionEdit createRegion(const std::string& label, const Annotation& a) {
    RegionEdit e{label, a.imageId, {}};
    RegionState s;
    s.annotation = a;
    s.annotation.id = 0;
    e.changes.push_back({std::nullopt, s});
    return e;
}

RegionEdit deleteRegion(const ProjectStore& store, const std::string& label, RowId id) {
    RegionState s = captureRegion(store, id);
    RegionEdit e{label, s.annotation.imageId, {}};
    e.changes.push_back({s, std::nullopt});
    return e;
}

RegionEdit updateRegion(const ProjectStore& store, const std::string& label, const Annotation& changed) {
    RegionState before = captureRegion(store, changed.id);
    RegionState after = before;
    after.annotation = changed;
    if (!(changed.mask == before.annotation.mask)) after.tokens.clear();  // tokens of the old mask no longer hold
    return {label, changed.imageId, {{before, after}}};
}

RegionEdit describeRegion(const ProjectStore& store, const std::string& label, RowId id, const std::string& caption,
                          const std::vector<std::string>& expressions, ReviewState review) {
    RegionState before = captureRegion(store, id);
    RegionState after = before;
    after.annotation.caption = caption;
    after.annotation.review = review;
    after.expressions = expressions;
    return {label, before.annotation.imageId, {{before, after}}};
}

}  // namespace samtok::edit
