#pragma once
// A region edit on Qt's undo stack. redo() and undo() each run one transaction
// that also records the step in the project's persistent history, so the
// stack rebuilt from that history after a restart undoes the same edits.
#include "edit/RegionEdit.h"

#include <QUndoCommand>

#include <functional>

namespace samtok::ui {

class RegionCommand : public QUndoCommand {
public:
    using Changed = std::function<void(RowId imageId)>;
    using Failed = std::function<void(const QString& message)>;

    // A new edit: the first redo() applies it.
    RegionCommand(ProjectStore* store, edit::RegionEdit edit, Changed changed, Failed failed);
    // An edit from the history, already applied (or already undone) in the store.
    RegionCommand(ProjectStore* store, std::int64_t seq, edit::RegionEdit edit, Changed changed, Failed failed);

    void redo() override;
    void undo() override;

    const edit::RegionEdit& edit() const { return edit_; }
    // While set, redo() and undo() only move the stack's index: the store is already there.
    static void setReplaying(bool on);

private:
    ProjectStore* store_;
    edit::RegionEdit edit_;
    std::int64_t seq_ = 0;
    Changed changed_;
    Failed failed_;
};

}  // namespace samtok::ui
