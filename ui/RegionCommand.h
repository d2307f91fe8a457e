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

    // Where the store stands when the command is made: a new edit (the first redo() applies it), or an edit
    // of the history already applied, or already undone (the stack's first move(s) only catch up with it).
    enum class InStore { No, Applied, Undone };

    // A new edit: the first redo() applies it.
    RegionCommand(ProjectStore* store, edit::RegionEdit edit, Changed changed, Failed failed);
    // An edit of the persistent history (seq), as the store has it now.
    RegionCommand(ProjectStore* store, std::int64_t seq, edit::RegionEdit edit, InStore state, Changed changed,
                  Failed failed);

    void redo() override;
    void undo() override;

    const edit::RegionEdit& edit() const { return edit_; }

private:
    ProjectStore* store_;
    edit::RegionEdit edit_;
    std::int64_t seq_ = 0;
    bool skipRedo_ = false, skipUndo_ = false;  // the store is already there: the stack only moves its index
    Changed changed_;
    Failed failed_;
};

}  // namespace samtok::ui
