#include "TestMasks.h"
#include "TestPaths.h"
#include "TestStore.h"
#include "mask/CocoRle.h"
#include "store/AddImages.h"
#include "store/ProjectStore.h"
#include "store/Schema.h"
#include "store/Sqlite.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <opencv2/imgcodecs.hpp>
#include <sqlite3.h>

#include <filesystem>
#include <fstream>

using namespace samtok;
namespace fs = std::filesystem;

namespace {

std::string fileBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), {}};
}

RowId addTestImage(ProjectStore& s, const std::string& name, int w = 8, int h = 6) {
    std::string checksum(64, '0');
    for (std::size_t i = 0; i < name.size() && i < 64; ++i) checksum[i] = "0123456789abcdef"[name[i] % 16];
    checksum[63] = "0123456789abcdef"[name.size() % 16];
    return s.addImage({"/data/" + name, w, h, checksum});
}

Annotation squareAnnotation(RowId image, int w = 8, int h = 6) {
    Annotation a;
    a.imageId = image;
    a.mask = rle::encode(test::rectMask(h, w, 2, 1, 5, 4));
    a.source = AnnotationSource::Polygon;
    a.caption = "a square";
    return a;
}

// Expects fn to throw an error whose message contains `fragment`.
template <typename F>
void expectErrorContaining(F&& fn, const std::string& fragment) {
    try {
        fn();
        ADD_FAILURE() << "no error; expected one containing '" << fragment << "'";
    } catch (const std::exception& e) {
        EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    }
}

}  // namespace

