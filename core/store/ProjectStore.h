#pragma once
// One SQLite file per project. The GUI and the CLI both work through this class.
//
// Every public mutating call is one transaction of its own, unless the caller
// groups several in transaction(), which then is the one transaction of a
// user action. Opening refuses (without writing to the file) anything that is
// not a healthy project this program can read.
#include "store/Records.h"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace samtok {

namespace sql {
class Database;
}

struct NewImage {
    std::string path;  // absolute or relative to the current directory
    int width = 0;
    int height = 0;
    std::string checksum;
};

// An annotation whose stored mask no longer decodes (the file was damaged on disk).
struct DamagedAnnotation {
    RowId id = 0;
    RowId imageId = 0;
    std::string reason;  // "annotation 2 has a damaged mask: ..."
};

struct ImageFilter {
    std::optional<ImageStatus> status;
    std::string nameContains;  // case-insensitive substring of the path
};

class ProjectStore {
public:
    // Creates a new project file; refuses an existing path.
    static ProjectStore create(const std::string& path, const std::string& name);
    // Opens an existing project, migrating an older schema forward.
    static ProjectStore open(const std::string& path);
    // Opens a project only to read it, from many machines at once (a cluster's shards over NFS): SQLite's
    // immutable mode takes no locks and no shared memory. The project must not change meanwhile, and must hold
    // no changes still in its -wal file (a UserError says how to fold them in). Every write throws.
    static ProjectStore openReadOnly(const std::string& path);

    ProjectStore(ProjectStore&&) noexcept;
    ProjectStore& operator=(ProjectStore&&) noexcept;
    ~ProjectStore();

    const std::string& path() const { return path_; }
    std::string directory() const;
    int schemaVersion() const;

    // Runs fn inside one transaction: all of it is saved, or none.
    void transaction(const std::function<void()>& fn);

    // Project metadata.
    std::string name() const;
    void setMeta(const std::string& key, const std::string& value);
    std::optional<std::string> meta(const std::string& key) const;

    // Images.
    std::optional<RowId> findImageByChecksum(const std::string& checksum) const;
    RowId addImage(const NewImage& image);
    std::vector<ImageRecord> images(const ImageFilter& filter = {}) const;
    std::optional<ImageRecord> image(RowId id) const;
    std::int64_t imageCount() const;
    std::map<ImageStatus, std::int64_t> imageCountsByStatus() const;  // every status, zeros included
    void setImageStatus(RowId id, ImageStatus status);
    std::vector<RowId> imagesWithClass(RowId classId) const;       // images with at least one region of the class
    std::string resolveImagePath(const ImageRecord& image) const;  // absolute path on disk

    // Label classes.
    RowId addClass(const std::string& name, const std::string& color);
    std::vector<LabelClass> classes() const;

    // Annotations.
    RowId addAnnotation(const Annotation& a);
    void updateAnnotation(const Annotation& a);
    void removeAnnotation(RowId id);
    // Puts back an annotation that was removed, with its id and times (undo).
    void restoreAnnotation(const Annotation& a);
    void setReferringExpressions(RowId annotationId, const std::vector<std::string>& texts);  // replaces them
    void clearTokens(RowId annotationId);
    std::optional<Annotation> annotation(RowId id) const;
    // Throws FormatError naming the first damaged annotation: exports and tokens must not skip one silently.
    std::vector<Annotation> annotationsForImage(RowId imageId) const;
    // The same, leaving damaged annotations out and listing them in `damaged`: for display, where the
    // others must still show.
    std::vector<Annotation> readableAnnotationsForImage(RowId imageId, std::vector<DamagedAnnotation>& damaged) const;
    std::vector<DamagedAnnotation> damagedAnnotations() const;  // in the whole project
    std::int64_t annotationCount() const;

    // Referring expressions: many per annotation.
    RowId addReferringExpression(RowId annotationId, const std::string& text);
    std::vector<std::string> referringExpressions(RowId annotationId) const;

    // Text for MLLM tasks beyond one expression per region (store/RegionText.cpp).
    // Each checks that the regions it names belong to the image.
    RowId addImageExpression(RowId imageId, const std::string& text, const std::vector<RowId>& targets);
    std::vector<ImageExpression> imageExpressions(RowId imageId) const;
    void setGroundedCaption(const GroundedCaption& caption);  // replaces the image's caption
    std::optional<GroundedCaption> groundedCaption(RowId imageId) const;
    RowId addRegionQuestion(RowId annotationId, const std::string& question, const std::string& answer);
    std::vector<RegionQuestion> regionQuestions(RowId annotationId) const;

    // The undo history (store/EditLog.cpp). appendEdit drops the undone tail
    // (a new edit ends the redo branch) and keeps the newest maxKept entries.
    std::int64_t appendEdit(const std::string& label, std::optional<RowId> imageId, const std::string& payload,
                            std::size_t maxKept = 1000);
    void setEditUndone(std::int64_t seq, bool undone);
    void setEditPayload(std::int64_t seq, const std::string& payload);
    std::vector<EditRecord> edits() const;  // oldest first

    // Tokenizers and the tokens they gave. registerTokenizer returns the
    // existing row when the checkpoint checksum is already known.
    RowId registerTokenizer(const TokenizerModel& model);
    std::vector<TokenizerModel> tokenizers() const;
    void setTokens(const MaskTokens& tokens);
    std::vector<MaskTokens> tokensFor(RowId annotationId) const;
    std::vector<MaskTokens> tokensOf(RowId tokenizerId) const;  // every annotation's, in one query
    // Ids of the images with at least one annotation that has no tokens of this tokenizer.
    std::vector<RowId> imagesNeedingTokens(RowId tokenizerId) const;
    // Images with a region drawn by hand (not imported) that has no tokens of any tokenizer: the studio gives
    // such a region tokens right after the edit, so it was left without them by a studio killed meanwhile.
    std::vector<RowId> imagesWithUntokenizedDrawnRegions() const;
    std::int64_t annotationsNeedingTokens(RowId tokenizerId) const;
    std::vector<Annotation> annotationsNeedingTokens(RowId tokenizerId, RowId imageId) const;

    // Bulk path for imports: annotations are written in batched transactions
    // through one prepared statement. Returns the new ids in order.
    std::vector<RowId> addAnnotations(const std::vector<Annotation>& annotations, std::size_t batchSize = 20000);

    // "ok", or SQLite's list of problems.
    std::string integrityCheck() const;
    // Changes when another connection (another process, or another store on the file) commits.
    std::int64_t dataVersion() const;
    // The newest annotation id (0 when none), and the ids above one: what an import added.
    RowId lastAnnotationId() const;
    std::vector<RowId> annotationIdsAfter(RowId id) const;

    sql::Database& database() const { return *db_; }  // prepared statements are a cache, not project state

private:
    ProjectStore(std::string path, std::unique_ptr<sql::Database> db);
    RowId insertAnnotation(const Annotation& a, Millis now, bool keepId = false);

    std::string path_;
    std::unique_ptr<sql::Database> db_;
};

}  // namespace samtok
