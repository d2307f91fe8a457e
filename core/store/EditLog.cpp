// The persistent undo history of a project.
#include "store/ProjectStore.h"
#include "store/Sqlite.h"

namespace samtok {

std::int64_t ProjectStore::appendEdit(const std::string& label, std::optional<RowId> imageId,
                                      const std::string& payload, std::size_t maxKept) {
    std::int64_t seq = 0;
    transaction([&] {
        db_->exec("DELETE FROM edit_log WHERE undone = 1");
        db_->prepare("INSERT INTO edit_log(label, image_id, payload, created_at) VALUES (?1, ?2, ?3, ?4)")
            .bind(1, label)
            .bind(2, imageId)
            .bind(3, payload)
            .bind(4, nowMillis())
            .run();
        seq = db_->lastInsertId();
        db_->prepare("DELETE FROM edit_log WHERE seq <= ?1").bind(1, seq - static_cast<std::int64_t>(maxKept)).run();
    });
    return seq;
}

void ProjectStore::setEditUndone(std::int64_t seq, bool undone) {
    db_->prepare("UPDATE edit_log SET undone = ?2 WHERE seq = ?1").bind(1, seq).bind(2, undone ? 1 : 0).run();
}

void ProjectStore::setEditPayload(std::int64_t seq, const std::string& payload) {
    db_->prepare("UPDATE edit_log SET payload = ?2 WHERE seq = ?1").bind(1, seq).bind(2, payload).run();
}

std::vector<EditRecord> ProjectStore::edits() const {
    auto& s = db_->prepare("SELECT seq, label, image_id, payload, undone FROM edit_log ORDER BY seq");
    std::vector<EditRecord> out;
    while (s.step()) {
        EditRecord r{s.int64(0), s.text(1), std::nullopt, s.text(3), s.int64(4) != 0};
        if (!s.isNull(2)) r.imageId = s.int64(2);
        out.push_back(std::move(r));
    }
    s.reset();
    return out;
}

}  // namespace samtok
