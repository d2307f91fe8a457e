// samtok region: list a project's regions and attach the text MLLM tasks need
// (for scripts and power users; the studio edits the same rows).
#include "cli/Commands.h"
#include "store/ProjectStore.h"
#include "util/Error.h"

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

namespace samtok::cli {
namespace {

struct RegionOptions {
    std::string project;
    RowId region = 0;
    RowId image = 0;
    std::string text, question, answer;
    std::vector<RowId> targets;
    bool json = false;
};

Annotation requireRegion(const ProjectStore& store, RowId id) {
    auto a = store.annotation(id);
    if (!a) throw UserError("region " + std::to_string(id) + " does not exist (see `samtok region list`)");
    return *a;
}

void list(const RegionOptions& o) {
    ProjectStore store = ProjectStore::open(o.project);
    std::map<RowId, std::string> classes;
    for (const auto& c : store.classes()) classes[c.id] = c.name;
    nlohmann::json rows = nlohmann::json::array();
    for (const auto& im : store.images()) {
        if (o.image && im.id != o.image) continue;
        for (const auto& a : store.annotationsForImage(im.id)) {
            const auto expressions = store.referringExpressions(a.id);
            const auto questions = store.regionQuestions(a.id);
            if (o.json) {
                rows.push_back({{"region", a.id},
                                {"image", im.id},
                                {"path", im.path},
                                {"class", a.classId ? classes[*a.classId] : ""},
                                {"box", {a.bbox.x, a.bbox.y, a.bbox.width, a.bbox.height}},
                                {"area", a.area},
                                {"caption", a.caption},
                                {"expressions", expressions},
                                {"questions", questions.size()}});
                continue;
            }
            std::cout << a.id << "\timage " << im.id << " " << im.path << "\t"
                      << (a.classId ? classes[*a.classId] : "-") << "\tbox " << a.bbox.x << "," << a.bbox.y << " "
                      << a.bbox.width << "x" << a.bbox.height;
            if (!a.caption.empty()) std::cout << "\tcaption: " << a.caption;
            for (const auto& e : expressions) std::cout << "\t\"" << e << "\"";
            if (!questions.empty()) std::cout << "\t" << questions.size() << " question(s)";
            std::cout << "\n";
        }
    }
    if (o.json) std::cout << rows.dump(2) << "\n";
}

}  // namespace

void addRegionCommands(CLI::App& app) {
    auto o = std::make_shared<RegionOptions>();
    auto* region =
        app.add_subcommand("region", "List regions and give them referring expressions, captions and questions");
    region->require_subcommand(1);

    auto* ls = region->add_subcommand("list", "Regions with their ids, classes, boxes and text");
    ls->add_option("PROJECT", o->project, "Project file")->required();
    ls->add_option("--image", o->image, "Only this image id");
    ls->add_flag("--json", o->json, "Print JSON");
    ls->callback([o] { list(*o); });

    auto* refer = region->add_subcommand("refer", "Add a referring expression to a region (refseg samples)");
    refer->add_option("PROJECT", o->project, "Project file")->required();
    refer->add_option("REGION", o->region, "Region id")->required();
    refer->add_option("TEXT", o->text, "The expression, e.g. \"the cup on the left\"")->required();
    refer->callback([o] {
        ProjectStore store = ProjectStore::open(o->project);
        requireRegion(store, o->region);
        store.addReferringExpression(o->region, o->text);
        std::cout << "region " << o->region << " now has " << store.referringExpressions(o->region).size()
                  << " expression(s)\n";
    });

    auto* describe = region->add_subcommand("describe", "Set a region's caption (region captioning samples)");
    describe->add_option("PROJECT", o->project, "Project file")->required();
    describe->add_option("REGION", o->region, "Region id")->required();
    describe->add_option("TEXT", o->text, "The caption")->required();
    describe->callback([o] {
        ProjectStore store = ProjectStore::open(o->project);
        Annotation a = requireRegion(store, o->region);
        a.caption = o->text;
        store.updateAnnotation(a);
        std::cout << "region " << o->region << " described\n";
    });

    auto* ask = region->add_subcommand("ask", "Add a question and its answer about a region (region VQA samples)");
    ask->add_option("PROJECT", o->project, "Project file")->required();
    ask->add_option("REGION", o->region, "Region id")->required();
    ask->add_option("--question", o->question, "The question; <region> marks where the region's tokens go")->required();
    ask->add_option("--answer", o->answer, "The answer")->required();
    ask->callback([o] {
        ProjectStore store = ProjectStore::open(o->project);
        requireRegion(store, o->region);
        store.addRegionQuestion(o->region, o->question, o->answer);
        std::cout << "region " << o->region << " now has " << store.regionQuestions(o->region).size()
                  << " question(s)\n";
    });

    auto* group =
        region->add_subcommand("group", "An expression naming several regions of one image, or none (GRES samples)");
    group->add_option("PROJECT", o->project, "Project file")->required();
    group->add_option("IMAGE", o->image, "Image id")->required();
    group->add_option("TEXT", o->text, "The expression, e.g. \"all the cups\"")->required();
    group->add_option("--regions", o->targets, "Region ids it names (none: \"No target.\")");
    group->callback([o] {
        ProjectStore store = ProjectStore::open(o->project);
        if (!store.image(o->image)) throw UserError("image " + std::to_string(o->image) + " does not exist");
        store.addImageExpression(o->image, o->text, o->targets);
        std::cout << "image " << o->image << ": \"" << o->text << "\" names " << o->targets.size() << " region(s)\n";
    });
}

}  // namespace samtok::cli
