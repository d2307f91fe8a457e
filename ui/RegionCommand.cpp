#include "RegionCommand.h"

#include <exception>

namespace samtok::ui {

namespace {
bool replaying = false;
}

void RegionCommand::setReplaying(bool on) { replaying = on; }

RegionCommand::RegionCommand(ProjectStore* store, edit::RegionEdit edit, Changed changed, Failed failed)
    : store_(store), edit_(std::move(edit)), changed_(std::move(changed)), failed_(std::move(failed)) {
    setText(QString::fromStdString(edit_.label));
}

RegionCommand::RegionCommand(ProjectStore* store, std::int64_t seq, edit::RegionEdit edit, Changed changed, Failed failed)
    : RegionCommand(store, std::move(edit), std::move(changed), std::move(failed)) {
    seq_ = seq;
}

void RegionCommand::redo() {
    if (replaying) return;
    try {
        if (seq_ == 0) seq_ = edit::commitEdit(*store_, edit_);
        else edit::redoEdit(*store_, seq_, edit_);
    } catch (const std::exception& e) {
        // Nothing was saved (one transaction); the stack forgets the step.
        setObsolete(true);
        if (failed_) failed_(QString::fromStdString(e.what()));
        return;
    }
    if (changed_) changed_(edit_.imageId.value_or(0));
}

void RegionCommand::undo() {
    if (replaying) return;
    try {
        edit::undoEdit(*store_, seq_, edit_);
    } catch (const std::exception& e) {
        setObsolete(true);
        if (failed_) failed_(QString::fromStdString(e.what()));
        return;
    }
    if (changed_) changed_(edit_.imageId.value_or(0));
}

}  // namespace samtok::ui
