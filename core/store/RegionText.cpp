// The task text of a project: GRES expressions, grounded captions, region questions.
#include "store/ProjectStore.h"
#include "store/Sqlite.h"
#include "util/Error.h"

#include <algorithm>

namespace samtok {
namespace {

void requireOnImage(sql::Database& db, RowId imageId, RowId annotationId) {
    auto& s = db.prepare("SELECT image_id FROM annotations WHERE id = ?1");
    s.bind(1, annotationId);
    const bool found = s.step();
    const RowId owner = found ? s.int64(0) : 0;
    s.reset();
    if (!found) throw UserError("region " + std::to_string(annotationId) + " does not exist");
    if (owner != imageId)
        throw UserError("region " + std::to_string(annotationId) + " belongs to image " + std::to_string(owner) +
                        ", not to image " + std::to_string(imageId));
}

bool isUtf8Boundary(const std::string& text, std::size_t at) {
    return at == text.size() || (static_cast<unsigned char>(text[at]) & 0xC0) != 0x80;
}

}  // namespace

RowId ProjectStore::addImageExpression(RowId imageId, const std::string& text, const std::vector<RowId>& targets) {
    RowId id = 0;
    transaction([&] {
        for (RowId t : targets) requireOnImage(*db_, imageId, t);
        db_->prepare("INSERT INTO image_expressions(image_id, text, created_at) VALUES (?1, ?2, ?3)")
            .bind(1, imageId)
            .bind(2, text)
            .bind(3, nowMillis())
            .run();
        id = db_->lastInsertId();
        for (RowId t : targets)
            db_->prepare("INSERT OR IGNORE INTO image_expression_targets(expression_id, annotation_id) VALUES (?1, ?2)")
                .bind(1, id)
                .bind(2, t)
                .run();
    });
    return id;
}

std::vector<ImageExpression> ProjectStore::imageExpressions(RowId imageId) const {
    std::vector<ImageExpression> out;
    auto& s = db_->prepare("SELECT id, text FROM image_expressions WHERE image_id = ?1 ORDER BY id");
    s.bind(1, imageId);
    while (s.step()) out.push_back({s.int64(0), imageId, s.text(1), {}});
    s.reset();
    auto& t = db_->prepare(
        "SELECT annotation_id FROM image_expression_targets WHERE expression_id = ?1 ORDER BY annotation_id");
    for (auto& e : out) {
        t.bind(1, e.id);
        while (t.step()) e.targets.push_back(t.int64(0));
        t.reset();
    }
    return out;
}

void ProjectStore::setGroundedCaption(const GroundedCaption& c) {
    for (const auto& p : c.phrases)
        if (p.begin >= p.end || p.end > c.text.size() || !isUtf8Boundary(c.text, p.begin) ||
            !isUtf8Boundary(c.text, p.end))
            throw UserError("phrase [" + std::to_string(p.begin) + ", " + std::to_string(p.end) +
                            ") is not a span of the caption's " + std::to_string(c.text.size()) + " bytes");
    transaction([&] {
        for (const auto& p : c.phrases) requireOnImage(*db_, c.imageId, p.annotationId);
        db_->prepare("DELETE FROM grounded_captions WHERE image_id = ?1").bind(1, c.imageId).run();
        db_->prepare("INSERT INTO grounded_captions(image_id, text, updated_at) VALUES (?1, ?2, ?3)")
            .bind(1, c.imageId)
            .bind(2, c.text)
            .bind(3, nowMillis())
            .run();
        for (const auto& p : c.phrases)
            db_->prepare(
                   "INSERT OR IGNORE INTO caption_phrases(image_id, begin_byte, end_byte, annotation_id)"
                   " VALUES (?1, ?2, ?3, ?4)")
                .bind(1, c.imageId)
                .bind(2, static_cast<std::int64_t>(p.begin))
                .bind(3, static_cast<std::int64_t>(p.end))
                .bind(4, p.annotationId)
                .run();
    });
}

std::optional<GroundedCaption> ProjectStore::groundedCaption(RowId imageId) const {
    auto& s = db_->prepare("SELECT text FROM grounded_captions WHERE image_id = ?1");
    s.bind(1, imageId);
    if (!s.step()) {
        s.reset();
        return std::nullopt;
    }
    GroundedCaption c{imageId, s.text(0), {}};
    s.reset();
    auto& p = db_->prepare(
        "SELECT begin_byte, end_byte, annotation_id FROM caption_phrases WHERE image_id = ?1"
        " ORDER BY begin_byte, annotation_id");
    p.bind(1, imageId);
    while (p.step())
        c.phrases.push_back({static_cast<std::size_t>(p.int64(0)), static_cast<std::size_t>(p.int64(1)), p.int64(2)});
    p.reset();
    return c;
}

std::vector<RowId> ProjectStore::imagesWithClass(RowId classId) const {
    auto& s = db_->prepare("SELECT DISTINCT image_id FROM annotations WHERE class_id = ?1 ORDER BY image_id");
    s.bind(1, classId);
    std::vector<RowId> out;
    while (s.step()) out.push_back(s.int64(0));
    s.reset();
    return out;
}

RowId ProjectStore::addRegionQuestion(RowId annotationId, const std::string& question, const std::string& answer) {
    db_->prepare("INSERT INTO region_questions(annotation_id, question, answer, created_at) VALUES (?1, ?2, ?3, ?4)")
        .bind(1, annotationId)
        .bind(2, question)
        .bind(3, answer)
        .bind(4, nowMillis())
        .run();
    return db_->lastInsertId();
}

std::vector<RegionQuestion> ProjectStore::regionQuestions(RowId annotationId) const {
    std::vector<RegionQuestion> out;
    auto& s = db_->prepare("SELECT id, question, answer FROM region_questions WHERE annotation_id = ?1 ORDER BY id");
    s.bind(1, annotationId);
    while (s.step()) out.push_back({s.int64(0), annotationId, s.text(1), s.text(2)});
    s.reset();
    return out;
}

}  // namespace samtok