TEST(ProjectStore, CreatesSchemaWithWalForeignKeysAndVersion) {
    test::TempDir dir;
    ProjectStore s = ProjectStore::create(dir.file("p.samtok"), "My project");
    EXPECT_EQ(s.schemaVersion(), schema::currentVersion());
    EXPECT_EQ(s.name(), "My project");
    EXPECT_EQ(s.database().queryText("PRAGMA journal_mode"), "wal");
    EXPECT_EQ(s.database().queryInt("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(s.database().queryInt("PRAGMA synchronous"), 1);  // NORMAL
    EXPECT_EQ(s.database().queryInt("PRAGMA application_id"), schema::kApplicationId);
    EXPECT_GT(s.database().queryInt("PRAGMA busy_timeout"), 0);
    EXPECT_THROW(ProjectStore::create(dir.file("p.samtok"), "again"), UserError);
}

TEST(ProjectStore, StoresAndReadsBackEveryKindOfRow) {
    test::TempDir dir;
    {
        ProjectStore s = ProjectStore::create(dir.file("p.samtok"), "p");
        const RowId img = addTestImage(s, "a.jpg");
        const RowId cls = s.addClass("cup", "#ff8800");
        Annotation a = squareAnnotation(img);
        a.classId = cls;
        const RowId ann = s.addAnnotation(a);
        s.addReferringExpression(ann, "the small square");
        s.addReferringExpression(ann, "square on the left");
        const RowId tok = s.registerTokenizer({0, "samtok-micro", R"({"codebook_size":256})", std::string(64, 'a')});
        EXPECT_EQ(s.registerTokenizer({0, "same file again", "{}", std::string(64, 'a')}), tok);
        s.setTokens({ann, tok, {12, 200}, 0.93, 0});
        s.setImageStatus(img, ImageStatus::InProgress);
    }
    ProjectStore s = ProjectStore::open(dir.file("p.samtok"));
    const auto images = s.images();
    ASSERT_EQ(images.size(), 1u);
    EXPECT_EQ(images[0].status, ImageStatus::InProgress);
    const auto counts = s.imageCountsByStatus();
    EXPECT_EQ(counts.at(ImageStatus::InProgress), 1);
    EXPECT_EQ(counts.at(ImageStatus::Unlabelled), 0);
    EXPECT_EQ(counts.size(), 4u);
    const auto anns = s.annotationsForImage(images[0].id);
    ASSERT_EQ(anns.size(), 1u);
    EXPECT_EQ(anns[0].area, 9u);
    EXPECT_EQ(anns[0].bbox, (PixelBox{2, 1, 3, 3}));
    EXPECT_EQ(anns[0].source, AnnotationSource::Polygon);
    EXPECT_EQ(anns[0].caption, "a square");
    EXPECT_EQ(rle::decode(anns[0].mask), rle::decode(squareAnnotation(images[0].id).mask));
    EXPECT_EQ(s.referringExpressions(anns[0].id), (std::vector<std::string>{"the small square", "square on the left"}));
    const auto tokens = s.tokensFor(anns[0].id);
    ASSERT_EQ(tokens.size(), 1u);
    EXPECT_EQ(tokens[0].c0, 12);
    EXPECT_EQ(tokens[0].c1, 200);
    EXPECT_DOUBLE_EQ(*tokens[0].reconstructionIou, 0.93);
    EXPECT_EQ(s.tokenizers().at(0).name, "samtok-micro");
}

TEST(ProjectStore, ConstraintsRejectInconsistentRows) {
    test::TempDir dir;
    ProjectStore s = ProjectStore::create(dir.file("p.samtok"), "p");
    const RowId img = addTestImage(s, "a.jpg");
    expectErrorContaining([&] { s.addAnnotation(squareAnnotation(999)); }, "FOREIGN KEY");
    expectErrorContaining([&] { s.addAnnotation(squareAnnotation(img, 9, 6)); }, "mask size differs");
    expectErrorContaining([&] { s.addClass("", "#ffffff"); }, "CHECK");
    expectErrorContaining([&] { s.addClass("dog", "red"); }, "CHECK");
    s.addClass("Dog", "#123456");
    expectErrorContaining([&] { s.addClass("dog", "#654321"); }, "UNIQUE");  // names are case-insensitive
    const std::string sameChecksum = s.image(img)->checksum;
    expectErrorContaining([&] { s.addImage({"/data/other.jpg", 8, 6, sameChecksum}); }, "UNIQUE");
    const RowId ann = s.addAnnotation(squareAnnotation(img));
    // A token row must name a known tokenizer, and codes are not negative.
    expectErrorContaining([&] { s.setTokens({ann, 42, {1, 2}}); }, "FOREIGN KEY");
    const RowId tok = s.registerTokenizer({0, "t", "{}", std::string(64, 'b')});
    expectErrorContaining([&] { s.setTokens({ann, tok, {-1, 2}}); }, "CHECK");
    expectErrorContaining([&] { s.registerTokenizer({0, "t", "{not json", std::string(64, 'c')}); }, "CHECK");
    s.setTokens({ann, tok, {1, 2}});
    // A tokenizer with tokens cannot be dropped; removing the annotation drops its tokens.
    expectErrorContaining([&] { s.database().exec("DELETE FROM tokenizer_models"); }, "FOREIGN KEY");
    s.removeAnnotation(ann);
    EXPECT_TRUE(s.tokensFor(ann).empty());
    EXPECT_EQ(s.database().queryInt("SELECT count(*) FROM tokens"), 0);
}

TEST(ProjectStore, ATransactionIsAllOrNothing) {
    test::TempDir dir;
    ProjectStore s = ProjectStore::create(dir.file("p.samtok"), "p");
    const RowId img = addTestImage(s, "a.jpg");
    EXPECT_THROW(s.transaction([&] {
        s.addAnnotation(squareAnnotation(img));
        s.addAnnotation(squareAnnotation(img));
        s.addAnnotation(squareAnnotation(12345));  // fails: no such image
    }),
                 StoreError);
    EXPECT_EQ(s.annotationCount(), 0);
    s.transaction([&] { s.addAnnotation(squareAnnotation(img)); });
    EXPECT_EQ(s.annotationCount(), 1);
}

// A full disk (test::FullDisk) met in the middle of a transaction.
TEST(ProjectStore, AFullDiskFailsTheActionByNameAndKeepsWhatWasSaved) {
    test::TempDir dir;
    const std::string path = dir.file("p.samtok");
    {
        ProjectStore s = ProjectStore::create(path, "p");
        const RowId img = addTestImage(s, "a.jpg");
        s.transaction([&] { s.addAnnotation(squareAnnotation(img)); });
        Annotation big = squareAnnotation(img);
        big.caption = std::string(256 * 1024, 'x');  // more than the pages left free
        {
            test::FullDisk full(s.database());
            expectErrorContaining(
                [&] {
                    s.transaction([&] {
                        s.addAnnotation(squareAnnotation(img));
                        s.addAnnotation(big);
                    });
                },
                "the disk is full; nothing of this action was saved");
            EXPECT_EQ(s.annotationCount(), 1);
        }
        // Room again: the same store takes the next action.
        s.transaction([&] { s.addAnnotation(big); });
        EXPECT_EQ(s.annotationCount(), 2);
    }
    ProjectStore reopened = ProjectStore::open(path);
    EXPECT_EQ(reopened.annotationCount(), 2);
}

// A file damaged on disk (SQLite pages carry no checksums): one region whose
// stored mask no longer decodes must not hide the others, nor vanish unnamed.
TEST(ProjectStore, ADamagedMaskIsNamedAndTheOtherRegionsStillRead) {
    test::TempDir dir;
    RowId image = 0, damaged = 0, good = 0;
    {
        ProjectStore s = ProjectStore::create(dir.file("p.samtok"), "p");
        image = addTestImage(s, "a.png");
        good = s.addAnnotation(squareAnnotation(image));
        damaged = s.addAnnotation(squareAnnotation(image));
    }
    {
        sql::Database raw(dir.file("p.samtok"), SQLITE_OPEN_READWRITE);
        raw.exec("UPDATE annotations SET rle_counts = '!!' WHERE id = " + std::to_string(damaged));
    }
    ProjectStore s = ProjectStore::open(dir.file("p.samtok"));
    // Where a region must not be skipped silently (exports, tokens): an error that names it.
    expectErrorContaining([&] { s.annotationsForImage(image); },
                          "annotation " + std::to_string(damaged) + " has a damaged mask");
    expectErrorContaining([&] { s.annotation(damaged); }, "damaged mask");
    // For display: the others, and the damaged one listed.
    std::vector<DamagedAnnotation> listed;
    const auto readable = s.readableAnnotationsForImage(image, listed);
    ASSERT_EQ(readable.size(), 1u);
    EXPECT_EQ(readable[0].id, good);
    ASSERT_EQ(listed.size(), 1u);
    EXPECT_EQ(listed[0].id, damaged);
    EXPECT_EQ(listed[0].imageId, image);
    const auto all = s.damagedAnnotations();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].id, damaged);
    // A failed read leaves no statement mid-step (it would hold its read snapshot open).
    expectErrorContaining([&] { s.annotationsForImage(image); }, "damaged mask");
    for (sqlite3_stmt* st = sqlite3_next_stmt(s.database().handle(), nullptr); st;
         st = sqlite3_next_stmt(s.database().handle(), st))
        EXPECT_FALSE(sqlite3_stmt_busy(st)) << sqlite3_sql(st);
    EXPECT_TRUE(s.annotation(good).has_value());
    s.removeAnnotation(damaged);
    EXPECT_EQ(s.annotationsForImage(image).size(), 1u);
    EXPECT_TRUE(s.damagedAnnotations().empty());
}

