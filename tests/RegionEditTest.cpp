// Region edits and the persistent undo history: create, update, delete, undo
// and redo in single transactions, state that arrived since (tokens) carried
// through, the redo branch dropped by a new edit, and the history read back
// after reopening the project.
#include "TestPaths.h"
#include "edit/RegionEdit.h"
#include "mask/CocoRle.h"
#include "util/Error.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

using namespace samtok;
using namespace samtok::edit;
using samtok::test::TempDir;

namespace {

Rle square(int x0, int y0, int side) {
    Mask m(40, 50);
    for (int y = y0; y < y0 + side; ++y)
        for (int x = x0; x < x0 + side; ++x) m.set(y, x, true);
    return rle::encode(m);
}

struct Project {
    TempDir dir;
    ProjectStore store = ProjectStore::create(dir.file("p.samtok"), "p");
    RowId image = store.addImage({dir.file("a.png"), 50, 40, std::string(64, 'a')});
    RowId tokenizer = store.registerTokenizer({0, "t", "{}", std::string(64, 't')});

    Annotation region(const Rle& mask) const {
        Annotation a;
        a.imageId = image;
        a.mask = mask;
        a.source = AnnotationSource::Click;
        return a;
    }
};

}  // namespace

TEST(RegionEdit, CreateUndoRedoKeepsTheIdAndTokensThatArrivedSince) {
    Project p;
    RegionEdit e = createRegion("Add region", p.region(square(2, 2, 10)));
    const auto seq = commitEdit(p.store, e);
    const RowId id = e.changes[0].after->annotation.id;
    ASSERT_GT(id, 0);
    EXPECT_EQ(p.store.annotationCount(), 1);
    p.store.setTokens({id, p.tokenizer, {12, 34}, 0.8, 0});  // the background tokenizer's result

    undoEdit(p.store, seq, e);
    EXPECT_EQ(p.store.annotationCount(), 0);
    EXPECT_TRUE(p.store.edits().at(0).undone);
    redoEdit(p.store, seq, e);
    ASSERT_TRUE(p.store.annotation(id));
    EXPECT_EQ(p.store.annotation(id)->mask, square(2, 2, 10));
    ASSERT_EQ(p.store.tokensFor(id).size(), 1u);
    EXPECT_EQ(p.store.tokensFor(id)[0].c1, 34);
    EXPECT_FALSE(p.store.edits().at(0).undone);
}

TEST(RegionEdit, AMaskChangeDropsItsTokensAndUndoBringsThemBack) {
    Project p;
    RegionEdit add = createRegion("Add region", p.region(square(2, 2, 10)));
    commitEdit(p.store, add);
    const RowId id = add.changes[0].after->annotation.id;
    p.store.setTokens({id, p.tokenizer, {1, 2}, 0.9, 0});
    p.store.addReferringExpression(id, "the square");

    Annotation bigger = *p.store.annotation(id);
    bigger.mask = square(2, 2, 20);
    RegionEdit grow = updateRegion(p.store, "Brush stroke", bigger);
    const auto seq = commitEdit(p.store, grow);
    EXPECT_EQ(p.store.annotation(id)->area, 400u);
    EXPECT_TRUE(p.store.tokensFor(id).empty());
    EXPECT_EQ(p.store.referringExpressions(id), std::vector<std::string>{"the square"});

    undoEdit(p.store, seq, grow);
    EXPECT_EQ(p.store.annotation(id)->area, 100u);
    ASSERT_EQ(p.store.tokensFor(id).size(), 1u);
    EXPECT_EQ(p.store.tokensFor(id)[0].c0, 1);
    redoEdit(p.store, seq, grow);
    EXPECT_EQ(p.store.annotation(id)->area, 400u);
}

TEST(RegionEdit, DeleteUndoRestoresTextAndANewEditEndsTheRedoBranch) {
    Project p;
    RegionEdit add = createRegion("Add region", p.region(square(0, 0, 5)));
    commitEdit(p.store, add);
    const RowId id = add.changes[0].after->annotation.id;
    p.store.addReferringExpression(id, "the corner");
    RegionEdit del = deleteRegion(p.store, "Delete region", id);
    const auto seq = commitEdit(p.store, del);
    EXPECT_FALSE(p.store.annotation(id));
    undoEdit(p.store, seq, del);
    EXPECT_EQ(p.store.referringExpressions(id), std::vector<std::string>{"the corner"});
    // Undo once more, then a new edit: the undone one can no longer be redone.
    ASSERT_EQ(p.store.edits().size(), 2u);
    RegionEdit other = createRegion("Add region", p.region(square(30, 20, 5)));
    commitEdit(p.store, other);
    const auto history = p.store.edits();
    ASSERT_EQ(history.size(), 2u);
    EXPECT_EQ(history[0].label, "Add region");
    EXPECT_EQ(history[1].label, "Add region");
    EXPECT_FALSE(history[1].undone);
}

TEST(RegionEdit, TheHistorySurvivesReopeningAndReadsBackExactly) {
    Project p;
    RegionEdit add = createRegion("Add region", p.region(square(3, 4, 7)));
    const auto seq = commitEdit(p.store, add);
    const std::string path = p.store.path();
    {
        ProjectStore again = ProjectStore::open(path);
        const auto history = again.edits();
        ASSERT_EQ(history.size(), 1u);
        RegionEdit back = editFromJson(history[0].payload);
        EXPECT_EQ(toJson(back), toJson(add));
        undoEdit(again, seq, back);  // undo after a restart
        EXPECT_EQ(again.annotationCount(), 0);
    }
    EXPECT_EQ(ProjectStore::open(path).annotationCount(), 0);
    EXPECT_THROW(editFromJson("{\"label\": 3}"), FormatError);
}

TEST(RegionEdit, APolygonRegionKeepsItsVerticesThroughUndoRedoAndReopening) {
    Project p;
    Annotation a = p.region(square(3, 4, 7));
    a.source = AnnotationSource::Polygon;
    a.polygon = {{3, 4}, {10, 4}, {10, 11}, {3, 11}};
    RegionEdit add = createRegion("Polygon", a);
    const auto seq = commitEdit(p.store, add);
    const RowId id = add.changes[0].after->annotation.id;
    EXPECT_EQ(p.store.annotation(id)->polygon, a.polygon);
    // A vertex moved: the mask and the vertices change together, one step.
    Annotation moved = *p.store.annotation(id);
    moved.mask = square(3, 4, 9);
    moved.polygon[2] = {12.5, 13};
    RegionEdit move = updateRegion(p.store, "Move polygon vertex", moved);
    const auto moveSeq = commitEdit(p.store, move);
    EXPECT_EQ(p.store.annotation(id)->polygon[2], (std::array<double, 2>{12.5, 13}));
    undoEdit(p.store, moveSeq, move);
    EXPECT_EQ(p.store.annotation(id)->polygon, a.polygon);
    redoEdit(p.store, moveSeq, move);
    const std::string path = p.store.path();
    ProjectStore again = ProjectStore::open(path);
    EXPECT_EQ(again.annotation(id)->polygon[2], (std::array<double, 2>{12.5, 13}));
    // A history entry written before polygons were kept still reads (no "polygon" key).
    nlohmann::json old = nlohmann::json::parse(toJson(add));
    for (auto& c : old["changes"])
        if (!c["after"].is_null()) c["after"].erase("polygon");
    EXPECT_TRUE(editFromJson(old.dump()).changes[0].after->annotation.polygon.empty());
    (void)seq;
}
