#include "RegionCommand.h"

#include <exception>
#include <utility>

namespace samtok::ui {

RegionCommand::RegionCommand(ProjectStore* store, edit::RegionEdit edit, Changed changed, Failed failed)
    : store_(store), edit_(std::move(edit)), changed_(std::move(changed)), failed_(std::move(failed)) {
    setText(QString::fromStdString(edit_.label));
}

RegionCommand::RegionCommand(ProjectStore* store, std::int64_t seq, edit::RegionEdit edit, InStore state,
                             Changed changed, Failed failed)
    : RegionCommand(store, std::move(edit), std::move(changed), std::move(failed)) {
    seq_ = seq;
    skipRedo_ = state != InStore::No;      // QUndoStack::push() redoes what the store already did
    skipUndo_ = state == InStore::Undone;  // and the history's setIndex() undoes what it already undid
}

void RegionCommand::redo() {
    if (std::exchange(skipRedo_, false)) return;
    try {
        if (seq_ == 0)
            seq_ = edit::commitEdit(*store_, edit_);
        else
            edit::redoEdit(*store_, seq_, edit_);
    } catch (const std::exception& e) {
        // Nothing was saved (one transaction); the stack forgets the step.
        setObsolete(true);
        if (failed_) failed_(QString::fromStdString(e.what()));
        return;
    }
    if (changed_) changed_(edit_.imageId.value_or(0));
}

void RegionCommand::undo() {
    if (std::exchange(skipUndo_, false)) return;
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