TEST(ProjectStore, BulkInsertKeepsOrderAndIds) {
    test::TempDir dir;
    ProjectStore s = ProjectStore::create(dir.file("p.samtok"), "p");
    const RowId img = addTestImage(s, "a.jpg");
    std::vector<Annotation> many(2500, squareAnnotation(img));
    for (std::size_t i = 0; i < many.size(); ++i) many[i].caption = std::to_string(i);
    const auto ids = s.addAnnotations(many, 1000);
    ASSERT_EQ(ids.size(), many.size());
    EXPECT_EQ(s.annotationCount(), 2500);
    EXPECT_EQ(s.annotation(ids[1234])->caption, "1234");
}

TEST(ProjectStore, OpeningRefusesNonProjectsWithoutTouchingThem) {
    test::TempDir dir;
    auto refuse = [&](const std::string& path, const std::string& fragment) {
        const std::string before = fileBytes(path);
        const auto mtime = fs::last_write_time(path);
        expectErrorContaining([&] { ProjectStore::open(path); }, fragment);
        EXPECT_EQ(fileBytes(path), before) << path;
        EXPECT_EQ(fs::last_write_time(path), mtime) << path;
    };
    expectErrorContaining([&] { ProjectStore::open(dir.file("none.samtok")); }, "no such project");

    std::ofstream(dir.file("text.samtok")) << "name,value\nnot,sqlite\n";
    refuse(dir.file("text.samtok"), "not an SQLite database");
    std::ofstream(dir.file("empty.samtok")).close();
    refuse(dir.file("empty.samtok"), "empty file");

    // An SQLite file from another program.
    {
        sql::Database other(dir.file("other.db"), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        other.exec("CREATE TABLE t(x); INSERT INTO t VALUES (1)");
    }
    refuse(dir.file("other.db"), "not a SAMTok Studio project");

    // A project from a newer program.
    {
        ProjectStore s = ProjectStore::create(dir.file("newer.samtok"), "n");
        s.database().exec("PRAGMA user_version = " + std::to_string(schema::currentVersion() + 1));
        s.database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    refuse(dir.file("newer.samtok"), "newer SAMTok Studio");

    // A corrupt project: a real one with a page overwritten.
    {
        ProjectStore s = ProjectStore::create(dir.file("corrupt.samtok"), "c");
        const RowId img = addTestImage(s, "a.jpg");
        std::vector<Annotation> many(3000, squareAnnotation(img));
        s.addAnnotations(many);
        s.database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    }
    {
        std::fstream f(dir.file("corrupt.samtok"), std::ios::in | std::ios::out | std::ios::binary);
        f.seekp(4096 * 3);
        const std::string junk(4096, '\x5a');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    refuse(dir.file("corrupt.samtok"), "corrupt");
}

TEST(ProjectStore, AProjectWhoseTablesAreNotOursIsRefusedByTableAndColumn) {
    // Found by fuzzing: a file that passes SQLite's checks but whose schema text was changed (another program's
    // edit, or damage) failed on its first read with an SQL error instead of being refused when opened.
    test::TempDir dir;
    auto project = [&](const std::string& name, const std::string& edit) {
        {
            ProjectStore s = ProjectStore::create(dir.file(name), "p");
            s.addAnnotations({squareAnnotation(addTestImage(s, "a.jpg"))});
            s.database().exec(edit);
            s.database().exec("PRAGMA wal_checkpoint(TRUNCATE)");
        }
        return dir.file(name);
    };
    auto refused = [](auto&& open, const std::string& fragment) {  // a UserError naming it, nothing else
        try {
            open();
            ADD_FAILURE() << "opened; expected a refusal naming '" << fragment << "'";
        } catch (const UserError& e) {
            EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
        }
    };
    const auto renamed = project("renamed.samtok", "ALTER TABLE annotations RENAME COLUMN created_at TO made_at");
    refused([&] { ProjectStore::open(renamed); }, "table 'annotations' has no column 'created_at'");
    refused([&] { ProjectStore::openReadOnly(renamed); }, "has no column 'created_at'");
    const auto dropped = project("dropped.samtok", "DROP TABLE region_questions");
    refused([&] { ProjectStore::open(dropped); }, "its table 'region_questions' is missing");
    // An older project that is refused after its migration ran keeps the version it had: nothing was committed.
    const auto older = project("older.samtok",
                               "DROP TABLE region_questions; ALTER TABLE annotations DROP COLUMN "
                               "polygon; PRAGMA user_version = " +
                                   std::to_string(schema::currentVersion() - 1));
    refused([&] { ProjectStore::open(older); }, "its table 'region_questions' is missing");
    sql::Database back(older, SQLITE_OPEN_READONLY);
    EXPECT_EQ(back.queryInt("PRAGMA user_version"), schema::currentVersion() - 1);
    // A column of its own beside ours is another program's business: the project still opens.
    const auto extra = project("extra.samtok", "ALTER TABLE images ADD COLUMN note TEXT");
    EXPECT_EQ(ProjectStore::open(extra).imageCount(), 1);
}

TEST(ProjectStore, MigratesAnOlderProjectForward) {
    test::TempDir dir;
    // A project as an older program left it: version 0, nothing inside yet.
    {
        sql::Database db(dir.file("old.samtok"), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db.exec("PRAGMA application_id = " + std::to_string(schema::kApplicationId));
        db.exec("PRAGMA user_version = 0");
        db.exec("CREATE TABLE scratch(x)");  // makes the file non-empty
    }
    ProjectStore s = ProjectStore::open(dir.file("old.samtok"));
    EXPECT_EQ(s.schemaVersion(), schema::currentVersion());
    EXPECT_EQ(s.imageCount(), 0);
}

TEST(ProjectStore, AVersionOneProjectKeepsItsRowsAndGainsTheTaskText) {
    test::TempDir dir;
    {
        sql::Database db(dir.file("v1.samtok"), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
        db.exec("PRAGMA application_id = " + std::to_string(schema::kApplicationId));
        db.exec(schema::migrations().at(0));
        db.exec("PRAGMA user_version = 1");
        db.exec("INSERT INTO images(path, width, height, checksum, added_at) VALUES ('a.png', 4, 3, '" +
                std::string(64, 'f') + "', 0)");
        db.exec(
            "INSERT INTO annotations(image_id, mask_height, mask_width, rle_counts, bbox_x, bbox_y, bbox_w, bbox_h,"
            " area, source, created_at, updated_at) VALUES (1, 3, 4, '0<', 0, 0, 4, 3, 12, 'brush', 0, 0)");
    }
    ProjectStore s = ProjectStore::open(dir.file("v1.samtok"));
    EXPECT_EQ(s.schemaVersion(), schema::currentVersion());
    ASSERT_EQ(s.annotationCount(), 1);
    const RowId region = s.annotationsForImage(1).at(0).id;
    s.addImageExpression(1, "everything", {region});
    s.addRegionQuestion(region, "What is <region>?", "All of it.");
    s.setGroundedCaption({1, "The whole image.", {{0, 15, region}}});
    EXPECT_EQ(s.imageExpressions(1).at(0).targets, std::vector<RowId>{region});
    EXPECT_EQ(s.regionQuestions(region).at(0).answer, "All of it.");
    EXPECT_EQ(s.groundedCaption(1)->phrases.at(0).end, 15u);
    // Spans must be spans of the text, regions must be on the image; nothing half-written on refusal.
    EXPECT_THROW(s.setGroundedCaption({1, "Short.", {{0, 50, region}}}), UserError);
    EXPECT_THROW(s.addImageExpression(1, "ghost", {region + 100}), UserError);
    EXPECT_EQ(s.groundedCaption(1)->text, "The whole image.");
    EXPECT_EQ(s.imageExpressions(1).size(), 1u);
    // Deleting the region takes its task text with it (foreign keys).
    s.removeAnnotation(region);
    EXPECT_TRUE(s.regionQuestions(region).empty());
    EXPECT_TRUE(s.imageExpressions(1).at(0).targets.empty());
    EXPECT_TRUE(s.groundedCaption(1)->phrases.empty());
}

TEST(ProjectStore, AddImagesSkipsDuplicatesAndReportsUnreadableFiles) {
    test::TempDir dir;
    ProjectStore s = ProjectStore::create(dir.file("p.samtok"), "p");
    fs::create_directories(dir.path() / "imgs/sub");
    cv::imwrite(dir.file("imgs/a.png"), cv::Mat(5, 7, CV_8UC3, cv::Scalar(1, 2, 3)));
    cv::imwrite(dir.file("imgs/sub/b.jpg"), cv::Mat(9, 4, CV_8UC3, cv::Scalar(200, 0, 0)));
    fs::copy_file(dir.file("imgs/a.png"), dir.file("imgs/sub/a-copy.png"));
    std::ofstream(dir.file("imgs/broken.png")) << "not a png";
    std::ofstream(dir.file("imgs/notes.txt")) << "ignored: not an image extension";

    const auto files = collectImageFiles({dir.file("imgs")});
    EXPECT_EQ(files.size(), 4u);
    const AddImagesReport r = addImages(s, files);
    EXPECT_EQ(r.added.size(), 2u);
    EXPECT_EQ(r.duplicates.size(), 1u);
    ASSERT_EQ(r.failed.size(), 1u);
    EXPECT_NE(r.failed[0].second.find("broken.png"), std::string::npos);
    const auto images = s.images();
    ASSERT_EQ(images.size(), 2u);
    // Inside the project's folder, paths are stored relative so the folder can move.
    EXPECT_EQ(images[0].path, "imgs/a.png");
    EXPECT_EQ(images[0].width, 7);
    EXPECT_EQ(images[0].height, 5);
    EXPECT_EQ(s.resolveImagePath(images[0]), dir.file("imgs/a.png"));
    EXPECT_EQ(addImages(s, files).added.size(), 0u);  // re-adding changes nothing
    EXPECT_THROW(collectImageFiles({dir.file("nope")}), UserError);
}
