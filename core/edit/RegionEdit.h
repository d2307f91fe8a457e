#pragma once
// An edit of a project's regions as data: each touched region as it was before
// (none: the edit creates it) and after (none: the edit deletes it). Applying
// an edit forward or backward is one transaction, together with its entry in
// the project's undo history, so an edit and its undo record are saved or lost
// together and the history survives a restart. The studio wraps these in
// QUndoCommands; nothing here knows Qt.
#include "store/ProjectStore.h"

#include <optional>
#include <string>
#include <vector>

namespace samtok::edit {

// A region with what hangs off it, enough to put it back exactly.
struct RegionState {
    Annotation annotation;
    std::vector<std::string> expressions;
    std::vector<MaskTokens> tokens;
};

struct RegionChange {
    std::optional<RegionState> before;
    std::optional<RegionState> after;
};

struct RegionEdit {
    std::string label;
    std::optional<RowId> imageId;
    std::vector<RegionChange> changes;
};

RegionState captureRegion(const ProjectStore& store, RowId annotationId);  // throws UserError if absent

// Applies a new edit (changes whose `after` has id 0 are created and get their
// ids filled in) and appends it to the history. Returns its history entry.
std::int64_t commitEdit(ProjectStore& store, RegionEdit& edit);
// Undo / redo of a recorded edit. The side being left is captured again first,
// so whatever happened to its regions since (tokens that arrived, say) comes
// back with them.
void undoEdit(ProjectStore& store, std::int64_t seq, RegionEdit& edit);
void redoEdit(ProjectStore& store, std::int64_t seq, RegionEdit& edit);

std::string toJson(const RegionEdit& edit);
RegionEdit editFromJson(const std::string& json);  // throws FormatError naming the problem

// Convenience builders.
RegionEdit createRegion(const std::string& label, const Annotation& a);
RegionEdit deleteRegion(const ProjectStore& store, const std::string& label, RowId annotationId);
// The region after `change`: tokens are dropped when the mask changes.
RegionEdit updateRegion(const ProjectStore& store, const std::string& label, const Annotation& changed);
// The region's caption, referring expressions and review state (the mask and its tokens stay).
RegionEdit describeRegion(const ProjectStore& store, const std::string& label, RowId annotationId,
                          const std::string& caption, const std::vector<std::string>& expressions, ReviewState review);

}  // namespace samtok::edit
